#!/usr/bin/env bash
# `make bench` measures throughput with wrk. Install Debian's when it is missing and we
# are allowed to.
set -euo pipefail

if command -v wrk >/dev/null; then
    exit 0
fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-wrk: installing Debian's wrk"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
    command -v wrk >/dev/null || { echo "ensure-wrk: apt-get ran but wrk is still missing" >&2; exit 1; }
else
    echo "ensure-wrk: wrk is missing and installing it needs root (sudo apt-get install wrk)" >&2
    exit 1
fi
