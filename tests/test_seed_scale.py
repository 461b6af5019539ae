"""`manage.py seed_scale`: a regional network's worth of valid data, loaded with COPY.

The command runs once for this module at a tiny size and commits (it needs an empty
database and runs VACUUM, so not inside a test's transaction); each test then reads
that data inside its own rolled-back transaction, and the module empties the database
when it is done.
"""

import random
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sessions_app import instruments
from sessions_app.demo.scale import LOGINS
from sessions_app.demo.scale.loader import Loader, dangling_references
from sessions_app.demo.scale.world import Sizes, build_world
from sessions_app.models import (
    Assessment,
    Attendance,
    Enrollment,
    Facilitation,
    Goal,
    GoalArea,
    Group,
    LullabyProject,
    MeasureRequest,
    MeasureResponse,
    MeasureSchedule,
    Objective,
    ObjectiveProgress,
    Participant,
    ProgressReport,
    Reflection,
    Reminder,
    ReportAddendum,
    SafetyAlert,
    Session,
    Site,
    TreatmentPlan,
    User,
)
from sessions_app.services.safety import alert_reasons

# Under pytest-xdist, test_bench_harness and test_seed_scale run on one worker, in
# that order as in one process: `seeded` fills (and empties) the worker's
# test database once per module, and test_seed_scale's index check, which compares the
# indexes before and after a load, finds them as a load re-creates them (a fresh
# database's partial indexes read differently until then).
pytestmark = pytest.mark.xdist_group("seeded_database")

PARTICIPANTS, YEARS = 60, 1
PASSWORD = "scale-test-password"
FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]


INDEXES_BEFORE: dict[str, str] = {}


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        return dict(cursor.fetchall())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=FAST):
        INDEXES_BEFORE.update(_indexes())
        call_command(
            "seed_scale",
            participants=PARTICIPANTS,
            years=YEARS,
            seed=7,
            password=PASSWORD,
            stdout=out,
        )
        yield out.getvalue()
        # Leave the test database as empty as the other modules expect it.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def scale(seeded, db):
    return seeded


def test_it_prints_the_logins_the_counts_and_the_time(scale):
    for username, _ in LOGINS:
        assert username in scale
    assert f"password {PASSWORD}" in scale
    assert "sessions_app_attendance" in scale
    assert "Scale data ready in" in scale


@pytest.mark.parametrize("username", [username for username, _ in LOGINS])
def test_the_fixed_logins_reach_their_home_page(scale, client, settings, username):
    settings.PASSWORD_HASHERS = FAST
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    assert client.get(reverse("home"), follow=True).status_code == 200


def test_everyone_else_cannot_log_in(scale):
    fixed = [username for username, _ in LOGINS]
    assert not any(u.has_usable_password() for u in User.objects.exclude(username__in=fixed))


def test_the_administrator_logins_have_their_sites(scale):
    admin = User.objects.get(username="scale-admin")
    siteadmin = User.objects.get(username="scale-siteadmin")
    assert admin.is_superuser
    assert admin.sites.count() == Site.objects.count()
    assert not siteadmin.is_superuser
    assert siteadmin.role == User.Role.ADMINISTRATOR
    assert siteadmin.sites.count() == 3


def test_the_therapist_leads_four_groups_with_history(scale):
    therapist = User.objects.get(username="scale-therapist")
    groups = Group.objects.filter(
        facilitations__therapist=therapist, facilitations__role=Facilitation.Role.LEAD
    )
    assert groups.count() == 4
    held = Session.objects.filter(group__in=groups, status=Session.Status.HELD)
    assert held.filter(starts_at__lt=timezone.now() - timedelta(weeks=40)).exists()


def test_the_therapist_has_a_session_today(scale):
    therapist = User.objects.get(username="scale-therapist")
    today = [
        s
        for s in Session.objects.filter(
            group__facilitations__therapist=therapist,
            starts_at__range=(
                timezone.now() - timedelta(days=1),
                timezone.now() + timedelta(days=1),
            ),
        ).select_related("group__site")
        if s.local_date == timezone.now().astimezone(s.group.site.tz).date()
    ]
    assert today


