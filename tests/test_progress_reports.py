"""Progress reports and discharge summaries: drafted from the record, edited, signed
once, added to by addenda, printed, disclosed under a consent, and read by the
participant's therapists only."""

import html
from datetime import UTC, date, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import (
    Attendance,
    MeasureResponse,
    ProgressReport,
    Reflection,
    ReportAddendum,
    TreatmentPlan,
)
from sessions_app.selectors.progress import period_record
from sessions_app.services import progress_reports as services
from sessions_app.services.errors import ServiceError
from tests import factories as f


def _today(participant) -> date:
    return timezone.now().astimezone(participant.site.tz).date()


def _session(group, day: date, **kw):
    # 15:00 UTC is mid-morning in New York: the same date at the site.
    start = datetime.combine(day, time(15, 0), tzinfo=UTC)
    kw.setdefault("status", "held")
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1), **kw)


def _day(record_start: date, record_end: date, day: date) -> str:
    return f"{day:%-d %b %Y}" if record_start.year != record_end.year else f"{day:%-d %b}"


@pytest.fixture
def history(group, participant, therapist):
    """Thirty days of `participant`'s record, and a little outside it:

    plan v1 (superseded) → v2 (in force), one objective carried with new wording;
    five sessions in the period: present (signed note: minimal on v1's objective), late
    (signed note: moderate on v2's), present (draft note: met, not to count), excused,
    absent; one cancelled; one before the period (signed note: not addressed).
    Reflections: one quotable, one not. UCLA-3: 7, 6, 5; PHQ-9 once.
    """
    today = _today(participant)
    start, end = today - timedelta(days=30), today
    v1 = f.TreatmentPlanFactory(
        participant=participant, author=therapist, superseded_at=timezone.now()
    )
    goal1 = f.GoalFactory(plan=v1, position=1, statement="Feel part of the group.")
    first = f.ObjectiveFactory(goal=goal1, position=1, behaviour="sing one verse alone")
    v2 = f.TreatmentPlanFactory(participant=participant, author=therapist, version=2, previous=v1)
    goal2 = f.GoalFactory(plan=v2, position=1, statement="Feel part of the group.")
    carried = f.ObjectiveFactory(
        goal=goal2,
        position=1,
        behaviour="sing one verse alone, unprompted",
        origin=first,
        outcome="continued",
    )
    days = [today - timedelta(days=n) for n in (28, 21, 14, 7, 3)]
    statuses = ["present", "late", "present", "excused", "absent"]
    sessions = [_session(group, d) for d in days]
    for s, status in zip(sessions, statuses, strict=True):
        minutes = None if status in ("excused", "absent") else 60
        f.AttendanceFactory(
            session=s, participant=participant, status=status, minutes_attended=minutes
        )
    _session(group, today - timedelta(days=10), cancel_reason="Snow", status="cancelled")
    signed = [f.SessionNoteFactory(session=s, author=therapist) for s in sessions[:2]]
    draft = f.SessionNoteFactory(
        session=sessions[2], author=therapist, status="draft", signed_by=None, signed_at=None
    )
    f.ObjectiveProgressFactory(
        note=signed[0], objective=first, level="minimal", observation="Hummed along."
    )
    f.ObjectiveProgressFactory(note=signed[1], objective=carried, level="moderate")
    f.ObjectiveProgressFactory(note=draft, objective=carried, level="met")
    before = _session(group, today - timedelta(days=40))
    f.ObjectiveProgressFactory(
        note=f.SessionNoteFactory(session=before, author=therapist),
        objective=first,
        level="not_addressed",
    )
    for s, text, quotable in (
        (sessions[0], "Singing made me feel I belong.", True),
        (sessions[1], "My private thoughts about my family.", False),
    ):
        Reflection.objects.create(
            session=s,
            participant=participant,
            mood_before=4,
            mood_after=7,
            connection=4,
            text=text,
            quotable=quotable,
        )
    for n, (code, score) in enumerate(
        (("ucla3", 7), ("ucla3", 6), ("ucla3", 5), ("phq9", 12)), start=1
    ):
        MeasureResponse.objects.create(
            participant=participant,
            instrument=code,
            answers={},
            score=score,
            answered_at=datetime.combine(today - timedelta(days=29 - 7 * n), time(16), tzinfo=UTC),
            via="staff",
        )
    return {
        "start": start,
        "end": end,
        "days": days,
        "plan": v2,
        "first": first,
        "carried": carried,
    }


