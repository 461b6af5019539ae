"""Take Bootstrap's inline SVG icons out of its stylesheet, for the CSP's img-src 'self'.

Bootstrap draws select arrows, check marks, switches, the menu button and close
buttons with `url("data:image/svg+xml,…")`, which a policy without `data:` blocks. This
writes each icon to static/vendor/bootstrap/icons/ and a copy of the stylesheet that
points at those files, bootstrap.csp.min.css, which the pages load. The published
bootstrap.min.css stays beside it, unchanged, as the source. (Overriding the icons in a
second stylesheet is not enough: a browser may fetch an image before that sheet applies,
and the policy then blocks it.) Run this again after upgrading Bootstrap:

    .venv/bin/python scripts/bootstrap_csp_icons.py
"""

import re
from pathlib import Path
from urllib.parse import unquote

BOOTSTRAP = Path(__file__).resolve().parent.parent / "static" / "vendor" / "bootstrap"
SOURCE = BOOTSTRAP / "bootstrap.min.css"
OUT = BOOTSTRAP / "bootstrap.csp.min.css"
ICONS = BOOTSTRAP / "icons"

# A declaration whose value is an inline SVG: the property names the file.
DATA_URL = re.compile(r'([-\w]+):url\("data:image/svg\+xml,([^"]+)"\)')


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    for old in ICONS.glob("*.svg"):
        old.unlink()
    names: dict[str, str] = {}  # icon text -> file name: one file per distinct icon

    def to_file(found: re.Match) -> str:
        prop, svg = found.group(1), unquote(found.group(2))
        if svg not in names:
            names[svg] = f"{len(names) + 1:02d}-{prop.lstrip('-').removeprefix('bs-')}.svg"
            (ICONS / names[svg]).write_text(svg + "\n")
        return f'{prop}:url("icons/{names[svg]}")'

    css = DATA_URL.sub(to_file, SOURCE.read_text())
    if "data:" in css:
        raise SystemExit("bootstrap.min.css has an inline image this script does not recognise")
    OUT.write_text(css)
    print(f"{len(names)} icons -> {ICONS.relative_to(BOOTSTRAP.parent.parent.parent)}")


if __name__ == "__main__":
    main()