def test_the_participant_login_has_history_reflections_and_reminders(scale):
    participant = Participant.objects.get(user__username="scale-participant")
    enrollment = participant.enrollments.get()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.start_date <= enrollment.group.first_date
    assert enrollment.group.facilitations.filter(
        therapist__username="scale-therapist", role=Facilitation.Role.LEAD
    ).exists()
    assert participant.reflections.count() > 20
    assert participant.reminders.filter(status=Reminder.Status.SENT).exists()
    assert participant.reminders.filter(status=Reminder.Status.PENDING).exists()


def test_the_artist_works_on_lullaby_projects(scale):
    artist = User.objects.get(username="scale-artist")
    assert artist.role == User.Role.TEACHING_ARTIST
    assert LullabyProject.objects.filter(teaching_artists=artist).count() == 4


def test_sizes_follow_the_number_of_participants(scale):
    sizes = Sizes(PARTICIPANTS, YEARS)
    assert Participant.objects.count() == PARTICIPANTS
    assert Site.objects.count() == sizes.sites
    assert Group.objects.count() == sizes.groups
    # A weekly session for each week of history and the twelve ahead, give or take
    # groups that started later.
    per_group = Session.objects.count() / sizes.groups
    assert sizes.weeks * 0.8 <= per_group <= sizes.weeks + 13


def test_each_roll_call_has_six_to_fourteen_people(scale):
    held = Session.objects.filter(status=Session.Status.HELD).count()
    per_session = Attendance.objects.count() / held
    assert 6 <= per_session <= 14


def test_attendance_rates_fall_in_the_range(scale):
    attended = Attendance.objects.filter(status__in=Attendance.ATTENDED).count()
    rate = attended / Attendance.objects.count()
    assert 0.6 <= rate <= 0.95


def test_attendance_is_for_enrolled_participants_of_held_sessions_only(scale):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM sessions_app_attendance a
            JOIN sessions_app_session s ON s.id = a.session_id
            JOIN sessions_app_group g ON g.id = s.group_id
            JOIN sessions_app_site si ON si.id = g.site_id
            WHERE s.status <> 'held' OR NOT EXISTS (
                SELECT 1 FROM sessions_app_enrollment e
                WHERE e.group_id = s.group_id AND e.participant_id = a.participant_id
                AND e.start_date <= (s.starts_at AT TIME ZONE si.time_zone)::date
                AND (e.end_date IS NULL
                     OR e.end_date >= (s.starts_at AT TIME ZONE si.time_zone)::date))
            """
        )
        assert cursor.fetchone()[0] == 0


def test_every_held_session_has_a_complete_roll_call(scale):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM sessions_app_session s
            JOIN sessions_app_group g ON g.id = s.group_id
            JOIN sessions_app_site si ON si.id = g.site_id
            JOIN sessions_app_enrollment e ON e.group_id = g.id
                AND e.start_date <= (s.starts_at AT TIME ZONE si.time_zone)::date
                AND (e.end_date IS NULL
                     OR e.end_date >= (s.starts_at AT TIME ZONE si.time_zone)::date)
            WHERE s.status = 'held' AND NOT EXISTS (
                SELECT 1 FROM sessions_app_attendance a
                WHERE a.session_id = s.id AND a.participant_id = e.participant_id)
            """
        )
        assert cursor.fetchone()[0] == 0


def test_some_people_drift_away_before_their_enrollment_ends(scale):
    drifted = 0
    for enrollment in Enrollment.objects.exclude(status=Enrollment.Status.ACTIVE):
        last = list(
            Attendance.objects.filter(
                participant=enrollment.participant,
                session__group=enrollment.group,
                session__occurrence_date__range=(enrollment.start_date, enrollment.end_date),
            ).order_by("-session__starts_at")[:3]
        )
        if len(last) == 3 and all(a.status in ("absent", "excused") for a in last):
            drifted += 1
    assert drifted > 0


def test_ended_enrollments_say_why(scale):
    ended = Enrollment.objects.filter(
        status__in=[Enrollment.Status.DISCHARGED, Enrollment.Status.WITHDRAWN]
    )
    assert ended.exists()
    assert not ended.filter(discharge_reason="").exists()


def test_reflections_follow_sessions_people_attended(scale):
    assert Reflection.objects.exists()
    unattended = Reflection.objects.exclude(
        session__attendance__participant=F("participant"),
        session__attendance__status__in=Attendance.ATTENDED,
    )
    assert not unattended.exists()


def test_reminders_exist_in_every_state(scale):
    states = set(Reminder.objects.values_list("status", flat=True).distinct())
    assert states == set(Reminder.Status.values)