def _draft(participant, therapist, history, kind="progress") -> ProgressReport:
    return services.report_draft(
        participant=participant,
        by=therapist,
        kind=kind,
        period_start=history["start"],
        period_end=history["end"],
    )


# --- Drafting from the record ------------------------------------------------------------


def test_it_drafts_attendance_counts(participant, therapist, history):
    report = _draft(participant, therapist, history)
    assert report.attendance == (
        "Attended 3 of 5 sessions (60%); 1 excused, 1 absent. Arrived late or left early 1 time."
    )


def test_it_drafts_dated_progress_across_plan_versions_under_the_latest_wording(
    participant, therapist, history
):
    report = _draft(participant, therapist, history)
    start, end, days = history["start"], history["end"], history["days"]
    assert report.progress == (
        "Social connection: Feel part of the group.\n"
        "• Will sing one verse alone, unprompted in 3 of 4 sessions — "
        f"minimal ({_day(start, end, days[0])}), moderate ({_day(start, end, days[1])})."
    )


def test_it_leaves_draft_notes_out_of_the_progress(participant, therapist, history):
    report = _draft(participant, therapist, history)
    assert "met (" not in report.progress


def test_it_quotes_only_reflections_the_participant_allowed(participant, therapist, history):
    report = _draft(participant, therapist, history)
    assert report.own_words == (
        f"“Singing made me feel I belong.” ({history['days'][0]:%-d %b %Y})"
    )


def test_it_drafts_measures_first_to_last(participant, therapist, history):
    report = _draft(participant, therapist, history)
    assert report.measures.splitlines()[0] == (
        "UCLA 3-item Loneliness Scale: 7 → 5 (lower is better), 3 answers."
    )


def test_it_drafts_a_single_answer_as_such(participant, therapist, history):
    report = _draft(participant, therapist, history)
    answered = history["end"] - timedelta(days=1)
    assert f"PHQ-9: 12 on {answered:%-d %b %Y} (one answer)." in report.measures


def test_it_links_the_draft_to_the_plan_in_force_and_leaves_recommendations_to_write(
    participant, therapist, history
):
    report = _draft(participant, therapist, history)
    assert (report.plan, report.recommendations, report.status) == (history["plan"], "", "draft")


def test_it_shows_an_active_objective_with_nothing_recorded(participant, therapist, history):
    goal = history["carried"].goal
    f.ObjectiveFactory(goal=goal, position=2, behaviour="name one feeling", criterion="weekly")
    report = _draft(participant, therapist, history)
    assert (
        "• Will name one feeling weekly — not recorded in a signed note in this period."
        in report.progress
    )


def test_it_reads_the_record_in_bounded_queries_for_a_long_history(
    group, participant, therapist, django_assert_max_num_queries
):
    """Forty signed notes with progress, attendance, reflections and answers."""
    today = _today(participant)
    plan = f.TreatmentPlanFactory(participant=participant, author=therapist)
    objectives = [f.ObjectiveFactory(goal__plan=plan) for _ in range(3)]
    for n in range(40):
        s = _session(group, today - timedelta(days=7 * n + 1))
        f.AttendanceFactory(session=s, participant=participant)
        note = f.SessionNoteFactory(session=s, author=therapist)
        for objective in objectives:
            f.ObjectiveProgressFactory(note=note, objective=objective)
        Reflection.objects.create(
            session=s,
            participant=participant,
            mood_before=3,
            mood_after=6,
            connection=3,
            text=f"Week {n}",
            quotable=True,
        )
        MeasureResponse.objects.create(
            participant=participant,
            instrument="ucla3",
            answers={},
            score=3 + n % 6,
            answered_at=s.starts_at,
            via="staff",
        )
    # 1 the plan in force, 2 enrolments, 3 sessions with attendance, 4 progress rows,
    # 5 the objectives' versions, 6 answers, 7 quotable reflections.
    with django_assert_max_num_queries(7):
        record = period_record(
            participant=participant,
            start=today - timedelta(days=700),
            end=today,
            user=therapist,
        )
    assert (record.attendance.held, len(record.progress[0].entries), len(record.quotes)) == (
        40,
        40,
        40,
    )


