"""Roll call at the door: who is listed, what a save records, what is refused."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app.models import Attendance, Session, SessionNote
from sessions_app.services.attendance import AttendanceEntry, attendance_record
from sessions_app.services.errors import ServiceError
from tests import factories as f
from tests.test_browser import base_url, browser_type_launch_args  # noqa: F401 (fixtures)

# Tuesday 3 March 2026, 10:00–11:00 in New York (EST): long past, fixed dates.
STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def held(group, participant):
    """A past session of `group` with nobody recorded yet, still marked scheduled."""
    return f.SessionFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))


def _enrol(group, first_name, **kwargs):
    p = f.ParticipantFactory(site=group.site, first_name=first_name, preferred_name="")
    f.EnrollmentFactory(group=group, participant=p, **kwargs)
    return p


def _post(client, session, data):
    return client.post(reverse("roll_call", args=[session.pk]), data, follow=True)


def test_it_lists_exactly_the_participants_enrolled_on_the_sessions_date(
    client, therapist, group, held, participant, other_participant
):
    day = held.local_date
    _enrol(
        group,
        "Quillon",
        start_date=day - timedelta(days=30),
        end_date=day - timedelta(days=1),
        status="discharged",
    )
    _enrol(group, "Marisol", start_date=day)
    _enrol(group, "Tobiah", start_date=day + timedelta(days=1))
    client.force_login(therapist)
    body = client.get(reverse("roll_call", args=[held.pk])).content.decode()
    assert participant.short_name in body
    assert "Marisol" in body
    assert "Quillon" not in body  # discharged the day before
    assert "Tobiah" not in body  # starts the day after
    assert other_participant.first_name not in body  # another group altogether
    assert "2 enrolled on Tuesday 3 March" in body


def test_it_records_who_took_the_roll_call_and_when(client, therapist, held, participant):
    client.force_login(therapist)
    before = timezone.now()
    response = _post(client, held, {f"status-{participant.pk}": "present"})
    assert "Roll call saved: 1 recorded" in response.content.decode()
    row = Attendance.objects.get(session=held, participant=participant)
    assert row.status == "present"
    assert row.minutes_attended == 60  # the whole session by default
    assert row.recorded_by == therapist
    assert before <= row.recorded_at <= timezone.now()


def test_it_marks_a_scheduled_session_held(client, therapist, held, participant):
    assert held.status == Session.Status.SCHEDULED
    client.force_login(therapist)
    _post(client, held, {f"status-{participant.pk}": "late", f"minutes-{participant.pk}": "40"})
    held.refresh_from_db()
    assert held.status == Session.Status.HELD


def test_it_changes_nothing_when_the_same_roll_call_is_saved_twice(
    client, therapist, co_therapist, held, participant
):
    data = {f"status-{participant.pk}": "late", f"minutes-{participant.pk}": "45"}
    client.force_login(therapist)
    _post(client, held, data)
    first = Attendance.objects.get(session=held, participant=participant)

    client.force_login(co_therapist)
    response = _post(client, held, data)
    assert "nothing had changed" in response.content.decode()
    again = Attendance.objects.get(session=held, participant=participant)
    assert again.recorded_at == first.recorded_at
    assert again.recorded_by == therapist
    assert Attendance.objects.filter(session=held).count() == 1


def test_it_updates_only_the_row_that_changed(
    client, therapist, co_therapist, group, held, participant
):
    sam = _enrol(group, "Samwise")
    data = {
        f"status-{participant.pk}": "present",
        f"status-{sam.pk}": "present",
    }
    client.force_login(therapist)
    _post(client, held, data)
    dee_before = Attendance.objects.get(participant=participant)
    sam_before = Attendance.objects.get(participant=sam)

    client.force_login(co_therapist)
    body = _post(
        client, held, {**data, f"status-{sam.pk}": "left_early", f"minutes-{sam.pk}": "35"}
    ).content.decode()
    assert "1 changed, 1 unchanged" in body
    dee, sam_after = (
        Attendance.objects.get(participant=participant),
        Attendance.objects.get(participant=sam),
    )
    assert (dee.status, dee.recorded_by, dee.recorded_at) == (
        "present",
        therapist,
        dee_before.recorded_at,
    )
    assert (sam_after.status, sam_after.minutes_attended) == ("left_early", 35)
    assert sam_after.recorded_by == co_therapist
    assert sam_after.recorded_at > sam_before.recorded_at


def test_it_shows_the_recorded_status_when_the_page_is_opened_again(
    client, therapist, held, participant
):
    client.force_login(therapist)
    _post(client, held, {f"status-{participant.pk}": "excused"})
    body = client.get(reverse("roll_call", args=[held.pk])).content.decode()
    checked = re.findall(rf'<input[^>]*name="status-{participant.pk}"[^>]*\bchecked\b', body)
    assert len(checked) == 1
    assert 'value="excused"' in checked[0]


def test_it_leaves_minutes_blank_for_late_when_not_given_and_none_for_absent(
    client, therapist, group, held, participant
):
    sam = _enrol(group, "Samwise")
    client.force_login(therapist)
    _post(client, held, {f"status-{participant.pk}": "late", f"status-{sam.pk}": "absent"})
    assert Attendance.objects.get(participant=participant).minutes_attended is None
    assert Attendance.objects.get(participant=sam).minutes_attended is None


def test_it_refuses_a_session_that_has_not_started(client, therapist, session, participant):
    client.force_login(therapist)
    page = client.get(reverse("roll_call", args=[session.pk])).content.decode()
    opens = session.local_starts_at
    assert f"This session has not started yet: roll call opens at {opens:%H:%M}" in page
    assert "Save roll call" not in page
    body = _post(client, session, {f"status-{participant.pk}": "present"}).content.decode()
    assert "has not started yet" in body
    assert not Attendance.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_it_refuses_a_cancelled_session(client, therapist, group, participant):
    s = f.SessionFactory(
        group=group,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        status="cancelled",
        cancel_reason="Snow day",
    )
    client.force_login(therapist)
    body = _post(client, s, {f"status-{participant.pk}": "present"}).content.decode()
    assert "This session was cancelled" in body
    assert not Attendance.objects.filter(session=s).exists()
    with pytest.raises(ServiceError, match="cancelled"):
        attendance_record(
            session=s, entries={participant.pk: AttendanceEntry("present")}, recorded_by=therapist
        )


def test_it_refuses_participants_not_enrolled_on_that_day(
    therapist, group, held, participant, other_participant
):
    gone = _enrol(
        group,
        "Quillon",
        start_date=held.local_date - timedelta(days=30),
        end_date=held.local_date - timedelta(days=1),
        status="discharged",
    )
    for stranger in (gone, other_participant):
        with pytest.raises(ServiceError, match="Only participants enrolled") as exc:
            attendance_record(
                session=held,
                entries={
                    participant.pk: AttendanceEntry("present"),
                    stranger.pk: AttendanceEntry("present"),
                },
                recorded_by=therapist,
            )
        assert stranger.first_name not in str(exc.value)  # never names who it refused
    assert not Attendance.objects.filter(session=held).exists()  # not even the valid row


def test_it_ignores_a_posted_participant_who_is_not_on_the_roster(
    client, therapist, held, participant, other_participant
):
    client.force_login(therapist)
    _post(client, held, {f"status-{other_participant.pk}": "present"})
    assert not Attendance.objects.filter(participant=other_participant).exists()


@pytest.mark.parametrize(
    ("status", "minutes", "error"),
    [
        ("present", "91", "At most 90 minutes."),  # 60 minutes + 30 slack
        ("present", "-5", "Minutes cannot be negative."),
        ("late", "lots", "Minutes are a whole number."),
        ("absent", "20", "Someone absent attended no minutes"),
        ("excused", "5", "Someone excused attended no minutes"),
        ("", "30", "Choose a status for these minutes."),
    ],
)
def test_it_says_what_is_wrong_with_the_minutes_and_saves_nothing(
    client, therapist, group, held, participant, status, minutes, error
):
    sam = _enrol(group, "Samwise")
    client.force_login(therapist)
    response = _post(
        client,
        held,
        {
            f"status-{participant.pk}": status,
            f"minutes-{participant.pk}": minutes,
            f"status-{sam.pk}": "present",
        },
    )
    body = response.content.decode()
    assert error in body
    assert "Nothing was saved" in body
    assert f'value="{minutes}"' in body  # the user's input is kept
    assert not Attendance.objects.filter(session=held).exists()
    held.refresh_from_db()
    assert held.status == Session.Status.SCHEDULED


def test_it_accepts_minutes_up_to_the_slack(client, therapist, held, participant):
    client.force_login(therapist)
    _post(client, held, {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "90"})
    assert Attendance.objects.get(participant=participant).minutes_attended == 90


def test_it_refuses_service_callers_the_same_bad_minutes(therapist, held, participant):
    with pytest.raises(ServiceError, match="between 0 and 90"):
        attendance_record(
            session=held,
            entries={participant.pk: AttendanceEntry("present", 120)},
            recorded_by=therapist,
        )
    assert not Attendance.objects.exists()


def test_it_refuses_changes_once_the_note_is_signed(therapist, held, participant):
    attendance_record(
        session=held, entries={participant.pk: AttendanceEntry("present")}, recorded_by=therapist
    )
    SessionNote.objects.create(
        session=held, author=therapist, status="signed", signed_by=therapist, signed_at=STARTS
    )
    # The same values again change nothing, so they are fine…
    attendance_record(
        session=held, entries={participant.pk: AttendanceEntry("present")}, recorded_by=therapist
    )
    # …but a change would alter a signed record.
    with pytest.raises(ServiceError, match="signed"):
        attendance_record(
            session=held,
            entries={participant.pk: AttendanceEntry("absent")},
            recorded_by=therapist,
        )
    assert Attendance.objects.get(participant=participant).status == "present"


def test_it_lets_site_administrators_take_roll_call(client, admin, held, participant):
    client.force_login(admin)
    _post(client, held, {f"status-{participant.pk}": "present"})
    assert Attendance.objects.get(participant=participant).recorded_by == admin


@pytest.mark.parametrize("who", ["outsider", "other_admin", "participant", "other_participant"])
def test_it_answers_404_to_those_who_may_not_see_the_session(client, cast, held, participant, who):
    client.force_login(cast[who])
    url = reverse("roll_call", args=[held.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"status-{participant.pk}": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_it_sends_anonymous_users_to_log_in(client, held, participant):
    url = reverse("roll_call", args=[held.pk])
    for response in (
        client.get(url),
        client.post(url, {f"status-{participant.pk}": "present"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_and_saves_the_roll_call_in_bounded_queries(
    client, therapist, group, held, django_assert_max_num_queries, size
):
    people = [_enrol(group, f"Person{i}") for i in range(size)]
    client.force_login(therapist)
    url = reverse("roll_call", args=[held.pk])
    # Login (2), the session with its note (1), attendance, the roster with its RSVPs (2)
    # and the audit entry for the view (1).
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    data = {f"status-{p.pk}": "present" for p in people}
    # 15, plus 5 (a constant) for planning reflection invitations with it.
    with django_assert_max_num_queries(20):
        assert client.post(url, data).status_code == 302
    assert Attendance.objects.filter(session=held).count() == size
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# --- Present means the whole session -------------------------------------------------------


def _left_early(held, participant, therapist, minutes=50):
    attendance_record(
        session=held,
        entries={participant.pk: AttendanceEntry("left_early", minutes)},
        recorded_by=therapist,
    )


def test_it_does_not_keep_a_left_early_minutes_for_someone_switched_to_present(
    client, therapist, held, participant
):
    _left_early(held, participant, therapist)
    client.force_login(therapist)
    # Without JavaScript the minutes box still reads the 50 it had.
    _post(client, held, {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "50"})
    row = Attendance.objects.get(participant=participant)
    assert (row.status, row.minutes_attended) == ("present", held.duration_minutes)


def test_it_keeps_minutes_typed_for_present_after_choosing_it(client, therapist, held, participant):
    _left_early(held, participant, therapist)
    client.force_login(therapist)
    _post(client, held, {f"status-{participant.pk}": "present", f"minutes-{participant.pk}": "40"})
    row = Attendance.objects.get(participant=participant)
    assert (row.status, row.minutes_attended) == ("present", 40)


def test_it_keeps_minutes_given_for_present_on_a_first_roll_call(therapist, held, participant):
    attendance_record(
        session=held,
        entries={participant.pk: AttendanceEntry("present", 45)},
        recorded_by=therapist,
    )
    assert Attendance.objects.get(participant=participant).minutes_attended == 45


@pytest.mark.browser
def test_it_fills_the_whole_session_when_present_is_chosen(
    page,
    base_url,  # noqa: F811 (the fixture of tests/test_browser.py, imported above)
    therapist,
    held,
    participant,
):
    _left_early(held, participant, therapist)
    page.goto(f"/login/?next={reverse('roll_call', args=[held.pk])}")
    page.get_by_label("Username").fill(therapist.username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    minutes = page.locator(f"input[name=minutes-{participant.pk}]")

    def choose(status: str) -> None:  # the radios are buttons: tap the label, as a person
        radio = page.locator(f"input[name=status-{participant.pk}][value={status}]")
        page.locator(f"label[for='{radio.get_attribute('id')}']").click()

    expect(minutes).to_have_value("50")
    choose("present")
    expect(minutes).to_have_value(str(held.duration_minutes))
    choose("left_early")
    minutes.fill("35")
    choose("present")
    minutes.fill("55")  # typed after choosing present: kept
    page.get_by_role("button", name=re.compile("Save")).first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    row = Attendance.objects.get(participant=participant)
    assert (row.status, row.minutes_attended) == ("present", 55)
