"""/healthz: what a load balancer or monitor sees of the database, Redis and beat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.broker import get_redis
from sessions_app.health import BEAT_KEY, beat_tick_record

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:6390/0"


@pytest.fixture
def redis(redis_url):
    return get_redis()


def test_it_reports_everything_ok(client, redis):
    tick = beat_tick_record()

    r = client.get("/healthz")

    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    body = r.json()
    assert body["ok"] is True
    assert body["database"] == {"ok": True}
    assert body["broker"] == {"ok": True}
    assert body["beat"]["ok"] is True
    assert body["beat"]["last_tick"] == tick.isoformat()
    # A monitor must see the live answer, never a cached one.
    assert "no-cache" in r["Cache-Control"]


def test_it_needs_no_login(client, redis):
    beat_tick_record()

    r = client.get("/healthz", follow=False)

    assert r.status_code == 200
    assert "Location" not in r


def test_it_accepts_a_tick_just_inside_the_limit(client, redis, settings):
    beat_tick_record(now=timezone.now() - timedelta(seconds=settings.BEAT_STALE_AFTER_SECONDS - 5))

    r = client.get("/healthz")

    assert r.status_code == 200
    assert r.json()["beat"]["ok"] is True


def test_it_reports_beat_down_when_no_tick_was_recorded(client, redis):
    r = client.get("/healthz")

    assert r.status_code == 503
    body = r.json()
    assert body["ok"] is False
    assert body["beat"]["ok"] is False
    assert body["beat"]["last_tick"] is None
    # Only beat is at fault.
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_it_reports_beat_down_when_the_last_tick_is_stale(client, redis, settings):
    stale = timezone.now() - timedelta(seconds=settings.BEAT_STALE_AFTER_SECONDS + 5)
    beat_tick_record(now=stale)

    r = client.get("/healthz")

    assert r.status_code == 503
    body = r.json()
    assert body["beat"]["ok"] is False
    assert body["beat"]["last_tick"] == stale.isoformat()
    assert body["broker"]["ok"] is True


def test_it_follows_the_configured_stale_limit(client, redis, settings):
    settings.BEAT_STALE_AFTER_SECONDS = 30
    beat_tick_record(now=timezone.now() - timedelta(seconds=45))

    r = client.get("/healthz")

    assert r.status_code == 503
    assert r.json()["beat"]["ok"] is False


def test_it_reports_broker_down_when_redis_is_unreachable(client, redis, settings):
    beat_tick_record()
    settings.REDIS_URL = CLOSED_PORT_REDIS_URL

    r = client.get("/healthz")

    assert r.status_code == 503
    body = r.json()
    assert body["ok"] is False
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    # Beat cannot be vouched for without Redis, even though a tick was recorded; the
    # operator is pointed at Redis, not sent looking for a beat that never ran.
    assert body["beat"]["ok"] is False
    assert body["beat"]["error"] == "broker unreachable"


def test_it_is_reachable_over_plain_http_when_https_is_enforced(client, redis, settings):
    settings.SECURE_SSL_REDIRECT = True
    beat_tick_record()

    assert client.get("/healthz").status_code == 200
    # Everything else is still sent to HTTPS.
    login = client.get("/login/")
    assert login.status_code == 301
    assert login["Location"].startswith("https://")


def test_it_refuses_post(client, redis):
    beat_tick_record()

    r = client.post("/healthz")

    assert r.status_code == 405


def test_it_answers_head_probes(client, redis):
    beat_tick_record()
    assert client.head("/healthz").status_code == 200


def test_it_reports_an_unreadable_tick_as_beat_down(client, redis):
    redis.set(BEAT_KEY, b"\xff not a time")
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["beat"] == {"ok": False, "last_tick": None, "error": "unreadable tick"}