def test_reminders_exist_of_every_kind(scale):
    kinds = set(Reminder.objects.values_list("kind", flat=True).distinct())
    # A family's message goes with a private family link, which needs a final take with
    # audio: the scale data has no audio, so no family link and no such message.
    assert kinds == set(Reminder.Kind.values) - {Reminder.Kind.FAMILY}


def test_the_audit_trail_has_changes_views_and_logins(scale):
    from auditlog.models import LogEntry

    actions = set(LogEntry.objects.values_list("action", flat=True).distinct())
    assert {LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.ACCESS} <= actions
    whats = set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values_list(
            "additional_data__what", flat=True
        )
    )
    assert {"view", "login"} <= whats


def test_every_group_has_monthly_measures_and_some_give_the_phq9(scale):
    monthly = MeasureSchedule.objects.filter(when=MeasureSchedule.When.EVERY_WEEKS, every_weeks=4)
    groups = Group.objects.count()
    assert monthly.filter(instrument="ucla3").count() == groups
    assert monthly.filter(instrument="craving_vas").count() == groups
    assert 0 < monthly.filter(instrument="phq9").count() < groups


def test_answers_are_complete_and_in_range_for_their_instrument(scale):
    assert MeasureResponse.objects.values("instrument").distinct().count() == 5
    wrong = [
        r.pk
        for r in MeasureResponse.objects.iterator()
        if instruments.get(r.instrument).problems(r.answers)
    ]
    assert wrong == []


def test_scores_are_the_instruments_own(scale):
    wrong = [
        r.pk
        for r in MeasureResponse.objects.iterator()
        if instruments.get(r.instrument).score(r.answers) != r.score
    ]
    assert wrong == []


def test_check_ins_are_for_sessions_the_participant_attended(scale):
    checkins = MeasureResponse.objects.filter(session__isnull=False)
    assert checkins.exists()
    unattended = checkins.exclude(
        session__attendance__participant=F("participant"),
        session__attendance__status__in=Attendance.ATTENDED,
    )
    assert not unattended.exists()


def test_check_ins_come_before_and_after_for_most_sessions_attended(scale):
    attended = Attendance.objects.filter(status__in=Attendance.ATTENDED).count()
    befores = MeasureResponse.objects.filter(phase="before").count()
    afters = MeasureResponse.objects.filter(phase="after").count()
    assert befores == afters
    assert 0.5 <= befores / attended <= 0.75


def test_only_check_ins_name_a_session(scale):
    checkins = MeasureResponse.objects.filter(instrument__in=["checkin_before", "checkin_after"])
    assert not checkins.filter(session__isnull=True).exists()
    assert (
        not MeasureResponse.objects.exclude(pk__in=checkins).filter(session__isnull=False).exists()
    )


def test_questionnaires_answer_the_request_that_fell_due(scale):
    answered = MeasureRequest.objects.filter(status=MeasureRequest.Status.ANSWERED)
    assert answered.count() == MeasureResponse.objects.filter(request__isnull=False).count()
    early = MeasureResponse.objects.filter(answered_at__date__lt=F("request__due_on"))
    assert not early.exists()


def test_requests_are_answered_open_and_lapsed(scale):
    states = set(MeasureRequest.objects.values_list("status", flat=True).distinct())
    assert states == set(MeasureRequest.Status.values)


def test_lapsed_requests_are_older_than_open_ones(scale):
    newest_lapsed = (
        MeasureRequest.objects.filter(status=MeasureRequest.Status.EXPIRED)
        .order_by("-due_on")
        .first()
    )
    oldest_open = (
        MeasureRequest.objects.filter(status=MeasureRequest.Status.OPEN).order_by("due_on").first()
    )
    assert newest_lapsed.due_on < oldest_open.due_on


def test_the_participant_login_has_questions_to_answer(scale):
    participant = Participant.objects.get(user__username="scale-participant")
    assert participant.measure_requests.filter(status=MeasureRequest.Status.OPEN).exists()


def _first_and_latest(instrument: str) -> list[tuple[int, int]]:
    scores: dict[int, list[int]] = {}
    for person, score in (
        MeasureResponse.objects.filter(instrument=instrument)
        .order_by("answered_at")
        .values_list("participant_id", "score")
    ):
        scores.setdefault(person, []).append(score)
    return [(s[0], s[-1]) for s in scores.values() if len(s) >= 4]


