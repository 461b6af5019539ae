#!/usr/bin/env bash
# Translations (locale/*/LC_MESSAGES/django.po) are compiled with GNU gettext's msgfmt.
# Install Debian's gettext when it is missing and we are allowed to.
set -euo pipefail

if command -v msgfmt >/dev/null; then
    exit 0
fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-gettext: installing Debian's gettext"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gettext
    command -v msgfmt >/dev/null || { echo "ensure-gettext: apt-get ran but msgfmt is still missing" >&2; exit 1; }
else
    echo "ensure-gettext: msgfmt is missing and installing it needs root (sudo apt-get install gettext)" >&2
    exit 1
fi