# --- The period ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_days_ago", "end_days_ago", "field", "message"),
    [
        (3, 10, "period_end", "The period ends on or after the day it starts."),
        (10, -1, "period_end", "A report covers what has happened"),
        (800, 0, "period_start", "A report covers at most 2 years"),
    ],
)
def test_it_refuses_a_period_that_makes_no_sense(
    participant, therapist, start_days_ago, end_days_ago, field, message
):
    today = _today(participant)
    with pytest.raises(ServiceError) as refused:
        services.report_draft(
            participant=participant,
            by=therapist,
            kind="progress",
            period_start=today - timedelta(days=start_days_ago),
            period_end=today - timedelta(days=end_days_ago),
        )
    assert message in refused.value.message_dict[field][0]


def test_it_shows_the_new_report_form_with_the_last_30_days(client, therapist, participant):
    client.force_login(therapist)
    page = client.get(reverse("progress_report_new", args=[participant.pk]))
    today = _today(participant)
    body = page.content.decode()
    assert f'value="{today - timedelta(days=29):%Y-%m-%d}"' in body
    assert f'value="{today:%Y-%m-%d}"' in body


def test_it_says_what_to_fix_in_a_period_and_drafts_nothing(client, therapist, participant):
    client.force_login(therapist)
    today = _today(participant)
    page = client.post(
        reverse("progress_report_new", args=[participant.pk]),
        {"kind": "progress", "period_start": today, "period_end": today + timedelta(days=5)},
    )
    assert "end the period today or earlier" in html.unescape(page.content.decode())
    assert not ProgressReport.objects.exists()


def test_it_drafts_from_the_form_and_opens_the_draft(client, therapist, participant, history):
    client.force_login(therapist)
    response = client.post(
        reverse("progress_report_new", args=[participant.pk]),
        {"kind": "discharge", "period_start": history["start"], "period_end": history["end"]},
    )
    report = ProgressReport.objects.get()
    assert (response.status_code, response["Location"], report.kind) == (
        302,
        reverse("progress_report", args=[participant.pk, report.pk]),
        "discharge",
    )


# --- The draft page, editing and signing ---------------------------------------------------


def test_it_shows_the_record_beside_the_draft(client, therapist, participant, history):
    report = _draft(participant, therapist, history)
    client.force_login(therapist)
    body = client.get(reverse("progress_report", args=[participant.pk, report.pk])).content
    assert "Hummed along." in html.unescape(body.decode())


def test_it_never_shows_unquotable_words_beside_the_draft(client, therapist, participant, history):
    report = _draft(participant, therapist, history)
    client.force_login(therapist)
    body = client.get(reverse("progress_report", args=[participant.pk, report.pk])).content
    assert "private thoughts" not in body.decode()


def _report_url(name, report):
    return reverse(name, args=[report.participant_id, report.pk])


