"""`manage.py check --deploy` passes with the production environment README.md documents.

The environment is read from the `export` in README's "Deploying" section, so the README
and the settings cannot drift apart: a variable the README adds is set here too, and its
placeholder (…) gets a stand-in below or the test says which one is missing.
"""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Stand-ins for the README's placeholders. Nothing is connected to: checks read settings.
STAND_INS = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://refrain@db.invalid:5432/refrain",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_HOST": "mail.invalid",
}


def readme_environment() -> dict[str, str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Deploying", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^export (.+?)(?<!\\)$", section, re.MULTILINE | re.DOTALL)
    assert block, "README's Deploying section has no `export` of the production environment"
    env = {}
    for word in shlex.split(block.group(1).replace("\\\n", " ")):
        name, _, value = word.partition("=")
        if "…" in value:
            assert name in STAND_INS, f"README sets {name}=…: give it a stand-in in {__name__}"
            value = STAND_INS[name]
        env[name] = value
    return env


def test_it_reads_the_production_environment_from_the_readme():
    assert readme_environment()["DEBUG"] == "0"


def test_it_passes_the_deployment_checks(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "REFRAIN_VAR_DIR": str(tmp_path / "var"),
        **readme_environment(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
