"""Access matrix generated from the URLconf.

Every URL pattern that takes an object id is requested by every user of the cast. The
ones who may not see the object get 404 (never 403: existence is private), anonymous
users are sent to the login page, and those who may see it get through. A new view
with an id in its URL is covered the moment it is added to the URLconf; if its id
names a kind of object this file does not know yet, the test fails and says so.
"""

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Who may see the objects of `group` (see conftest.py); everyone else gets 404.
MAY_SEE = {"admin", "therapist", "co_therapist"}
STAFF = {"admin", "other_admin", "therapist", "co_therapist", "outsider"}

# URLs whose audience differs from MAY_SEE, by the ids they take: the song library is
# shared by all staff (what a song was used for is narrowed on the page itself).
AUDIENCE_BY_IDS: dict[tuple[str, ...], set[str]] = {("song_id",): STAFF}

# URL names whose audience differs from both: {url name: users who may see}.
AUDIENCE_OVERRIDES: dict[str, set[str]] = {}

# --- Lullaby projects: `project` is seen by its therapist and teaching artist and, read
# only, by the site's administrator (not the co-therapist); its forms are for those who
# may write them; the participant reads their own page and log, and hears the final take
# (the fixture has consent to share).
LULLABY_READERS = {"admin", "therapist", "artist"}
LULLABY_EDITORS = {"therapist", "artist"}
LULLABY_MANAGERS = {"therapist"}
AUDIENCE_BY_IDS |= {
    ("project_id",): LULLABY_READERS,
    ("project_id", "draft_id"): LULLABY_READERS,
    ("project_id", "recording_id"): LULLABY_READERS,
    ("project_id", "take_id"): LULLABY_EDITORS,
    # A dedication or melody idea: the team, and the participant (their own voice).
    ("project_id", "track_id"): LULLABY_EDITORS | {"participant"},
    # Family links are the project's therapist's to revoke and re-issue.
    ("project_id", "link_id"): LULLABY_MANAGERS,
    # A sharing-session program: whoever made it (`therapist`) and the site's admin.
    ("program_id",): {"admin", "therapist"},
}
AUDIENCE_OVERRIDES |= {
    "lullaby_project_edit": LULLABY_MANAGERS,
    "lullaby_stage": LULLABY_MANAGERS,
    "lullaby_consent": LULLABY_MANAGERS,
    "lullaby_delivery": LULLABY_MANAGERS,
    "lullaby_draft_new": LULLABY_EDITORS,
    "lullaby_recording_new": LULLABY_EDITORS,
    "lullaby_take_new": LULLABY_EDITORS,
    "lullaby_log": LULLABY_READERS | {"participant"},
    "lullaby_own_project": {"participant"},
    "lullaby_take_audio": LULLABY_EDITORS | {"participant"},
    "lullaby_track_new": LULLABY_EDITORS,
    "lullaby_family_link_new": LULLABY_MANAGERS,
    "lullaby_own_idea_new": {"participant"},
}
# --- end lullaby
# A participant's own pages are theirs alone. Reflections' words and scores are for the
# group's therapists: administrators learn only that reflections exist (on the pages
# above), so the entry form and the chart answer them 404.
AUDIENCE_OVERRIDES.update(
    {
        "participant_rsvp": {"participant"},
        "participant_reflection": {"participant"},
        "reflection_enter": {"therapist", "co_therapist"},
        "participant_chart": {"therapist", "co_therapist"},
    }
)
# Measures: a participant answers their own questionnaires and check-ins; the door
# check-in is run by the session's own therapists.
AUDIENCE_BY_IDS[("request_id",)] = {"participant"}
AUDIENCE_OVERRIDES |= {
    "participant_checkin": {"participant"},
    "kiosk_start": {"therapist", "co_therapist"},
    "kiosk": {"therapist", "co_therapist"},
    "kiosk_answer": {"therapist", "co_therapist"},
    "kiosk_exit": {"therapist", "co_therapist"},
}