def test_it_saves_an_edited_draft(client, therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    client.force_login(therapist)
    client.post(
        _report_url("progress_report", report),
        {"attendance": "Attended every session.", "recommendations": "Continue weekly."},
    )
    report.refresh_from_db()
    assert (report.attendance, report.recommendations) == (
        "Attended every session.",
        "Continue weekly.",
    )


def test_it_will_not_sign_without_recommendations(client, therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    client.force_login(therapist)
    page = client.post(_report_url("progress_report_sign", report))
    report.refresh_from_db()
    assert (report.status, "Write the recommendations." in page.content.decode()) == (
        "draft",
        True,
    )


def test_it_will_not_sign_a_discharge_summary_without_its_reason(therapist, participant):
    report = f.ProgressReportFactory(
        participant=participant, author=therapist, kind="discharge", recommendations="Aftercare."
    )
    with pytest.raises(ServiceError, match="reason for discharge"):
        services.report_sign(report=report, by=therapist)


def test_it_signs_a_complete_report(client, therapist, participant):
    report = f.ProgressReportFactory(
        participant=participant, author=therapist, recommendations="Continue weekly."
    )
    client.force_login(therapist)
    client.post(_report_url("progress_report_sign", report))
    report.refresh_from_db()
    assert (report.status, report.signed_by) == ("signed", therapist)


def _signed(participant, therapist, **kw) -> ProgressReport:
    return f.ProgressReportFactory(
        participant=participant,
        author=therapist,
        recommendations="Continue weekly.",
        status="signed",
        signed_by=therapist,
        signed_at=timezone.now(),
        **kw,
    )


def test_it_refuses_to_edit_a_signed_report(client, therapist, participant):
    report = _signed(participant, therapist)
    client.force_login(therapist)
    client.post(_report_url("progress_report", report), {"attendance": "Changed afterwards."})
    report.refresh_from_db()
    assert report.attendance == "Attended 4 of 4 sessions (100%)."


def test_its_service_refuses_to_save_a_signed_report(therapist, participant):
    report = _signed(participant, therapist)
    with pytest.raises(ServiceError, match="signed and can no longer change"):
        services.report_save(report=report, by=therapist, texts={"attendance": "Changed."})


def test_it_shows_a_signed_report_without_a_form(client, therapist, participant):
    report = _signed(participant, therapist)
    client.force_login(therapist)
    body = client.get(_report_url("progress_report", report)).content.decode()
    assert ('name="attendance"' in body, "Add addendum" in body) == (False, True)


def test_it_adds_an_addendum_to_a_signed_report(client, therapist, participant):
    report = _signed(participant, therapist)
    client.force_login(therapist)
    client.post(_report_url("progress_report_addendum", report), {"text": "Late entry: sang solo."})
    assert list(report.addenda.values_list("text", flat=True)) == ["Late entry: sang solo."]


def test_it_refuses_an_addendum_to_a_draft(therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    with pytest.raises(ServiceError, match="Addenda are for signed reports"):
        services.report_addendum_add(report=report, by=therapist, text="Too early.")


def test_it_says_to_write_the_addendum_when_it_is_empty(client, therapist, participant):
    report = _signed(participant, therapist)
    client.force_login(therapist)
    page = client.post(_report_url("progress_report_addendum", report), {"text": "  "})
    assert "Write the addendum before adding it." in page.content.decode()


def test_it_discards_a_draft(client, therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    client.force_login(therapist)
    client.post(_report_url("progress_report_discard", report))
    assert not ProgressReport.objects.exists()


def test_it_keeps_a_signed_report_when_asked_to_discard_it(client, therapist, participant):
    report = _signed(participant, therapist)
    client.force_login(therapist)
    client.post(_report_url("progress_report_discard", report))
    assert ProgressReport.objects.filter(pk=report.pk).exists()


# --- Print -------------------------------------------------------------------------------


def test_it_prints_the_report_with_its_header_and_signature(client, therapist, participant):
    report = _signed(participant, therapist)
    ReportAddendum.objects.create(report=report, author=therapist, text="Corrected a date.")
    client.force_login(therapist)
    body = html.unescape(client.get(_report_url("progress_report_print", report)).content.decode())
    name = therapist.get_full_name()
    for expected in (
        participant.full_name,
        f"{report.period_start:%-d %B %Y} – {report.period_end:%-d %B %Y}",
        f"Electronically signed by <strong>{name}, MT-BC</strong>",
        "Corrected a date.",
        "css/note_print.css",
    ):
        assert expected in body, expected


def test_it_marks_a_printed_draft(client, therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    client.force_login(therapist)
    body = client.get(_report_url("progress_report_print", report)).content.decode()
    assert "DRAFT — not signed" in body


# --- The consented export ---------------------------------------------------------------------


def test_it_discloses_signed_reports_under_a_consent(client, admin, therapist, participant):
    _signed(participant, therapist, progress="• Will sing one verse alone — met (3 Nov).")
    f.ProgressReportFactory(participant=participant, author=therapist, progress="DRAFT TEXT")
    f.ConsentFactory(participant=participant, recorded_by=admin)
    client.force_login(admin)
    response = client.post(
        reverse("participant_records_export", args=[participant.pk]),
        {"recipient": "Riverside Recovery Clinic", "include_reports": "on", "confirm": "on"},
    )
    body = html.unescape(response.content.decode())
    assert ("met (3 Nov)" in body, "DRAFT TEXT" in body) == (True, False)


def test_it_leaves_out_a_report_reaching_outside_the_exports_dates(admin, therapist, participant):
    from sessions_app.permissions import sessions_for
    from sessions_app.services.consent import participant_records_export

    report = _signed(participant, therapist)
    f.ConsentFactory(participant=participant, recorded_by=admin)
    export = participant_records_export(
        participant=participant,
        recipient="Riverside Recovery Clinic",
        by=admin,
        sessions=sessions_for(admin),
        include_reports=True,
        start=report.period_start + timedelta(days=1),
    )
    assert export.reports == []


# --- Who may see them ---------------------------------------------------------------------


@pytest.fixture
def reports(participant, therapist):
    return {
        "draft": f.ProgressReportFactory(participant=participant, author=therapist),
        "signed": _signed(participant, therapist),
    }


@pytest.mark.parametrize("who", ["therapist", "co_therapist"])
def test_it_lets_the_participants_therapists_read_a_report(client, cast, reports, who):
    client.force_login(cast[who])
    response = client.get(_report_url("progress_report", reports["draft"]))
    assert response.status_code == 200


def _every_url(report):
    """(method, URL) of every report page."""
    return [
        ("get", reverse("progress_report_new", args=[report.participant_id])),
        ("get", _report_url("progress_report", report)),
        ("post", _report_url("progress_report", report)),
        ("get", _report_url("progress_report_sign", report)),
        ("post", _report_url("progress_report_sign", report)),
        ("get", _report_url("progress_report_print", report)),
        ("post", _report_url("progress_report_addendum", report)),
        ("post", _report_url("progress_report_discard", report)),
    ]


@pytest.mark.parametrize("who", ["admin", "outsider", "participant", "other_admin"])
def test_it_answers_404_to_anyone_else_on_every_report_url(client, cast, reports, who):
    client.force_login(cast[who])
    statuses = {
        (method, url): getattr(client, method)(url, {"text": "x"}).status_code
        for report in reports.values()
        for method, url in _every_url(report)
    }
    assert set(statuses.values()) == {404}


def test_it_changes_nothing_for_an_administrator(client, admin, reports):
    client.force_login(admin)
    for report in reports.values():
        for method, url in _every_url(report):
            getattr(client, method)(url, {"text": "x", "attendance": "admin was here"})
    assert (
        ProgressReport.objects.filter(status="draft").count(),
        ReportAddendum.objects.count(),
        ProgressReport.objects.filter(attendance="admin was here").count(),
    ) == (1, 0, 0)


def test_it_logs_an_administrators_refusal(client, admin, participant, reports):
    client.force_login(admin)
    client.get(_report_url("progress_report", reports["signed"]))
    entry = LogEntry.objects.get(additional_data__what="refused")
    assert (entry.actor, entry.object_id, entry.additional_data["page"]) == (
        admin,
        participant.pk,
        "progress_report",
    )


@pytest.mark.parametrize(
    ("name", "report", "method", "what"),
    [
        ("progress_report_new", None, "get", "view"),
        ("progress_report", "draft", "get", "view"),
        ("progress_report", "signed", "get", "view"),
        ("progress_report_sign", "draft", "get", "view"),
        ("progress_report_print", "signed", "get", "print"),
        ("progress_report_addendum", "signed", "post", "view"),
    ],
)
def test_each_report_page_writes_its_access_entry(
    client, therapist, participant, reports, name, report, method, what
):
    client.force_login(therapist)
    args = [participant.pk] + ([reports[report].pk] if report else [])
    response = getattr(client, method)(reverse(name, args=args), {"text": ""})
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, additional_data__page=name)
    assert (response.status_code, entry.actor, entry.object_id, entry.additional_data["what"]) == (
        200,
        therapist,
        participant.pk,
        what,
    )
    assert entry.additional_data["about"] == "progress report"


def test_the_audit_trail_never_holds_a_reports_words(therapist, participant):
    report = f.ProgressReportFactory(participant=participant, author=therapist)
    services.report_save(report=report, by=therapist, texts={"recommendations": "Secret plan"})
    changes = [e.changes for e in LogEntry.objects.filter(object_id=report.pk)]
    assert "Secret plan" not in str(changes)


def test_it_counts_attendance_without_a_plan(group, participant, therapist):
    today = _today(participant)
    s = _session(group, today - timedelta(days=2))
    f.AttendanceFactory(session=s, participant=participant, status=Attendance.Status.PRESENT)
    report = services.report_draft(
        participant=participant,
        by=therapist,
        kind="progress",
        period_start=today - timedelta(days=7),
        period_end=today,
    )
    assert (report.attendance, report.plan, TreatmentPlan.objects.count()) == (
        "Attended 1 of 1 session (100%).",
        None,
        0,
    )
