"""Health of the moving parts: database, Redis broker, Celery beat."""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .broker import get_redis

BEAT_KEY = "refrain:beat:last_tick"


def beat_tick_record(*, now: datetime | None = None) -> datetime:
    """Write the time of this beat tick; run by the worker on beat's schedule."""
    now = now or timezone.now()
    get_redis().set(BEAT_KEY, now.isoformat())
    return now


def health_report(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    report: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer here
        report["database"] = {"ok": False, "error": type(exc).__name__}

    last_tick = None
    try:
        client = get_redis()
        client.ping()
        report["broker"] = {"ok": True}
        last_tick = client.get(BEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        report["broker"] = {"ok": False, "error": type(exc).__name__}

    if report["broker"]["ok"]:
        report["beat"] = _beat_state(last_tick, now)
    else:
        # The tick lives in Redis: without it beat's state is unknown, not "never ran".
        report["beat"] = {"ok": False, "last_tick": None, "error": "broker unreachable"}
    report["ok"] = all(part["ok"] for part in report.values())
    return report


def _beat_state(raw: bytes | None, now: datetime) -> dict:
    if raw is None:
        return {"ok": False, "last_tick": None, "error": "no tick recorded"}
    try:
        tick = datetime.fromisoformat(raw.decode())
        age = (now - tick).total_seconds()
    except (UnicodeDecodeError, ValueError, TypeError):
        return {"ok": False, "last_tick": None, "error": "unreadable tick"}
    return {
        "ok": age <= settings.BEAT_STALE_AFTER_SECONDS,
        "last_tick": tick.isoformat(),
        "age_seconds": round(age),
    }