# --- Administration: reports, audit trail, consents are the site
# administrator's; the consent registry reads like the participant's page (MAY_SEE), and
# the sign-in sheet goes with the session (MAY_SEE: therapists run the door).
ADMIN_ONLY = {"admin"}
AUDIENCE_BY_IDS |= {
    ("site_id",): ADMIN_ONLY,
    ("therapist_id",): ADMIN_ONLY,
    ("consent_id",): ADMIN_ONLY,
}
AUDIENCE_OVERRIDES |= {
    name: ADMIN_ONLY
    for name in (
        "report_group",
        "report_group_csv",
        "report_participant",
        "report_participant_csv",
        "consent_record",
        "participant_records_export",
    )
}
# --- end administration
# Two-step sign-in: an administrator resets the second factor of staff at their sites
# (`user_id` is `therapist`, who runs `group` at `site`).
AUDIENCE_OVERRIDES["mfa_reset"] = ADMIN_ONLY

# --- Access outside the usual paths. Emergency access is for a therapist at the
# participant's site outside their groups: nobody in the cast is one for `participant`
# (its own therapists already see them; `outsider` works at another site), so the form
# answers 404 to all (the way in is tested in test_emergency_access.py). The access in
# the URLs below is held by `outsider`: they alone may end it, the site's
# administrator reviews it. First looks are reviewed by the site's administrator.
AUDIENCE_BY_IDS |= {("access_id",): ADMIN_ONLY}
AUDIENCE_OVERRIDES |= {
    "emergency_access_open": set(),
    "emergency_access_end": {"outsider"},
    "first_look_decide": ADMIN_ONLY,
}

# --- Measures: a group's questionnaire schedule is set by its therapists; a safety alert
# (`alert_id`: one about `participant`, escalated) is followed up by the participant's
# therapists and, once escalated, seen by the site's administrator.
FACILITATORS = {"therapist", "co_therapist"}
AUDIENCE_BY_IDS |= {("group_id", "schedule_id"): FACILITATORS, ("alert_id",): MAY_SEE}
AUDIENCE_OVERRIDES |= {"group_measures": FACILITATORS}
# --- Measures: one person's answers (chart and CSV) are for the therapists who see them;
# administrators see aggregates only, so those answer them 404. A group's weekly means are
# its therapists' and (small cells suppressed) its site administrator's.
AUDIENCE_OVERRIDES |= {
    "participant_measures": {"therapist", "co_therapist"},
    "participant_measures_csv": {"therapist", "co_therapist"},
}
# --- end measures
# --- Treatment planning: the participant's therapists read and write assessments and
# plans; the site's administrator sees the record's page (status and dates only), and
# every document answers them 404.
AUDIENCE_BY_IDS |= {
    ("participant_id", "assessment_id"): FACILITATORS,
    ("participant_id", "plan_id"): FACILITATORS,
}
AUDIENCE_OVERRIDES |= {"assessment_new": FACILITATORS, "treatment_plan_start": FACILITATORS}
# --- Progress reports and discharge summaries: the participant's therapists only; an
# administrator learns that one exists elsewhere, never what it says.
AUDIENCE_BY_IDS[("participant_id", "report_id")] = FACILITATORS
AUDIENCE_OVERRIDES["progress_report_new"] = FACILITATORS

# Namespaces protected as a whole by something else: the Django admin requires
# is_staff, which only administrators have (tested in test_it_keeps_the_admin_to_staff).
SKIP_NAMESPACES = {"admin"}


