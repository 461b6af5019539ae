"""Groups, their facilitators and their rosters.

The roster of any day is computed from enrollment dates (`selectors.meetings.group_roster`), so
enrolling or discharging someone never touches sessions: a participant enrolled today
is on every later session's roster, and on none before.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from .. import languages
from ..models import Enrollment, Facilitation, Group, Participant, Site, User
from ..permissions import enrollment_gives_first_look, may_enroll, sites_for_new_group
from .errors import ServiceError
from .measure_requests import measure_requests_plan_for_enrollment
from .reminders import (
    reminders_plan_for_group,
    reminders_plan_for_participant,
    valid_reminder_hours,
)
from .schedule import ScheduleResult, group_sessions_generate

SCHEDULE_FIELDS = ("weekday", "start_time", "duration_minutes", "first_date", "last_date", "room")
MAX_CAPACITY = 200


def _check_group(
    *,
    site: Site,
    name: str,
    capacity: int,
    duration_minutes: int,
    first_date: date,
    last_date: date | None,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the group a name."
    elif Group.objects.filter(site=site, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = f"{site.name} already has a group called “{name}”; choose another name."
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"Capacity is between 1 and {MAX_CAPACITY} participants."
    if not 5 <= duration_minutes <= 480:
        errors["duration_minutes"] = "A session lasts between 5 and 480 minutes."
    if last_date is not None and last_date < first_date:
        errors["last_date"] = (
            f"The last date cannot be before the first date ({first_date:%-d %B %Y})."
        )
    if errors:
        raise ServiceError(errors)


def _site_today(group: Group, now: datetime | None) -> date:
    return (now or timezone.now()).astimezone(group.site.tz).date()


def _peak_enrollment(group: Group, since: date) -> tuple[int, date]:
    """The most participants enrolled on any one day from `since` on, and that day.

    The count only rises on a start date, so those are the days to look at.
    """
    rows = list(group.enrollments.exclude(end_date__lt=since).values_list("start_date", "end_date"))
    days = {since} | {start for start, _ in rows if start > since}
    counts = {
        day: sum(1 for start, end in rows if start <= day and (end is None or end >= day))
        for day in days
    }
    day = max(sorted(days), key=lambda d: counts[d])
    return counts[day], day


def group_create(
    *,
    user: User,
    site: Site,
    name: str,
    weekday: int,
    start_time: time,
    first_date: date,
    capacity: int = 10,
    duration_minutes: int = 60,
    last_date: date | None = None,
    focus: str = "",
    enrollment: str = Group.Enrollment.OPEN,
    room: str = "",
    lead: User | None = None,
    reminder_hours: list[int | float] | None = None,
    now: datetime | None = None,
) -> Group:
    """Create a group and its sessions ahead.

    A therapist who creates a group leads it; an administrator names the lead.
    """
    name, focus, room = name.strip(), focus.strip(), room.strip()
    with transaction.atomic():
        if not sites_for_new_group(user).filter(pk=site.pk).exists():
            raise ServiceError({"site": "You cannot start a group at this site."})
        if user.is_therapist:
            lead = user
        elif lead is None:
            raise ServiceError({"lead": "Choose the therapist who leads the group."})
        elif not (lead.is_therapist and lead.is_active):
            raise ServiceError({"lead": "The lead must be an active therapist."})
        _check_group(
            site=site,
            name=name,
            capacity=capacity,
            duration_minutes=duration_minutes,
            first_date=first_date,
            last_date=last_date,
        )
        # Reminders: hours before each session; the model's default if not given.
        hours = (
            {}
            if reminder_hours is None
            else {"reminder_hours": valid_reminder_hours(reminder_hours)}
        )
        group = Group.objects.create(
            site=site,
            name=name,
            focus=focus,
            enrollment=enrollment,
            capacity=capacity,
            weekday=weekday,
            start_time=start_time,
            duration_minutes=duration_minutes,
            first_date=first_date,
            last_date=last_date,
            room=room,
            **hours,
        )
        Facilitation.objects.create(group=group, therapist=lead, role=Facilitation.Role.LEAD)
        group_sessions_generate(group=group, now=now)
        return group


def group_update(
    *,
    group: Group,
    name: str,
    weekday: int,
    start_time: time,
    first_date: date,
    capacity: int,
    duration_minutes: int,
    last_date: date | None,
    focus: str,
    enrollment: str,
    room: str,
    reminder_hours: list[int | float] | None = None,
    now: datetime | None = None,
) -> ScheduleResult:
    """Change a group's details; a changed schedule re-times its untouched sessions.

    The site is fixed once a group exists: its sessions and participants belong there.
    """
    name, focus, room = name.strip(), focus.strip(), room.strip()
    with transaction.atomic():
        group = (
            Group.objects.select_for_update(of=("self",)).select_related("site").get(pk=group.pk)
        )
        _check_group(
            site=group.site,
            name=name,
            capacity=capacity,
            duration_minutes=duration_minutes,
            first_date=first_date,
            last_date=last_date,
            exclude_pk=group.pk,
        )
        peak, day = _peak_enrollment(group, _site_today(group, now))
        if capacity < peak:
            raise ServiceError(
                {
                    "capacity": f"{peak} participants are enrolled on {day:%-d %B %Y}; "
                    "capacity cannot be lower than that."
                }
            )
        new = {
            "name": name,
            "focus": focus,
            "enrollment": enrollment,
            "capacity": capacity,
            "weekday": weekday,
            "start_time": start_time,
            "duration_minutes": duration_minutes,
            "first_date": first_date,
            "last_date": last_date,
            "room": room,
        }
        schedule_changed = any(getattr(group, f) != new[f] for f in SCHEDULE_FIELDS)
        # Reminders: None keeps the group's reminder hours as they are.
        hours_changed = False
        if reminder_hours is not None:
            hours = valid_reminder_hours(reminder_hours)
            hours_changed, new["reminder_hours"] = hours != group.reminder_hours, hours
        for attr, value in new.items():
            setattr(group, attr, value)
        group.save()
        if not schedule_changed:
            if hours_changed:
                reminders_plan_for_group(group=group, now=now)
            return ScheduleResult()
        return group_sessions_generate(group=group, now=now, reschedule=True)


def facilitator_add(*, group: Group, therapist: User) -> Facilitation:
    """Add a co-facilitator: they see and run the group from now on."""
    with transaction.atomic():
        if not (therapist.is_therapist and therapist.is_active):
            raise ServiceError({"therapist": "Only an active therapist can facilitate a group."})
        if group.facilitations.filter(therapist=therapist).exists():
            raise ServiceError({"therapist": f"{therapist} already facilitates this group."})
        return Facilitation.objects.create(
            group=group, therapist=therapist, role=Facilitation.Role.CO
        )


def facilitator_remove(*, group: Group, therapist: User) -> None:
    with transaction.atomic():
        facilitation = group.facilitations.select_for_update().filter(therapist=therapist).first()
        if facilitation is None:
            raise ServiceError(f"{therapist} does not facilitate this group.")
        if facilitation.role == Facilitation.Role.LEAD:
            raise ServiceError(
                f"{therapist} leads this group, and a group always has a lead; "
                "an administrator can hand the lead to someone else."
            )
        facilitation.delete()


def participant_enroll(
    *,
    group: Group,
    participant: Participant,
    start_date: date,
    by: User | None = None,
    language: str = "",
    now: datetime | None = None,
) -> Enrollment:
    """Enroll a participant from `start_date`; they join every session from that day.
    `language`, when given, becomes the language of their pages and reminders.

    `by`, the person enrolling (None for commands and imports): whether they may enrol
    this participant is for `permissions.may_enroll`; an enrolment that gives a
    therapist their first look at someone is marked for administrators to review.
    """
    if by is not None and not may_enroll(by, group, participant):
        raise ServiceError({"participant": "You cannot enroll this participant in this group."})
    first_look = by is not None and enrollment_gives_first_look(by, participant)
    with transaction.atomic():
        # Locking the group serialises enrollments, so two at once cannot both take
        # the last place.
        group = (
            Group.objects.select_for_update(of=("self",)).select_related("site").get(pk=group.pk)
        )
        if participant.site_id != group.site_id:
            raise ServiceError(
                {"participant": f"{participant} belongs to another site than {group.site}."}
            )
        if group.last_date is not None and start_date > group.last_date:
            raise ServiceError(
                {"start_date": f"The group ends on {group.last_date:%-d %B %Y}; start before then."}
            )
        today = _site_today(group, now)
        if group.enrollment == Group.Enrollment.CLOSED:
            if today > group.first_date:
                raise ServiceError(
                    f"{group.name} is a closed group that started on "
                    f"{group.first_date:%-d %B %Y}: it takes no new participants. "
                    "Change its enrollment to open to add someone."
                )
            if start_date > group.first_date:
                raise ServiceError(
                    {
                        "start_date": "A closed group's members start together: choose a start "
                        f"date on or before {group.first_date:%-d %B %Y}."
                    }
                )
        current = (
            group.enrollments.filter(participant=participant)
            .exclude(end_date__lt=start_date)
            .order_by("start_date")
            .first()
        )
        if current is not None:
            until = f" until {current.end_date:%-d %B %Y}" if current.end_date else ""
            raise ServiceError(
                {
                    "participant": f"{participant} is already enrolled in this group from "
                    f"{current.start_date:%-d %B %Y}{until}."
                }
            )
        peak, day = _peak_enrollment(group, start_date)
        if peak >= group.capacity:
            raise ServiceError(
                f"{group.name} is full on {day:%-d %B %Y} ({peak} of {group.capacity} places "
                "taken). Raise its capacity or choose a later start date."
            )
        enrollment = Enrollment.objects.create(
            group=group,
            participant=participant,
            start_date=start_date,
            enrolled_by=by,
            first_look=first_look,
        )
        if language and language in languages.CODES and language != participant.language:
            participant.language = language
            participant.save(update_fields=["language"])
        reminders_plan_for_participant(participant=participant, now=now)  # reminders
        measure_requests_plan_for_enrollment(enrollment=enrollment, now=now)  # measures
        return enrollment


ENDED_STATUSES = (
    Enrollment.Status.COMPLETED,
    Enrollment.Status.DISCHARGED,
    Enrollment.Status.WITHDRAWN,
)


def enrollment_discharge(
    *, enrollment: Enrollment, end_date: date, status: str, reason: str
) -> Enrollment:
    """End an enrollment; the participant stays on rosters up to and including `end_date`."""
    reason = reason.strip()
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != Enrollment.Status.ACTIVE:
            raise ServiceError(
                f"This enrollment already ended on {enrollment.end_date:%-d %B %Y} "
                f"({enrollment.get_status_display().lower()})."
            )
        errors: dict[str, str] = {}
        if status not in ENDED_STATUSES:
            errors["status"] = "Choose completed, discharged or withdrew."
        if end_date < enrollment.start_date:
            errors["end_date"] = (
                f"The end date cannot be before the start date ({enrollment.start_date:%-d %B %Y})."
            )
        if status != Enrollment.Status.COMPLETED and not reason:
            errors["reason"] = "Give the reason for the discharge or withdrawal."
        if errors:
            raise ServiceError(errors)
        enrollment.end_date, enrollment.status, enrollment.discharge_reason = (
            end_date,
            status,
            reason,
        )
        enrollment.save(update_fields=["end_date", "status", "discharge_reason"])
        # Reminders: nothing more for sessions after their last day.
        reminders_plan_for_participant(participant=enrollment.participant)
        measure_requests_plan_for_enrollment(enrollment=enrollment)  # measures: at discharge
        return enrollment
