"""Progress reports and discharge summaries: drafted from the record, edited, signed once,
then corrected only by addenda.

A draft's sections are written from `selectors.progress.period_record` in plain clinical
English, for the therapist to check against the record shown beside them and to finish:
the recommendations (and a discharge's reason) are theirs to write.

Writes lock the participant's row, like the plans' (`services.plans`).
"""

from collections.abc import Mapping
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from ..models import Participant, ProgressReport, ReportAddendum, User
from ..selectors.progress import PeriodRecord, ThreadProgress, period_record
from .errors import ServiceError
from .plans import check_treatment_writer, lock_participant

SIGNED_REPORT = "This report is signed and can no longer change. Add an addendum instead."
# The longest period one report covers.
MAX_PERIOD_YEARS = 2

TEXT_FIELDS = (*(name for name, _ in ProgressReport.SECTIONS), "discharge_reason")


def _lock_report(report: ProgressReport, by: User) -> ProgressReport:
    lock_participant(report.participant)
    check_treatment_writer(by, report.participant)
    return (
        ProgressReport.objects.select_for_update()
        .select_related("participant__site")
        .get(pk=report.pk)
    )


def _lock_draft(report: ProgressReport, by: User) -> ProgressReport:
    report = _lock_report(report, by)
    if report.is_signed:
        raise ServiceError(SIGNED_REPORT)
    return report


# --- The period ----------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_problems(*, start: date, end: date, today: date) -> dict[str, str]:
    """What is wrong with a report's period, by field; empty when it will do."""
    if end < start:
        return {"period_end": "The period ends on or after the day it starts."}
    if end > today:
        return {"period_end": "A report covers what has happened: end the period today or earlier."}
    if start < _years_before(end, MAX_PERIOD_YEARS):
        return {
            "period_start": f"A report covers at most {MAX_PERIOD_YEARS} years: start the "
            f"period on {_years_before(end, MAX_PERIOD_YEARS):%-d %B %Y} or later."
        }
    return {}


# --- Drafting: the record in words ---------------------------------------------------


def _day(day: date, *, with_year: bool) -> str:
    return f"{day:%-d %b %Y}" if with_year else f"{day:%-d %b}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def attendance_text(record: PeriodRecord) -> str:
    """“Attended 9 of 12 sessions (75%); 2 excused, 1 absent.”"""
    summary = record.attendance
    if not summary.held:
        return "No sessions of their groups were held in this period."
    text = f"Attended {summary.attended} of {_plural(summary.held, 'session')} ({summary.rate}%)"
    others = [
        f"{count} {label}"
        for count, label in (
            (summary.excused, "excused"),
            (summary.absent, "absent"),
            (summary.not_recorded, "not recorded"),
        )
        if count
    ]
    if others:
        text += "; " + ", ".join(others)
    text += "."
    if summary.late:
        text += f" Arrived late or left early {_plural(summary.late, 'time')}."
    return text


def objective_words(thread: ThreadProgress) -> str:
    """The objective as a sentence about the participant: “Will sing one verse alone in
    3 of 4 sessions”."""
    objective = thread.objective
    behaviour = objective.behaviour.strip().rstrip(".")
    if not behaviour.lower().startswith("will "):
        behaviour = f"Will {behaviour}"
    else:
        behaviour = behaviour[0].upper() + behaviour[1:]
    return f"{behaviour} {objective.criterion.strip().rstrip('.')}".strip()


def progress_text(record: PeriodRecord) -> str:
    """Per goal, each objective with its dated levels:
    “• Will sing one verse alone — moderate (3 Nov), significant (10 Nov), met (24 Nov).”"""
    if not record.progress:
        return "No treatment plan objectives were in force or recorded in this period."
    with_year = record.start.year != record.end.year
    paragraphs: list[list[str]] = []
    heading = None
    for thread in record.progress:
        goal = thread.objective.goal
        this_heading = f"{thread.area}: {goal.statement.strip()}"
        if this_heading != heading:
            heading = this_heading
            paragraphs.append([heading])
        if thread.entries:
            levels = ", ".join(
                f"{e.level_label.lower()} ({_day(e.day, with_year=with_year)})"
                for e in thread.entries
            )
        else:
            levels = "not recorded in a signed note in this period"
        line = f"• {objective_words(thread)} — {levels}."
        outcome = thread.objective.outcome
        if outcome and outcome != thread.objective.Outcome.CONTINUED:
            line += f" Marked {thread.objective.get_outcome_display().lower()} at review."
        paragraphs[-1].append(line)
    return "\n\n".join("\n".join(p) for p in paragraphs)


