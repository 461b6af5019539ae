"""`manage.py seed_demo`: a realistic, idempotent demo data set with three demo logins."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from sessions_app.demo import seed
from sessions_app.demo.cast import DEMO_LOGINS
from sessions_app.models import (
    Attendance,
    Enrollment,
    Facilitation,
    Group,
    Participant,
    PlanItem,
    Session,
    Site,
    Song,
    User,
)
from sessions_app.selectors.meetings import participant_upcoming_sessions

PASSWORD = "refrain-demo"
TREATMENT_WORDS = (
    "recovery",
    "treatment",
    "rehab",
    "clinic",
    "addiction",
    "detox",
    "substance",
    "opioid",
    "methadone",
    "sober",
    "therapy",
    "behavioral",
    "mental",
)


@pytest.fixture(autouse=True)
def developer_machine(settings):
    # Where the demo is seeded: DEBUG on (pytest-django turns it off). Each seed also
    # (re)sets five passwords, which the production hasher would make slow.
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def _counts() -> dict[str, int]:
    models = apps.get_app_config("sessions_app").get_models(include_auto_created=True)
    return {model._meta.label: model.objects.count() for model in models}


def _log_in(username: str, password: str = PASSWORD) -> User | None:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password)


def test_it_creates_the_demo_data_set(seeded):
    sites = list(Site.objects.all())
    assert len(sites) == 2
    assert len({s.time_zone for s in sites}) == 2

    therapists = User.objects.filter(role=User.Role.THERAPIST)
    assert therapists.count() == 4  # three board-certified, one intern
    assert set(therapists.exclude(username="intern").values_list("credentials", flat=True)) == {
        "MT-BC"
    }

    assert 20 <= Participant.objects.count() <= 28
    assert set(Participant.objects.values_list("site", flat=True)) == {s.pk for s in sites}
    assert Group.objects.count() == 4
    for site in sites:
        assert site.groups.count() == 2


def test_every_group_has_a_lead_and_a_plausible_roster(seeded):
    today = timezone.localdate()
    for group in Group.objects.all():
        assert group.facilitations.filter(role=Facilitation.Role.LEAD).count() == 1
        active = Enrollment.objects.filter(group=group).active_on(today).count()
        assert 5 <= active <= 8, group.name
        assert not group.enrollments.filter(start_date__gt=today).exists()
    assert Facilitation.objects.filter(role=Facilitation.Role.CO).exists()
    discharged = Enrollment.objects.filter(status=Enrollment.Status.DISCHARGED)
    assert discharged.count() >= 2
    assert all(e.end_date < today and e.discharge_reason for e in discharged)


def test_the_demo_therapist_leads_a_group_at_each_site(seeded):
    therapist = User.objects.get(username="therapist")
    led = Group.objects.filter(
        facilitations__therapist=therapist, facilitations__role=Facilitation.Role.LEAD
    )
    assert led.count() >= 2
    assert led.values("site").distinct().count() == 2


def test_the_song_library_is_public_domain_with_themes(seeded):
    songs = Song.objects.all()
    assert 35 <= songs.count() <= 45
    assert set(songs.values_list("source", flat=True)) == {Song.Source.PUBLIC_DOMAIN}
    for song in songs.prefetch_related("themes"):
        assert song.artist and song.key
        assert 20 <= song.tempo_bpm <= 300
        assert song.themes.all(), song.title
    assert Song.objects.filter(title="Amazing Grace").exists()
    assert Song.objects.filter(artist="Stephen Foster").count() >= 2


def test_every_demo_song_serves_a_goal_area(seeded):
    untagged = Song.objects.filter(goal_areas__isnull=True).values_list("title", flat=True)
    assert list(untagged) == []


def test_the_demo_library_flags_the_songs_whose_lyrics_mention_drinking(seeded):
    flagged = Song.objects.filter(mentions_substance_use=True).values_list("title", flat=True)
    assert set(flagged) == {"Auld Lang Syne", "The Parting Glass", "Whiskey in the Jar"}


def test_demo_plans_use_songs_about_drinking_for_lyric_analysis_only(seeded):
    uses = PlanItem.objects.filter(song__mentions_substance_use=True)
    assert set(uses.values_list("activity_type", flat=True)) <= {PlanItem.Activity.LYRIC_ANALYSIS}


def test_every_demo_activity_serves_a_goal_area(seeded):
    assert not PlanItem.objects.filter(goal_areas__isnull=True).exists()


def test_it_is_idempotent(seeded):
    before = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == before
    assert before["sessions_app.Attendance"] > 0


def test_a_later_run_documents_the_sessions_held_since(db):
    start = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    seed.demo_seed(now=start)
    due = list(
        Session.objects.filter(
            status=Session.Status.SCHEDULED, ends_at__lte=start + timedelta(weeks=1)
        )
    )
    assert due
    groups = Group.objects.count()
    last_before = {
        g.pk: g.sessions.latest("starts_at").occurrence_date for g in Group.objects.all()
    }

    seed.demo_seed(now=start + timedelta(weeks=1))

    assert Group.objects.count() == groups
    for session in due:
        session.refresh_from_db()
        assert session.status == Session.Status.HELD
        assert session.attendance.exists()
        assert session.plan_items.exists()
    # One week later, each group's calendar reaches one week further.
    for group in Group.objects.all():
        last = group.sessions.latest("starts_at").occurrence_date
        assert last == last_before[group.pk] + timedelta(weeks=1)


@pytest.mark.parametrize("username", ["admin", "therapist", "intern", "participant"])
def test_the_demo_logins_work(seeded, username):
    user = _log_in(username)
    assert user is not None
    assert user.username == username


def test_a_wrong_password_does_not_log_in(seeded):
    assert _log_in("therapist", "not-the-password") is None


def test_the_demo_logins_have_their_roles(seeded):
    admin = User.objects.get(username="admin")
    assert admin.role == User.Role.ADMINISTRATOR
    assert admin.is_staff and admin.is_superuser
    assert set(admin.sites.all()) == set(Site.objects.all())
    assert User.objects.get(username="therapist").role == User.Role.THERAPIST
    assert User.objects.get(username="participant").role == User.Role.PARTICIPANT


def test_it_resets_the_demo_passwords(seeded):
    therapist = User.objects.get(username="therapist")
    therapist.set_password("something-else-entirely")
    therapist.save()
    call_command("seed_demo", stdout=StringIO())
    assert _log_in("therapist") is not None


def test_the_demo_participant_has_a_history_and_a_next_session(seeded):
    participant = Participant.objects.get(user__username="participant")
    therapist = User.objects.get(username="therapist")
    their_groups = Group.objects.filter(facilitators=therapist)
    assert Enrollment.objects.filter(participant=participant, group__in=their_groups).exists()

    assert participant.attendance.filter(
        status=Attendance.Status.PRESENT, session__starts_at__lt=timezone.now()
    ).exists()

    upcoming = participant_upcoming_sessions(participant=participant, now=timezone.now())
    assert upcoming
    assert all(s.status == Session.Status.SCHEDULED for s in upcoming)
    assert {s.group_id for s in upcoming} <= set(their_groups.values_list("pk", flat=True))


def test_past_sessions_are_held_or_cancelled_and_future_ones_scheduled(seeded):
    now = timezone.now()
    assert not Session.objects.filter(ends_at__lte=now, status=Session.Status.SCHEDULED).exists()
    assert (
        not Session.objects.filter(starts_at__gt=now)
        .exclude(status=Session.Status.SCHEDULED)
        .exists()
    )
    assert Session.objects.filter(starts_at__gt=now).count() >= 4 * 3
    cancelled = Session.objects.filter(status=Session.Status.CANCELLED)
    assert cancelled.count() == 1
    assert cancelled.get().cancel_reason
    assert not cancelled.get().attendance.exists()


def test_every_held_session_has_attendance_for_exactly_those_enrolled(seeded):
    held = Session.objects.filter(status=Session.Status.HELD).select_related("group__site")
    assert held.count() >= 4 * 7
    for session in held:
        enrolled = set(
            Enrollment.objects.filter(group=session.group)
            .active_on(session.local_date)
            .values_list("participant", flat=True)
        )
        recorded = set(session.attendance.values_list("participant", flat=True))
        assert recorded == enrolled, session
        lead = session.group.facilitations.get(role=Facilitation.Role.LEAD).therapist
        for row in session.attendance.all():
            assert row.recorded_by == lead
            assert session.ends_at <= row.recorded_at <= session.ends_at + timedelta(hours=1)
            if row.attended:
                assert 0 < row.minutes_attended <= session.duration_minutes
            else:
                assert row.minutes_attended is None


def test_attendance_is_mostly_present_with_some_of_everything(seeded):
    statuses = list(Attendance.objects.values_list("status", flat=True))
    assert statuses.count(Attendance.Status.PRESENT) > len(statuses) / 2
    assert set(statuses) == set(Attendance.Status.values)


def test_held_sessions_have_plans_that_fill_the_session(seeded):
    held = Session.objects.filter(status=Session.Status.HELD)
    for session in held:
        items = list(session.plan_items.all())
        assert 3 <= len(items) <= 5, session
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        assert abs(sum(i.minutes for i in items) - session.duration_minutes) <= 10
        assert all(i.purpose for i in items)
    with_songs = PlanItem.objects.filter(session__in=held, song__isnull=False)
    assert with_songs.values("song").distinct().count() >= 10


def test_the_next_plan_of_each_group_leaves_room_for_a_song(seeded):
    now = timezone.now()
    for group in Group.objects.all():
        upcoming = group.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)
        session = upcoming.order_by("starts_at").first()
        planned = sum(session.plan_items.values_list("minutes", flat=True))
        assert 0 < planned <= session.duration_minutes - 15, session


def test_the_next_plan_of_each_group_gives_its_main_activity_ten_minutes(seeded):
    now = timezone.now()
    for group in Group.objects.all():
        upcoming = group.sessions.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)
        session = upcoming.order_by("starts_at").first()
        assert min(session.plan_items.values_list("minutes", flat=True)) >= 10, session


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 20, 12, 0, tzinfo=UTC),  # eight weeks back crosses 8 March
        datetime(2026, 11, 20, 12, 0, tzinfo=UTC),  # eight weeks back crosses 1 November
    ],
)
def test_sessions_keep_their_local_time_across_dst(db, now):
    seed.demo_seed(now=now)
    for group in Group.objects.select_related("site"):
        sessions = list(group.sessions.filter(occurrence_date__isnull=False))
        assert len(sessions) >= 12
        local_starts = {s.local_starts_at.time() for s in sessions}
        assert local_starts == {group.start_time}, group.name
        assert {s.duration_minutes for s in sessions} == {group.duration_minutes}
        assert all(s.occurrence_date == s.local_date for s in sessions)
        assert all(s.local_date.weekday() == group.weekday for s in sessions)
        # Both sides of the change: the same wall-clock time is two different UTC times.
        assert len({s.starts_at.astimezone(UTC).time() for s in sessions}) == 2, group.name


def test_sessions_seeded_now_keep_the_groups_local_time(seeded):
    # The weekly sessions; the extra session today is at whatever time the clock allows.
    for group in Group.objects.select_related("site"):
        sessions = list(group.sessions.filter(occurrence_date__isnull=False))
        assert {s.local_starts_at.time() for s in sessions} == {group.start_time}
        assert all(s.occurrence_date == s.local_date for s in sessions)


def test_site_names_and_addresses_say_where_not_what_for(seeded):
    for site in Site.objects.all():
        text = f"{site.name} {site.address}".lower()
        assert not [w for w in TREATMENT_WORDS if w in text], site.name
        assert site.address


def test_group_names_say_nothing_about_treatment(seeded):
    # Group names may appear in reminders too; only the staff-only focus may be clinical.
    for name in Group.objects.values_list("name", flat=True):
        assert not [w for w in TREATMENT_WORDS if w in name.lower()], name


def test_participant_contacts_are_fictional_and_varied(seeded):
    participants = Participant.objects.all()
    channels = set(participants.values_list("reminder_channel", flat=True))
    assert channels == {"email", "sms", "none"}
    assert participants.filter(reminders_opt_in=False).exists()
    assert participants.filter(quiet_hours_start__isnull=False).exists()
    assert participants.exclude(preferred_name="").exists()
    for email in participants.exclude(email="").values_list("email", flat=True):
        assert email.endswith("@example.org")
    for phone in participants.exclude(phone="").values_list("phone", flat=True):
        assert phone.startswith("+1555")


def test_it_prints_a_summary_with_the_logins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "2 sites, 4 therapists" in text
    for login in ("admin", "therapist", "intern", "participant", PASSWORD):
        assert login in text


def test_it_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off.*--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not Site.objects.exists()


def test_it_seeds_with_debug_off_when_forced(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Site.objects.count() == 2
    assert _log_in("therapist") is not None


def test_it_saves_nothing_when_a_step_fails(db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed, "_seed_sessions", fail)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", stdout=StringIO())
    assert not Site.objects.exists()
    assert not User.objects.exists()


# --- The therapist's day -------------------------------------------------------------------


def _therapists_today(now):
    from sessions_app.selectors.day import therapist_day

    return therapist_day(user=User.objects.get(username="therapist"), now=now).today


@pytest.mark.parametrize("hour", [0, 1, 9, 12, 18, 23])
def test_the_demo_therapist_has_a_session_today_at_any_hour(db, hour):
    now = datetime(2026, 5, 14, hour, 40, tzinfo=UTC)  # a Thursday
    seed.demo_seed(now=now)
    assert _therapists_today(now)


def test_the_demo_therapist_has_a_session_that_ended_earlier_today(db):
    now = datetime(2026, 5, 14, 18, 40, tzinfo=UTC)  # 14:40 in New York
    seed.demo_seed(now=now)
    assert any(s.ends_at <= now for s in _therapists_today(now))


def test_two_participants_are_slipping_away(seeded):
    from django.conf import settings

    from sessions_app.selectors.reports import load_slipping, slipping_away

    now = timezone.now()
    rows = slipping_away(
        site_ids=list(Site.objects.values_list("pk", flat=True)),
        today=timezone.localdate(now),
        now=now,
        threshold=settings.SLIPPING_RATE_THRESHOLD,
    )
    names = {row.participant.first_name for row in load_slipping(rows)}
    assert {"DeShawn", "Kayla"} <= names


def test_a_past_session_has_an_unsigned_note(seeded):
    from sessions_app.models import SessionNote

    assert SessionNote.objects.filter(
        status="draft", session__ends_at__lt=timezone.now() - timedelta(days=1)
    ).exists()


def test_the_intern_has_a_note_waiting_for_the_therapists_cosignature(seeded):
    from sessions_app.permissions import notes_awaiting_cosignature_for

    waiting = notes_awaiting_cosignature_for(User.objects.get(username="therapist"))
    assert [n.signed_by.username for n in waiting] == ["intern"]


@pytest.mark.parametrize("username", [username for username, _ in DEMO_LOGINS])
def test_every_printed_demo_login_works(seeded, username):
    # `make run` and seed_demo print DEMO_LOGINS: each must be a real login.
    assert _log_in(username) is not None


def test_past_notes_are_signed_but_for_the_overdue_draft_and_the_interns(seeded):
    from sessions_app.models import SessionNote

    past = Session.objects.filter(status="held", ends_at__lte=timezone.now() - timedelta(days=1))
    unsigned = SessionNote.objects.filter(session__in=past).exclude(status="signed")
    assert sorted(unsigned.values_list("status", flat=True)) == ["draft", "review"]
    assert not past.filter(note__isnull=True).exists()


# --- Measures -------------------------------------------------------------------------


def _scores(first_name: str, instrument: str) -> list[int]:
    from sessions_app.models import MeasureResponse

    return list(
        MeasureResponse.objects.filter(participant__first_name=first_name, instrument=instrument)
        .order_by("answered_at")
        .values_list("score", flat=True)
    )


def test_every_demo_group_gives_loneliness_and_craving_monthly(seeded):
    from sessions_app.models import MeasureSchedule

    for group in Group.objects.all():
        monthly = set(
            group.measure_schedules.filter(
                when=MeasureSchedule.When.EVERY_WEEKS, every_weeks=4
            ).values_list("instrument", flat=True)
        )
        assert {"ucla3", "craving_vas"} <= monthly


def test_one_demo_group_gives_the_phq9(seeded):
    from sessions_app.models import MeasureSchedule

    groups = set(
        MeasureSchedule.objects.filter(instrument="phq9").values_list("group__name", flat=True)
    )
    assert groups == {"Wednesday Community Singers"}


def test_demo_answers_are_complete_and_in_range(seeded):
    from sessions_app import instruments
    from sessions_app.models import MeasureResponse

    responses = list(MeasureResponse.objects.all())
    assert len(responses) > 100
    assert [r.pk for r in responses if instruments.get(r.instrument).problems(r.answers)] == []


def test_demo_check_ins_are_for_sessions_the_participant_attended(seeded):
    from django.db.models import F

    from sessions_app.models import MeasureResponse

    checkins = MeasureResponse.objects.filter(session__isnull=False)
    assert checkins.filter(phase="before").count() == checkins.filter(phase="after").count() > 0
    assert not checkins.exclude(
        session__attendance__participant=F("participant"),
        session__attendance__status__in=Attendance.ATTENDED,
    ).exists()


def test_the_demo_participant_checked_in_at_every_session_they_attended(seeded):
    participant = Participant.objects.get(user__username="participant")
    attended = participant.attendance.filter(status__in=Attendance.ATTENDED).count()
    assert participant.measure_responses.filter(phase="before").count() == attended


def test_angie_is_clearly_less_lonely_and_craves_less(seeded):
    loneliness, craving = _scores("Angela", "ucla3"), _scores("Angela", "craving_vas")
    assert len(loneliness) >= 3
    assert loneliness[0] - loneliness[-1] >= 2
    assert craving[0] - craving[-1] >= 25


def test_danny_is_getting_worse(seeded):
    loneliness, craving = _scores("Daniel", "ucla3"), _scores("Daniel", "craving_vas")
    assert len(loneliness) >= 3
    assert loneliness[-1] - loneliness[0] >= 2
    assert craving[-1] - craving[0] >= 25


def test_one_alert_is_open_from_a_phq9_item_9_a_few_hours_ago(seeded):
    from sessions_app.models import SafetyAlert

    alert = SafetyAlert.objects.get(acknowledged_at__isnull=True)
    assert alert.reason == SafetyAlert.Reason.SELF_HARM
    assert alert.response.answers["q9"] > 0
    assert timedelta(hours=1) < timezone.now() - alert.raised_at < timedelta(hours=6)


def test_the_open_alert_answers_a_request_sent_by_link(seeded):
    from sessions_app.models import MeasureRequest, SafetyAlert

    response = SafetyAlert.objects.get().response
    assert response.via == "link"
    assert response.request.status == MeasureRequest.Status.ANSWERED


def test_the_demo_therapist_follows_up_the_open_alert(seeded):
    from sessions_app.permissions import alerts_for

    therapist = User.objects.get(username="therapist")
    assert alerts_for(therapist).filter(acknowledged_at__isnull=True).count() == 1


def test_no_other_demo_answer_crosses_a_safety_line(seeded):
    from sessions_app.models import MeasureResponse, SafetyAlert
    from sessions_app.services.safety import alert_reasons

    over = {
        r.pk
        for r in MeasureResponse.objects.select_related("participant__site")
        if alert_reasons(r)
    }
    assert over == set(SafetyAlert.objects.values_list("response_id", flat=True))


def test_the_demo_participant_has_questions_to_answer(seeded):
    from sessions_app.models import MeasureRequest

    participant = Participant.objects.get(user__username="participant")
    assert participant.measure_requests.filter(status=MeasureRequest.Status.OPEN).exists()


def test_a_later_run_adds_the_check_ins_held_since_and_no_second_alert(db):
    from sessions_app.models import MeasureResponse, SafetyAlert

    start = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    seed.demo_seed(now=start)
    checkins = MeasureResponse.objects.filter(session__isnull=False).count()

    seed.demo_seed(now=start + timedelta(weeks=1))

    assert MeasureResponse.objects.filter(session__isnull=False).count() > checkins
    assert SafetyAlert.objects.count() == 1


def test_requests_left_open_lapse_after_two_weeks(db):
    from sessions_app.models import MeasureRequest

    start = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    seed.demo_seed(now=start)
    seed.demo_seed(now=start + timedelta(weeks=3))

    stale = MeasureRequest.objects.filter(
        status=MeasureRequest.Status.OPEN, due_on__lt=(start + timedelta(weeks=1)).date()
    )
    assert not stale.exists()