def _object_ids(request) -> dict[str, Callable[[], int]]:
    """How to make the object each URL id names, inside the world of `group`."""
    return {
        "group_id": lambda: request.getfixturevalue("group").pk,
        "session_id": lambda: request.getfixturevalue("past_session").pk,
        "participant_id": lambda: request.getfixturevalue("participant").pk,
        "enrollment_id": lambda: _first_look(request).pk,
        "item_id": lambda: request.getfixturevalue("past_session").plan_items.first().pk,
        "song_id": lambda: request.getfixturevalue("past_session").plan_items.first().song_id,
        "project_id": lambda: request.getfixturevalue("project").pk,
        "draft_id": lambda: request.getfixturevalue("project").drafts.get().pk,
        "recording_id": lambda: request.getfixturevalue("project").recording_sessions.get().pk,
        "take_id": lambda: request.getfixturevalue("project").final_take_id,
        "track_id": lambda: _idea(request).pk,
        "link_id": lambda: _family_link(request).pk,
        "program_id": lambda: _program(request).pk,
        # Reminders: a failed reminder of `participant` for `past_session`.
        "reminder_id": lambda: _failed_reminder(request).pk,
        # Administration: `site`, its therapist, a consent of `participant`.
        "site_id": lambda: request.getfixturevalue("site").pk,
        "therapist_id": lambda: request.getfixturevalue("therapist").pk,
        "consent_id": lambda: _consent(request).pk,
        "access_id": lambda: _emergency_access(request).pk,
        "user_id": lambda: request.getfixturevalue("therapist").pk,
        "schedule_id": lambda: _measure_schedule(request).pk,
        "alert_id": lambda: _escalated_alert(request).pk,
        # Measures: an open questionnaire request of `participant`.
        "request_id": lambda: _measure_request(request).pk,
        # Treatment planning: a draft assessment and a draft plan of `participant`.
        "assessment_id": lambda: _assessment(request).pk,
        "plan_id": lambda: _plan(request).pk,
        # A signed report (a draft would be discarded by the first who may).
        "report_id": lambda: _progress_report(request).pk,
    }


def _idea(request):
    from django.core.files.base import ContentFile

    from tests import factories as f

    project = request.getfixturevalue("project")
    track = f.TrackFactory(project=project)
    track.audio.save("idea.wav", ContentFile(f.wav_bytes()), save=True)
    return track


def _family_link(request):
    from sessions_app.services import family_links

    project = request.getfixturevalue("project")
    return family_links.family_link_issue(
        by=project.therapist, project=project, recipient_name="Eli", recipient_relationship="son"
    ).link


def _program(request):
    from tests import factories as f

    return f.SharingProgramFactory(
        site=request.getfixturevalue("site"), created_by=request.getfixturevalue("therapist")
    )


def _assessment(request):
    from sessions_app.services.plans import assessment_save

    return assessment_save(
        participant=request.getfixturevalue("participant"),
        by=request.getfixturevalue("therapist"),
        assessed_on=date.today(),
        texts={"summary": "Connection through song."},
    )


def _plan(request):
    from sessions_app.services.plans import plan_start

    return plan_start(
        participant=request.getfixturevalue("participant"),
        by=request.getfixturevalue("therapist"),
    )


def _progress_report(request):
    from django.utils import timezone

    from tests.factories import ProgressReportFactory

    therapist = request.getfixturevalue("therapist")
    return ProgressReportFactory(
        participant=request.getfixturevalue("participant"),
        author=therapist,
        recommendations="Continue weekly.",
        status="signed",
        signed_by=therapist,
        signed_at=timezone.now(),
    )


def _measure_schedule(request):
    from sessions_app.models import MeasureSchedule

    return MeasureSchedule.objects.create(
        group=request.getfixturevalue("group"), instrument="ucla3", when="enrolment"
    )


def _escalated_alert(request):
    from django.utils import timezone

    from sessions_app.services.measures import response_record

    answers = {f"q{n}": 0 for n in range(1, 9)} | {"q9": 1}
    done = response_record(
        participant=request.getfixturevalue("participant"),
        instrument="phq9",
        answers=answers,
        via="link",
    )
    alert = done.alerts[0]
    alert.escalated_at = timezone.now()
    alert.save()
    return alert


def _measure_request(request):
    from datetime import date

    from sessions_app.models import MeasureRequest

    return MeasureRequest.objects.create(
        participant=request.getfixturevalue("participant"),
        instrument="phq9",
        reason=MeasureRequest.Reason.values[0],
        due_on=date.today(),
    )


def _first_look(request):
    """`participant`'s enrolment, as one that gave its therapist a first look."""
    enrollment = request.getfixturevalue("participant").enrollments.get()
    enrollment.first_look = True
    enrollment.enrolled_by = request.getfixturevalue("therapist")
    enrollment.save()
    return enrollment


