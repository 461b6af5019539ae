"""Access outside the usual paths: emergency ("break-glass") access, and the review of
enrolments that gave a therapist their first look at someone."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Attendance, EmergencyAccess, Enrollment, Participant, User
from ..permissions import break_glass_candidates
from .errors import ServiceError
from .reminders import reminders_plan_for_participant

# Long enough that the record says why, in words an auditor can weigh.
REASON_MIN_LENGTH = 20


def emergency_access_open(
    *, therapist: User, participant: Participant, reason: str, now: datetime | None = None
) -> EmergencyAccess:
    """Open a participant's record to a therapist outside their groups, for
    EMERGENCY_ACCESS_HOURS. An access already open to the same record is returned as
    it is (a second reason is not asked for)."""
    now = now or timezone.now()
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ServiceError(
            {"reason": f"Say why in at least {REASON_MIN_LENGTH} characters: it is reviewed."}
        )
    with transaction.atomic():
        if not break_glass_candidates(therapist).filter(pk=participant.pk).exists():
            raise ServiceError(
                "Emergency access is for participants at a site you work at who are not "
                "in your groups."
            )
        current = (
            EmergencyAccess.objects.select_for_update()
            .filter(
                therapist=therapist,
                participant=participant,
                ended_at__isnull=True,
                expires_at__gt=now,
            )
            .first()
        )
        if current is not None:
            return current
        return EmergencyAccess.objects.create(
            therapist=therapist,
            participant=participant,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(hours=settings.EMERGENCY_ACCESS_HOURS),
        )


def emergency_access_end(
    *, access: EmergencyAccess, by: User, now: datetime | None = None
) -> EmergencyAccess:
    """End an open access before it lapses (the therapist is done, or an administrator
    closes it). Ending one already over changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        access = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
        if access.ended_at is None and access.expires_at > now:
            access.ended_at = now
            access.ended_by = by
            access.save(update_fields=["ended_at", "ended_by"])
        return access


def emergency_access_review(
    *, access: EmergencyAccess, by: User, note: str = "", now: datetime | None = None
) -> EmergencyAccess:
    """An administrator has looked at an emergency access; an open one is ended too."""
    now = now or timezone.now()
    with transaction.atomic():
        access = emergency_access_end(access=access, by=by, now=now)
        access.reviewed_at = now
        access.reviewed_by = by
        access.review_note = note.strip()[:500]
        access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        return access


def first_look_confirm(
    *, enrollment: Enrollment, by: User, now: datetime | None = None
) -> Enrollment:
    """An administrator agrees with an enrolment that gave a therapist a first look."""
    enrollment.access_reviewed_at = now or timezone.now()
    enrollment.access_reviewed_by = by
    enrollment.save(update_fields=["access_reviewed_at", "access_reviewed_by"])
    return enrollment


def first_look_undo(*, enrollment: Enrollment, by: User, now: datetime | None = None) -> None:
    """Undo an enrolment that gave a therapist a first look at someone: the enrolment
    goes, and with it the therapist's access and the reminders it planned.

    Not once attendance has been recorded under it: the group's records of that
    person stay, and the enrolment is then ended by discharge instead.
    """
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        recorded = Attendance.objects.filter(
            participant_id=enrollment.participant_id,
            session__group_id=enrollment.group_id,
            session__starts_at__date__gte=enrollment.start_date,
        ).count()
        if recorded:
            raise ServiceError(
                f"Attendance is already recorded for {enrollment.participant} on {recorded} "
                f"session{'s' if recorded != 1 else ''} of {enrollment.group}: discharge "
                "them from the group instead."
            )
        participant = enrollment.participant
        enrollment.delete()
        reminders_plan_for_participant(participant=participant, now=now)