@pytest.mark.parametrize("instrument", ["ucla3", "craving_vas"])
def test_most_people_get_better_and_some_worse(scale, instrument):
    pairs = _first_and_latest(instrument)
    better = sum(latest < first for first, latest in pairs)
    worse = sum(latest > first for first, latest in pairs)
    assert better > 2 * worse
    assert worse > 0


def test_every_answer_over_a_safety_line_has_its_alert(scale):
    over = {
        r.pk
        for r in MeasureResponse.objects.select_related("participant__site").iterator()
        if alert_reasons(r)
    }
    assert over == set(SafetyAlert.objects.values_list("response_id", flat=True))


def test_alerts_are_a_handful_mostly_followed_up(scale):
    alerts = SafetyAlert.objects.all()
    assert 5 <= alerts.count() <= 5 + PARTICIPANTS // 50
    assert alerts.filter(followed_up_at__isnull=False, acknowledged_at__isnull=False).exists()
    assert alerts.filter(acknowledged_at__isnull=True).count() >= 1


def test_open_alerts_were_raised_in_the_last_hours(scale):
    open_alerts = SafetyAlert.objects.filter(followed_up_at__isnull=True)
    assert open_alerts.exists()
    assert not open_alerts.filter(raised_at__lt=timezone.now() - timedelta(hours=8)).exists()


def test_the_scale_therapist_has_an_open_alert(scale):
    therapist = User.objects.get(username="scale-therapist")
    assert SafetyAlert.objects.filter(
        acknowledged_at__isnull=True,
        participant__enrollments__group__facilitations__therapist=therapist,
    ).exists()


def _sql_count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _current_plans():
    return TreatmentPlan.objects.filter(status="signed", superseded_at__isnull=True)


def test_most_participants_are_assessed_and_have_a_plan_in_force(scale):
    assessed = Assessment.objects.filter(status="signed").values("participant").distinct()
    assert assessed.count() >= 0.85 * PARTICIPANTS
    assert _current_plans().count() >= 0.85 * PARTICIPANTS


def test_the_first_plan_follows_the_assessment(scale):
    early = TreatmentPlan.objects.filter(
        version=1, participant__assessments__assessed_on__gt=F("starts_on")
    )
    assert TreatmentPlan.objects.filter(version=1).exists()
    assert not early.exists()


def test_plans_are_revised_in_versions_that_supersede_the_one_before(scale):
    revised = TreatmentPlan.objects.filter(status="signed", previous__isnull=False)
    assert revised.count() >= PARTICIPANTS
    assert not revised.exclude(version=F("previous__version") + 1).exists()
    assert not revised.exclude(previous__superseded_at=F("signed_at")).exists()


def test_only_a_plan_with_a_signed_successor_is_superseded(scale):
    superseded = TreatmentPlan.objects.filter(superseded_at__isnull=False)
    assert superseded.exists()
    assert not superseded.exclude(next_version__status="signed").exists()


def test_each_participant_has_one_plan_in_force_at_most(scale):
    counts = _current_plans().values("participant").annotate(n=Count("pk"))
    assert max(c["n"] for c in counts) == 1


def test_every_plan_has_one_to_three_goals_in_the_nine_areas(scale):
    per_plan = TreatmentPlan.objects.annotate(n=Count("goals")).values_list("n", flat=True)
    assert set(per_plan) == {1, 2, 3}
    areas = set(Goal.objects.values_list("area__name", flat=True).distinct())
    assert len(areas) >= 6
    assert areas <= set(GoalArea.objects.values_list("name", flat=True))


def test_every_goal_has_objectives_with_a_criterion_and_a_date(scale):
    per_goal = Goal.objects.annotate(n=Count("objectives")).values_list("n", flat=True)
    assert min(per_goal) >= 1
    assert max(per_goal) <= 3
    assert not Objective.objects.filter(criterion="").exists()
    # A met or discontinued objective keeps the date it had; the others are set anew.
    active = Objective.objects.exclude(outcome__in=["met", "discontinued"])
    assert not active.filter(target_on__lt=F("goal__plan__starts_on")).exists()


def test_objectives_carried_forward_name_where_they_began(scale):
    carried = Objective.objects.filter(origin__isnull=False)
    assert carried.exists()
    assert not carried.filter(origin__origin__isnull=False).exists()
    assert not carried.exclude(
        origin__goal__plan__participant=F("goal__plan__participant"),
        origin__goal__plan__version__lt=F("goal__plan__version"),
    ).exists()