def measures_text(record: PeriodRecord) -> str:
    """“UCLA 3-item Loneliness Scale: 7 → 5 (lower is better), 4 answers.”"""
    if not record.measures:
        return "No questionnaires with a score were answered in this period."
    lines = []
    for m in record.measures:
        name = m.instrument.name
        if m.answers == 1:
            lines.append(f"{name}: {m.first} on {m.first_on:%-d %b %Y} (one answer).")
            continue
        line = f"{name}: {m.first} → {m.last} ({m.direction}), {m.answers} answers"
        if m.improved_reliably:
            line += "; a reliable improvement"
        lines.append(f"{line}.")
    return "\n".join(lines)


def own_words_text(record: PeriodRecord) -> str:
    """Their words, dated, from the reflections they allowed to be quoted; else blank."""
    return "\n".join(f"“{q.text}” ({q.day:%-d %b %Y})" for q in record.quotes)


def drafted_sections(record: PeriodRecord) -> dict[str, str]:
    return {
        "attendance": attendance_text(record),
        "progress": progress_text(record),
        "measures": measures_text(record),
        "own_words": own_words_text(record),
        # The therapist's judgement, never drafted.
        "recommendations": "",
        "discharge_reason": "",
    }


# --- The services --------------------------------------------------------------------


@transaction.atomic
def report_draft(
    *,
    participant: Participant,
    by: User,
    kind: str,
    period_start: date,
    period_end: date,
    today: date | None = None,
) -> ProgressReport:
    """A new draft report over the period, its sections written from the record."""
    participant = lock_participant(participant)
    check_treatment_writer(by, participant)
    if kind not in ProgressReport.Kind.values:
        raise ServiceError({"kind": "Choose a progress report or a discharge summary."})
    today = today or timezone.now().astimezone(participant.site.tz).date()
    problems = period_problems(start=period_start, end=period_end, today=today)
    if problems:
        raise ServiceError(problems)
    record = period_record(participant=participant, start=period_start, end=period_end, user=by)
    return ProgressReport.objects.create(
        participant=participant,
        author=by,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        plan=record.plan,
        **drafted_sections(record),
    )


@transaction.atomic
def report_save(*, report: ProgressReport, by: User, texts: Mapping[str, str]) -> ProgressReport:
    """Write a draft's sections as the therapist edited them."""
    report = _lock_draft(report, by)
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ServiceError(f"A report has no section called {', '.join(sorted(unknown))}.")
    for name, text in texts.items():
        setattr(report, name, (text or "").strip())
    report.save(update_fields=[*texts, "updated_at"])
    return report


def report_missing_for_signing(report: ProgressReport) -> list[str]:
    missing = []
    if not report.recommendations.strip():
        missing.append("Write the recommendations.")
    if report.kind == ProgressReport.Kind.DISCHARGE and not report.discharge_reason.strip():
        missing.append("Write the reason for discharge.")
    return missing


@transaction.atomic
def report_sign(*, report: ProgressReport, by: User, now: datetime | None = None) -> ProgressReport:
    report = _lock_report(report, by)
    if report.is_signed:
        raise ServiceError("This report is already signed.")
    missing = report_missing_for_signing(report)
    if missing:
        raise ServiceError(missing)
    report.status = ProgressReport.Status.SIGNED
    report.signed_by, report.signed_at = by, now or timezone.now()
    report.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
    return report


@transaction.atomic
def report_addendum_add(*, report: ProgressReport, by: User, text: str) -> ReportAddendum:
    """A dated addendum to a signed report: the way to correct or add to it."""
    report = _lock_report(report, by)
    if not report.is_signed:
        raise ServiceError("Addenda are for signed reports; edit the draft instead.")
    text = (text or "").strip()
    if not text:
        raise ServiceError({"text": "Write the addendum before adding it."})
    return ReportAddendum.objects.create(report=report, author=by, text=text)


@transaction.atomic
def report_discard_draft(*, report: ProgressReport, by: User) -> None:
    """Throw a draft away (a signed report is part of the record)."""
    report = _lock_draft(report, by)
    report.delete()
