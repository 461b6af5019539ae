"""Services plan and claim; tasks call services; queuing goes through the broker helper.
Nothing under sessions_app/services/ imports the Celery tasks module, so there is no
import circle between them."""

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = sorted((REPO / "sessions_app" / "services").glob("*.py"))


def _imports_tasks(path: Path) -> list[str]:
    """The lines of `path` that import sessions_app.tasks, at any depth of the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [a.name for a in node.names]
            if (
                (node.level == 2 and (module == "tasks" or (not module and "tasks" in names)))
                or module == "sessions_app.tasks"
                or (module == "sessions_app" and "tasks" in names)
            ):
                found.append(f"{path.name}:{node.lineno}")
        elif isinstance(node, ast.Import) and any(
            a.name == "sessions_app.tasks" for a in node.names
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_check_finds_an_import_of_tasks(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from ..tasks import reminders_send\n")
    assert _imports_tasks(sample) == ["sample.py:2"]


def test_no_service_imports_the_tasks_module():
    assert SERVICES
    assert [hit for path in SERVICES for hit in _imports_tasks(path)] == []


def test_every_service_imports_and_queues_with_the_tasks_module_unimportable():
    modules = [f"sessions_app.services.{p.stem}" for p in SERVICES if p.stem != "__init__"]
    script = f"""
import sys
sys.modules["sessions_app.tasks"] = None  # any import of it now fails
import django, importlib
from unittest import mock
django.setup()
for name in {modules!r}:
    importlib.import_module(name)
from sessions_app.services import reminders
with mock.patch("config.celery_app.send_task") as send_task:
    reminders._nudge()  # outside a transaction: published at once, by name
assert send_task.call_args.args == ("sessions_app.tasks.reminders_dispatch",), send_task.call_args
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "sqlite://:memory:",
        },
    )
    assert result.stdout.strip() == "ok", result.stderr[-3000:]