def test_reviews_find_objectives_continued_revised_met_and_discontinued(scale):
    carried = Objective.objects.filter(origin__isnull=False)
    outcomes = set(carried.values_list("outcome", flat=True).distinct())
    assert outcomes == {"continued", "revised", "met", "discontinued"}
    assert (
        not Objective.objects.filter(origin__isnull=True, goal__plan__version=1)
        .exclude(outcome="")
        .exists()
    )


def test_progress_is_on_objectives_of_the_participants_own_plan(scale):
    assert ObjectiveProgress.objects.exists()
    foreign = ObjectiveProgress.objects.exclude(objective__goal__plan__participant=F("participant"))
    assert not foreign.exists()


def test_progress_is_in_notes_of_groups_the_participant_was_enrolled_in(scale):
    assert not _sql_count(
        """
        SELECT COUNT(*) FROM sessions_app_objectiveprogress p
        JOIN sessions_app_sessionnote n ON n.id = p.note_id
        JOIN sessions_app_session s ON s.id = n.session_id
        WHERE NOT EXISTS (
            SELECT 1 FROM sessions_app_enrollment e
            WHERE e.group_id = s.group_id AND e.participant_id = p.participant_id
            AND e.start_date <= s.occurrence_date
            AND (e.end_date IS NULL OR e.end_date >= s.occurrence_date))
        """
    )


def test_progress_is_for_sessions_attended_under_the_plan_then_in_force(scale):
    unattended = ObjectiveProgress.objects.exclude(
        note__session__attendance__participant=F("participant"),
        note__session__attendance__status__in=Attendance.ATTENDED,
    )
    assert not unattended.exists()
    plan = "objective__goal__plan__"
    out_of_force = ObjectiveProgress.objects.filter(
        Q(**{f"{plan}signed_at__gt": F("note__session__starts_at")})
        | Q(**{f"{plan}superseded_at__lte": F("note__session__starts_at")})
        | ~Q(**{f"{plan}status": "signed"})
    )
    assert not out_of_force.exists()


def test_progress_is_only_on_objectives_still_active(scale):
    ended = ObjectiveProgress.objects.filter(objective__outcome__in=["met", "discontinued"])
    assert not ended.exists()


def test_progress_is_recorded_in_most_sessions_attended(scale):
    pairs = ObjectiveProgress.objects.values("note", "participant").distinct().count()
    attended = Attendance.objects.filter(status__in=Attendance.ATTENDED).count()
    assert 0.5 <= pairs / attended <= 0.9


