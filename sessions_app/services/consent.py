"""Consents to disclose (42 CFR Part 2 style), their revocation, and exports of a
participant's records under them.

A consent is never edited: it is recorded once, as signed, and may be revoked (when
and by whom is kept). An export is refused unless a consent to disclose to that
recipient is signed, not expired and not revoked at the moment of the export; it
carries the notice against redisclosure (§ 2.32) and the consent's scope, and leaves a
Disclosure row.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import instruments
from ..models import (
    Attendance,
    Consent,
    Disclosure,
    MeasureResponse,
    Participant,
    ParticipantNote,
    ProgressReport,
    Session,
    SessionNote,
    User,
)
from .errors import ServiceError

# 42 CFR § 2.32(a)(1), as amended in 2024: the statement that must accompany each
# disclosure made with the patient's written consent.
NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
    "or testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, "
    "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with "
    "42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making any other "
    "use or disclosure of this record unless at least one of the following applies:"
)
NOTICE_CONDITIONS = (
    "Further use or disclosure is expressly permitted by the written consent of the "
    "individual whose information is being disclosed in this record or as otherwise "
    "permitted by 42 CFR part 2.",
    "You are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations, or",
    "You have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E.",
)
NOTICE_CLOSING = (
    "A general authorization for the release of medical or other information is NOT "
    "sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31)."
)
# § 2.32(a)(2): the short form, on every page of the export.
NOTICE_SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def _today(participant: Participant, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(participant.site.tz).date()


def consent_problem(consent: Consent, *, today: date, tz: tzinfo = UTC) -> str | None:
    """Why the consent does not allow a disclosure today, or None if it does."""
    if consent.revoked_at is not None:
        return f"was revoked on {consent.revoked_at.astimezone(tz):%-d %B %Y}"
    if consent.signed_on > today:
        return f"is dated {consent.signed_on:%-d %B %Y}, which is still to come"
    if consent.expires_on < today:
        return f"expired on {consent.expires_on:%-d %B %Y}"
    return None


def consent_status(consent: Consent, *, today: date) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    if consent.expires_on < today:
        return "expired"
    if consent.signed_on > today:
        return "not yet in force"
    return "valid"


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    disclose_what: str,
    disclose_to: str,
    purpose: str,
    signed_on: date,
    expires_on: date,
    recorded_by: User,
    now: datetime | None = None,
) -> Consent:
    """Record a consent as the participant signed it."""
    if not recorded_by.is_administrator:
        raise ServiceError("Only administrators record consents.")
    problems = {}
    texts = {"disclose_what": disclose_what, "disclose_to": disclose_to, "purpose": purpose}
    texts = {name: (value or "").strip() for name, value in texts.items()}
    for name, label in (
        ("disclose_what", "what may be disclosed"),
        ("disclose_to", "to whom"),
        ("purpose", "the purpose"),
    ):
        if not texts[name]:
            problems[name] = f"Write {label}, as the signed form says."
    today = _today(participant, now)
    if signed_on > today:
        problems["signed_on"] = "A consent cannot be signed in the future: check the date."
    if expires_on < signed_on:
        problems["expires_on"] = "The expiry date is before the date it was signed."
    if problems:
        raise ServiceError(problems)
    return Consent.objects.create(
        participant=participant,
        signed_on=signed_on,
        expires_on=expires_on,
        recorded_by=recorded_by,
        **texts,
    )


@transaction.atomic
def consent_revoke(
    *, consent: Consent, revoked_by: User, note: str, now: datetime | None = None
) -> Consent:
    """Revoke a consent from now on. Disclosures already made under it stay on record."""
    if not revoked_by.is_administrator:
        raise ServiceError("Only administrators record a revocation.")
    note = (note or "").strip()
    if not note:
        raise ServiceError("Say how the consent was revoked and who received the revocation.")
    # Locked, so that an export running at the same moment either finishes first or
    # sees the revocation.
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        when = consent.revoked_at.astimezone(consent.participant.site.tz)
        raise ServiceError(f"This consent was already revoked on {when:%-d %B %Y}.")
    consent.revoked_at = now or timezone.now()
    consent.revoked_by = revoked_by
    consent.revocation_note = note[:255]
    consent.save(update_fields=["revoked_at", "revoked_by", "revocation_note"])
    return consent


@dataclass
class MeasureLine:
    answered_on: date
    instrument: str
    score: int
    band: str


@dataclass
class RecordsExport:
    """What an export discloses, as rendered for the recipient."""

    participant: Participant
    consent: Consent
    disclosure: Disclosure
    attendance: list[Attendance]
    notes: list[ParticipantNote] = field(default_factory=list)
    include_notes: bool = False
    # Scored questionnaires (the check-in has no score and stays out): date, name, score,
    # band, as `MeasureLine`.
    measures: list["MeasureLine"] = field(default_factory=list)
    include_measures: bool = False
    # Signed progress reports and discharge summaries, with their addenda.
    reports: list[ProgressReport] = field(default_factory=list)
    include_reports: bool = False
    start: date | None = None
    end: date | None = None
    notice: str = NOTICE
    notice_conditions: tuple[str, ...] = NOTICE_CONDITIONS
    notice_closing: str = NOTICE_CLOSING
    notice_short: str = NOTICE_SHORT


def _same_recipient(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@transaction.atomic
def participant_records_export(
    *,
    participant: Participant,
    recipient: str,
    by: User,
    sessions: QuerySet[Session],
    include_notes: bool = False,
    include_measures: bool = False,
    include_reports: bool = False,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> RecordsExport:
    """Disclose the participant's attendance (and, if asked, their signed participant
    notes, questionnaire scores, signed progress reports and discharge summaries) to
    `recipient`, under a valid consent naming them.

    `sessions` is what the person exporting may see; nothing else is disclosed.
    Refused, with what to do about it, when no consent to `recipient` is valid today.
    """
    if not by.is_administrator:
        raise ServiceError("Only administrators export records.")
    recipient = (recipient or "").strip()
    if not recipient:
        raise ServiceError("Choose to whom the records are disclosed.")
    if start and end and end < start:
        raise ServiceError("The end date is before the start date.")
    today = _today(participant, now)
    # Locked until the disclosure is written: a revocation cannot slip in between.
    consents = [
        c
        for c in Consent.objects.select_for_update()
        .filter(participant=participant)
        .order_by("-signed_on", "-pk")
        if _same_recipient(c.disclose_to, recipient)
    ]
    tz = participant.site.tz
    consent = next((c for c in consents if consent_problem(c, today=today, tz=tz) is None), None)
    if consent is None:
        if not consents:
            raise ServiceError(
                f"{participant.short_name} has no consent to disclose records to "
                f"{recipient}. Record their signed consent first."
            )
        latest = consents[0]
        raise ServiceError(
            f"The consent to disclose to {latest.disclose_to} "
            f"{consent_problem(latest, today=today, tz=tz)}. Nothing was disclosed: record a new "
            "signed consent first."
        )

    attendance_rows = (
        Attendance.objects.filter(participant=participant, session__in=sessions)
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session__group__site")
        .order_by("session__starts_at", "pk")
    )
    notes = ParticipantNote.objects.filter(
        participant=participant,
        note__session__in=sessions,
        note__status=SessionNote.Status.SIGNED,
    ).exclude(text="")
    if start:
        since = datetime.combine(start, time.min, tzinfo=tz)
        attendance_rows = attendance_rows.filter(session__starts_at__gte=since)
        notes = notes.filter(note__session__starts_at__gte=since)
    if end:
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        attendance_rows = attendance_rows.filter(session__starts_at__lt=until)
        notes = notes.filter(note__session__starts_at__lt=until)
    attendance = list(attendance_rows)
    notes_list = (
        list(
            notes.select_related("note__session__group__site", "note__signed_by").order_by(
                "note__session__starts_at", "pk"
            )
        )
        if include_notes
        else []
    )

    measures = _measure_lines(participant, start=start, end=end) if include_measures else []
    reports = _reports(participant, start=start, end=end) if include_reports else []

    span = f"{start or 'the first session'} to {end or today}" if start or end else f"up to {today}"
    what = f"Attendance and session dates, {span} ({len(attendance)} sessions)"
    if include_notes:
        what += f"; signed participant notes ({len(notes_list)})"
    if include_measures:
        what += f"; questionnaire scores ({len(measures)})"
    if include_reports:
        what += f"; signed progress reports and discharge summaries ({len(reports)})"
    disclosure = Disclosure.objects.create(
        participant=participant, consent=consent, disclosed_by=by, what=what[:255]
    )
    return RecordsExport(
        participant=participant,
        consent=consent,
        disclosure=disclosure,
        attendance=attendance,
        notes=notes_list,
        include_notes=include_notes,
        measures=measures,
        include_measures=include_measures,
        reports=reports,
        include_reports=include_reports,
        start=start,
        end=end,
    )


def _measure_lines(
    participant: Participant, *, start: date | None, end: date | None
) -> list[MeasureLine]:
    """The participant's scored questionnaires in the export's dates, oldest first."""
    tz = participant.site.tz
    rows = MeasureResponse.objects.filter(
        participant=participant,
        instrument__in=[c for c, i in instruments.CATALOGUE.items() if i.totals],
        score__isnull=False,
    )
    if start:
        rows = rows.filter(answered_at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        rows = rows.filter(answered_at__lt=until)
    lines = []
    for code, answered_at, score in rows.order_by("answered_at", "pk").values_list(
        "instrument", "answered_at", "score"
    ):
        inst = instruments.get(code)
        band = inst.band(score)
        lines.append(
            MeasureLine(
                answered_at.astimezone(tz).date(), inst.name, score, band.label if band else ""
            )
        )
    return lines


def _reports(
    participant: Participant, *, start: date | None, end: date | None
) -> list[ProgressReport]:
    """The participant's signed reports whose whole period lies within the export's
    dates (one that reaches outside them would disclose more than asked), oldest
    first, with their addenda (two queries)."""
    rows = ProgressReport.objects.filter(
        participant=participant, status=ProgressReport.Status.SIGNED
    )
    if start:
        rows = rows.filter(period_start__gte=start)
    if end:
        rows = rows.filter(period_end__lte=end)
    return list(
        rows.select_related("signed_by", "plan")
        .prefetch_related("addenda__author")
        .order_by("period_end", "pk")
    )