def _emergency_access(request):
    from tests.factories import EmergencyAccessFactory

    return EmergencyAccessFactory(
        therapist=request.getfixturevalue("outsider"),
        participant=request.getfixturevalue("participant"),
    )


def _consent(request):
    from tests.factories import ConsentFactory

    return ConsentFactory(
        participant=request.getfixturevalue("participant"),
        recorded_by=request.getfixturevalue("admin"),
    )


def _failed_reminder(request):
    from tests.factories import ReminderFactory

    return ReminderFactory(
        participant=request.getfixturevalue("participant"),
        session=request.getfixturevalue("past_session"),
        kind="reflection",
        status="failed",
        last_error="Mail server answered 550: no such mailbox",
    )


def _walk(patterns, namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, entry


def object_urls() -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        kwargs = tuple(getattr(pattern.pattern, "converters", {}).keys())
        if any(k.endswith("_id") for k in kwargs):
            assert name, f"URL pattern {pattern.pattern} takes an id but has no name"
            found.append((name, kwargs))
    return found


OBJECT_URLS = object_urls()


def test_it_finds_the_object_urls():
    names = {name for name, _ in OBJECT_URLS}
    assert {"group_detail", "session_detail", "participant_detail"} <= names


# POST-only views that answer an empty POST "400 Bad Request" (what to do is in the body):
# the matrix checks that they refuse outsiders; their own tests check what they do.
BAD_REQUEST_WHEN_EMPTY = {"plan_reorder", "group_measure_remove"}


def _request(client, url):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only view still has to refuse outsiders
        response = client.post(url)
    return response


@pytest.fixture
def url_for(request):
    makers = _object_ids(request)

    def build(name: str, kwargs: tuple[str, ...]) -> str:
        unknown = [k for k in kwargs if k not in makers]
        assert not unknown, (
            f"{name} takes {unknown}: teach tests/test_access_matrix.py how to make one"
        )
        return reverse(name, kwargs={k: makers[k]() for k in kwargs})

    return build


@pytest.mark.parametrize(("name", "kwargs"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_it_answers_404_to_everyone_who_may_not_see(client, cast, url_for, name, kwargs):
    url = url_for(name, kwargs)
    audience = AUDIENCE_OVERRIDES.get(name, AUDIENCE_BY_IDS.get(kwargs, MAY_SEE))
    for username, user in cast.items():
        client.force_login(user)
        status = _request(client, url).status_code
        if username in audience:
            assert status != 404, f"{username} should see {url}"
            allowed = status < 400 or status == 405
            allowed |= status == 400 and name in BAD_REQUEST_WHEN_EMPTY
            assert allowed, f"{username} got {status} at {url}"
        else:
            assert status == 404, f"{username} got {status} at {url}, expected 404"
        client.logout()


@pytest.mark.parametrize(("name", "kwargs"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_it_sends_anonymous_users_to_log_in(client, cast, url_for, name, kwargs):
    url = url_for(name, kwargs)
    response = _request(client, url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_it_answers_404_for_ids_that_do_not_exist(client, cast, name, kwargs):
    client.force_login(cast["admin"])
    url = reverse(name, kwargs={k: 987654321 for k in kwargs})
    assert _request(client, url).status_code == 404


def test_it_logs_each_refusal(client, cast, group, caplog):
    client.force_login(cast["outsider"])
    with caplog.at_level("INFO", logger="refrain.access"):
        client.get(reverse("group_detail", args=[group.pk]))
    assert any(
        "sessions_app.Group" in r.getMessage() and str(cast["outsider"].pk) in r.getMessage()
        for r in caplog.records
    )


def test_it_keeps_the_admin_to_staff(client, cast, group):
    url = reverse("admin:sessions_app_group_change", args=[group.pk])
    for username in ("therapist", "outsider", "participant"):
        client.force_login(cast[username])
        response = client.get(url)
        assert response.status_code == 302, username
        assert response["Location"].startswith(reverse("admin:login"))