def test_progress_grows_from_minimal_to_significant_over_the_months(scale):
    participant = Participant.objects.get(user__username="scale-participant")
    levels = list(
        ObjectiveProgress.objects.filter(participant=participant)
        .order_by("note__session__starts_at")
        .values_list("level", flat=True)
    )
    first, last = levels[: len(levels) // 4], levels[-len(levels) // 4 :]
    assert first.count("minimal") > last.count("minimal")
    assert last.count("significant") > first.count("significant")


def test_about_half_have_monthly_progress_reports(scale):
    planned = _current_plans().count()
    reported = (
        ProgressReport.objects.filter(kind="progress").values("participant").distinct().count()
    )
    assert 0.3 * planned <= reported <= 0.75 * planned
    months = ProgressReport.objects.filter(kind="progress").values_list(
        "period_start", "period_end"
    )
    assert {(end - start).days for start, end in months} == {29}


def test_reports_are_on_the_participants_own_plan(scale):
    assert not ProgressReport.objects.exclude(plan__participant=F("participant")).exists()


def test_discharge_summaries_follow_an_ended_enrollment_and_say_why(scale):
    summaries = ProgressReport.objects.filter(kind="discharge")
    assert summaries.exists()
    assert not summaries.filter(participant__enrollments__end_date__isnull=True).exists()
    assert not summaries.filter(discharge_reason="").exists()


def test_addenda_are_on_signed_reports_after_signing(scale):
    addenda = ReportAddendum.objects.all()
    assert addenda.exists()
    assert not addenda.exclude(report__status="signed").exists()
    assert not addenda.filter(created_at__lt=F("report__signed_at")).exists()


def _caseload_plans():
    therapist = User.objects.get(username="scale-therapist")
    return _current_plans().filter(
        participant__enrollments__status=Enrollment.Status.ACTIVE,
        participant__enrollments__group__facilitations__therapist=therapist,
        participant__enrollments__group__facilitations__role=Facilitation.Role.LEAD,
    )


def test_the_scale_therapist_has_plan_reviews_due_this_week(scale):
    today = timezone.localdate()
    due = _caseload_plans().filter(review_on__range=(today, today + timedelta(days=7)))
    assert due.exists()


def test_the_scale_therapist_has_overdue_plan_reviews(scale):
    assert _caseload_plans().filter(review_on__lt=timezone.localdate()).exists()


def test_the_scale_participant_has_a_plan_in_force_with_goals_in_plain_words(scale):
    participant = Participant.objects.get(user__username="scale-participant")
    plan = _current_plans().get(participant=participant)
    assert plan.version > 2
    assert plan.review_on > timezone.localdate()
    assert plan.goals.count() == 3
    assert not plan.goals.filter(plain_words="").exists()


def test_the_scale_participant_has_progress_since_the_start(scale):
    participant = Participant.objects.get(user__username="scale-participant")
    progress = ObjectiveProgress.objects.filter(participant=participant)
    first = progress.order_by("note__session__starts_at").first().note.session.starts_at
    assert progress.count() > 50
    assert first < timezone.now() - timedelta(days=300 * YEARS)


def test_no_reference_names_a_missing_row(scale):
    loader = Loader()
    tables = connection.introspection.table_names()
    loader.counts = {table: 0 for table in tables}
    assert dangling_references(loader) == []


@pytest.mark.parametrize(
    "model",
    [
        Site,
        User,
        Participant,
        Group,
        Enrollment,
        Session,
        Attendance,
        Reflection,
        Reminder,
        MeasureSchedule,
        MeasureRequest,
        MeasureResponse,
        SafetyAlert,
        Assessment,
        TreatmentPlan,
        Goal,
        Objective,
        ObjectiveProgress,
        ProgressReport,
        ReportAddendum,
    ],
)
def test_rows_pass_model_validation(scale, model):
    # Constraints are enforced by the database as rows load; this checks what only
    # the models check (choices, lengths, time zones).
    for row in model.objects.all()[:300]:
        row.full_clean(validate_unique=False, validate_constraints=False)


def _canonical(definition: str) -> str:
    """An index's definition without casts and parentheses: PostgreSQL prints an index
    it re-created from its own text with the casts in other places (`IN (...)` as
    `ANY (ARRAY[...])`), which says the same."""
    return re.sub(r"::[\w ]+(\[\])?|[()]", "", definition)


def test_every_index_is_there_again_after_loading(scale):
    assert {k: _canonical(v) for k, v in _indexes().items()} == {
        k: _canonical(v) for k, v in INDEXES_BEFORE.items()
    }


def test_the_apps_own_inserts_continue_after_the_loaded_ids(scale):
    site = Site.objects.create(name="A new site", time_zone="America/Chicago")
    assert site.pk > Site.objects.exclude(pk=site.pk).order_by("-pk").first().pk


def _world(seed: int):
    # The weekend the US leaves daylight saving time falls inside the year.
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    return build_world(sizes=Sizes(PARTICIPANTS, YEARS), rng=random.Random(seed), now=now)


def _shape(world) -> list[tuple]:
    return [(s.group.id, s.person.id, s.first, s.last, s.status) for s in world.stints]


def test_the_same_seed_builds_the_same_organisation():
    assert _shape(_world(3)) == _shape(_world(3))


def test_another_seed_builds_another_organisation():
    assert _shape(_world(3)) != _shape(_world(4))


def test_sessions_keep_their_wall_clock_time_across_daylight_saving():
    world = _world(3)
    kept = [
        s.starts_at.astimezone(s.group.site.tz).time() == s.group.start_time
        for s in world.sessions
        if s.change is None or s.change[0] != "moved"
    ]
    assert all(kept)


def test_it_refuses_a_database_that_has_data(scale, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="needs an empty database"):
        call_command("seed_scale", participants=PARTICIPANTS, stdout=StringIO())


def test_it_refuses_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("seed_scale", participants=PARTICIPANTS, stdout=StringIO())


def test_it_refuses_a_database_that_is_not_postgresql(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL's COPY; this database is sqlite"):
        call_command("seed_scale", participants=PARTICIPANTS, stdout=StringIO())
