"""The fixed cast every test plays with.

    site            — administered by `admin`
    group           — at `site`, led by `therapist`, co-facilitated by `co_therapist`;
                      `participant` is enrolled
    other_group     — at `other_site`, led by `outsider`; `other_participant` is enrolled
    other_admin     — administers `other_site` only

Therapists work at the site of their groups (`therapist` and `co_therapist` at `site`,
`outsider` at `other_site`): where they may start groups and use emergency access.

So for anything of `group`: therapist, co_therapist and admin may see it; outsider,
other_admin, participant and other_participant may not (participants see their own
things only on their own pages).

    artist          — a teaching artist on `project` (participant's lullaby project,
                      with `therapist`); `other_artist` is on no project. Teaching
                      artists see lullaby projects they are on and nothing else.
"""

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.utils import timezone

from sessions_app.broker import get_redis
from sessions_app.health import BEAT_KEY
from tests import factories as f


def _compile_translations() -> None:
    """Compile the translations a plain `pytest` would otherwise run without (`make`
    does this too): a missing or stale .mo would show participants English. Done once,
    by the process that starts the xdist workers (or the only one)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    msgfmt = shutil.which("msgfmt")
    for po in Path(__file__).resolve().parent.parent.glob("locale/*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if msgfmt is None:
            raise pytest.UsageError(f"{mo} is missing or stale and msgfmt is not installed")
        subprocess.run([msgfmt, "--check", "--output-file", str(mo), str(po)], check=True)


def _redis_url_for(url: str, worker: str) -> str:
    """The Redis URL of one test process: `url`'s database, counted down by the number
    of the pytest-xdist `worker` (gw0 keeps it, gw1 takes the one below, …).

    The beat tick and Celery's queues are keys of a whole database, so two workers that
    shared one would clear and read each other's. Database 0 is where a developer's own
    Refrain keeps its beat tick: tests never touch it, whatever REDIS_URL says (with
    /0 or none they count down from /15, where the Makefile points them anyway).
    """
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0) or 15
    db = base - int(worker.removeprefix("gw") or 0)
    if db < 1:
        raise pytest.UsageError(
            f"REDIS_URL database /{base} leaves none above /0 for pytest-xdist worker "
            f"{worker}: point REDIS_URL at a higher database or run fewer workers"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


def pytest_configure(config):
    from django.conf import settings

    # Settings are loaded by now (pytest-django does it first); every test, and every
    # worker or beat a test starts (they inherit the environment), uses this database.
    url = _redis_url_for(settings.REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", "gw0"))
    settings.REDIS_URL = settings.CELERY_BROKER_URL = os.environ["REDIS_URL"] = url
    _compile_translations()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root_in_tmp(settings, tmp_path):
    # Uploaded recordings (and the demo's generated ones) never land in the repository.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _messages_stay_in_memory(settings):
    # Reminders: text messages go to `sessions_app.messaging.sms.outbox`, as
    # Django's test runner sends email to `mail.outbox`; never to var/sms or a provider.
    from sessions_app.messaging import sms

    settings.SMS_BACKEND = "sessions_app.messaging.sms.LocmemBackend"
    sms.outbox.clear()


@pytest.fixture
def redis_url(settings):
    """This test process's Redis URL (see `_redis_url_for`), with the beat tick cleared
    before and after."""
    client = get_redis()
    client.delete(BEAT_KEY)
    yield settings.REDIS_URL
    client.delete(BEAT_KEY)


@pytest.fixture
def site(db):
    return f.SiteFactory(name="Harbor Street Center", time_zone="America/New_York")


@pytest.fixture
def other_site(db):
    return f.SiteFactory(name="Mesa Community House", time_zone="America/Denver")


@pytest.fixture
def admin(site):
    return f.AdministratorFactory(username="admin", sites=[site])


@pytest.fixture
def other_admin(other_site):
    return f.AdministratorFactory(username="other_admin", sites=[other_site])


@pytest.fixture
def therapist(site):
    return f.TherapistFactory(username="therapist", sites=[site])


@pytest.fixture
def co_therapist(site):
    return f.TherapistFactory(username="co_therapist", sites=[site])


@pytest.fixture
def outsider(other_site):
    return f.TherapistFactory(username="outsider", sites=[other_site])


@pytest.fixture
def group(site, therapist, co_therapist):
    group = f.GroupFactory(site=site, name="Tuesday Songwriting", lead=therapist)
    f.FacilitationFactory(group=group, therapist=co_therapist)
    return group


@pytest.fixture
def other_group(other_site, outsider):
    return f.GroupFactory(site=other_site, name="Mesa Drum Circle", lead=outsider)


@pytest.fixture
def participant(group):
    user = f.ParticipantUserFactory(username="participant")
    p = f.ParticipantFactory(site=group.site, user=user, first_name="Dana", preferred_name="Dee")
    f.EnrollmentFactory(group=group, participant=p)
    return p


@pytest.fixture
def other_participant(other_group):
    user = f.ParticipantUserFactory(username="other_participant")
    p = f.ParticipantFactory(site=other_group.site, user=user, first_name="Robin")
    f.EnrollmentFactory(group=other_group, participant=p)
    return p


@pytest.fixture
def session(group):
    start = timezone.now() + timedelta(days=2)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


@pytest.fixture
def past_session(group, participant, therapist):
    start = timezone.now() - timedelta(days=7)
    s = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    f.PlanItemFactory(session=s, position=1)
    f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
    return s


@pytest.fixture
def other_session(other_group):
    start = timezone.now() + timedelta(days=3)
    return f.SessionFactory(group=other_group, starts_at=start, ends_at=start + timedelta(hours=1))


# --- Lullaby projects: teaching artists and the participant's project ----------------


@pytest.fixture
def artist(db):
    """A teaching artist on `project` (and on nothing else)."""
    return f.TeachingArtistFactory(username="artist")


@pytest.fixture
def other_artist(db):
    """A teaching artist who is not on `project`."""
    return f.TeachingArtistFactory(username="other_artist")


@pytest.fixture
def project(participant, therapist, artist):
    """`participant`'s lullaby project with `therapist` and `artist`: consent to record
    and to share, a draft, a recording session with a take (with audio) chosen final."""
    from django.core.files.base import ContentFile

    p = f.LullabyProjectFactory(
        participant=participant, therapist=therapist, artists=[artist], stage="recording"
    )
    f.ProjectConsentFactory(project=p, kind="record")
    f.ProjectConsentFactory(project=p, kind="share")
    f.LyricDraftFactory(project=p)
    take = f.TakeFactory(recording_session=f.RecordingSessionFactory(project=p))
    take.audio.save("take.wav", ContentFile(f.wav_bytes()), save=True)
    p.final_take = take
    p.save()
    return p


# --- end lullaby ----------------------------------------------------------------------


@pytest.fixture
def cast(
    admin,
    other_admin,
    therapist,
    co_therapist,
    outsider,
    participant,
    other_participant,
    artist,
    other_artist,
):
    """Every user of the cast by name, for tests that go through them all."""
    return {
        "admin": admin,
        "other_admin": other_admin,
        "therapist": therapist,
        "co_therapist": co_therapist,
        "outsider": outsider,
        "participant": participant.user,
        "other_participant": other_participant.user,
        "artist": artist,
        "other_artist": other_artist,
    }
