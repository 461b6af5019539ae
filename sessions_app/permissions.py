"""Who may see what: the one place that answers it.

Every view asks here for a queryset already narrowed to what the user may see, or for
one object through `get_*_for_user`. An object outside that set answers 404, never
403, because in a substance-use treatment programme the existence of a record is
itself private. Each refusal is logged (user and path, never record contents).

- administrator: everything at the sites they administer (a superuser: every site)
- therapist: the groups they facilitate, their sessions, and the participants who
  are or were enrolled in them
- participant: their own participant record only, on their own pages
- the song library is shared by all staff; a song's use shows only in sessions the
  viewer may see
"""

import logging
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from .models import Enrollment, Group, Participant, PlanItem, Session, Site, Song, User

log = logging.getLogger("refrain.access")


def _is_staff_role(user: User) -> bool:
    return user.is_authenticated and (user.is_administrator or user.is_therapist)


def sites_for(user: User) -> QuerySet[Site]:
    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    if user.is_administrator:
        return Site.objects.filter(administrators=user)
    if user.is_therapist:
        return Site.objects.filter(groups__facilitators=user).distinct()
    return Site.objects.none()


def groups_for(user: User) -> QuerySet[Group]:
    """Groups the user may see and run."""
    if not _is_staff_role(user):
        return Group.objects.none()
    if user.is_superuser:
        return Group.objects.all()
    if user.is_administrator:
        return Group.objects.filter(site__administrators=user)
    return Group.objects.filter(facilitations__therapist=user)


def sessions_for(user: User) -> QuerySet[Session]:
    """Sessions the user may see as staff (plan, roll call, notes)."""
    if not _is_staff_role(user):
        return Session.objects.none()
    if user.is_superuser:
        return Session.objects.all()
    return Session.objects.filter(group__in=groups_for(user).values("pk"))


def participants_for(user: User) -> QuerySet[Participant]:
    """Participant records the user may see as staff.

    A participant reaches their own record through `participant_profile`, on pages
    made for them, never through the staff pages.
    """
    if not _is_staff_role(user):
        return Participant.objects.none()
    if user.is_superuser:
        return Participant.objects.all()
    if user.is_administrator:
        return Participant.objects.filter(site__administrators=user)
    if user.is_therapist:
        # Past enrollments count: a therapist finishes the notes of someone discharged.
        enrolled = groups_for(user).values("enrollments__participant")
        return Participant.objects.filter(pk__in=enrolled)
    return Participant.objects.none()


def is_facilitator(user: User, group: Group) -> bool:
    return user.is_authenticated and group.facilitations.filter(therapist=user).exists()


def may_run_group(user: User, group: Group) -> bool:
    """Plan sessions, take attendance, manage the roster and schedule."""
    return groups_for(user).filter(pk=group.pk).exists()


def may_write_clinical_note(user: User, group: Group) -> bool:
    """Write and sign session notes: the group's own therapists, nobody else.

    Administrators may read notes at their sites, but a clinical note carries a
    clinician's signature.
    """
    return user.is_authenticated and user.is_therapist and is_facilitator(user, group)


def participant_profile(user: User) -> Participant | None:
    """The participant record of a participant's login, if any."""
    if not user.is_authenticated or not user.is_participant:
        return None
    return Participant.objects.select_related("site").filter(user=user).first()


M = TypeVar("M", bound=Model)


def _get_or_404(request: HttpRequest, queryset: QuerySet[M], pk: int) -> M:
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        log.info(
            "denied or missing %s %s for user %s at %s",
            queryset.model._meta.label,
            pk,
            getattr(request.user, "pk", None),
            request.path,
        )
        raise Http404(f"No {queryset.model._meta.verbose_name} here.") from None


def get_group_for_user(request: HttpRequest, group_id: int) -> Group:
    qs = groups_for(request.user).select_related("site")
    return _get_or_404(request, qs, group_id)


def get_session_for_user(request: HttpRequest, session_id: int) -> Session:
    qs = sessions_for(request.user).select_related("group__site")
    return _get_or_404(request, qs, session_id)


def get_participant_for_user(request: HttpRequest, participant_id: int) -> Participant:
    qs = participants_for(request.user).select_related("site")
    return _get_or_404(request, qs, participant_id)


# --- Song library and session plans -------------------------------------------------


def songs_for(user: User) -> QuerySet[Song]:
    """The song library is shared by all staff; where a song was used is narrowed
    separately, through `sessions_for`, so that another group's use never shows."""
    if not _is_staff_role(user):
        return Song.objects.none()
    return Song.objects.all()


def check_song_library_access(request: HttpRequest) -> None:
    """For library pages without an object id (list, new): staff only, others 404."""
    if not _is_staff_role(request.user):
        log.info(
            "denied song library for user %s at %s", getattr(request.user, "pk", None), request.path
        )
        raise Http404("No song library here.")


def get_song_for_user(request: HttpRequest, song_id: int) -> Song:
    return _get_or_404(request, songs_for(request.user), song_id)


def get_plan_item_for_user(request: HttpRequest, session: Session, item_id: int) -> PlanItem:
    """A plan item of a session already fetched through `get_session_for_user`; an item
    of any other session answers 404."""
    qs = PlanItem.objects.filter(session=session).select_related("song")
    return _get_or_404(request, qs, item_id)


def get_session_participant_for_user(
    request: HttpRequest, session: Session, participant_id: int
) -> Participant:
    """A participant of a session already fetched through `get_session_for_user`: on its
    roster that day or with attendance recorded for it. Anyone else answers 404."""
    day = session.local_date
    enrolled = Q(
        enrollments__group_id=session.group_id,
        enrollments__start_date__lte=day,
    ) & (Q(enrollments__end_date__isnull=True) | Q(enrollments__end_date__gte=day))
    qs = participants_for(request.user).filter(
        pk__in=Participant.objects.filter(enrolled | Q(attendance__session=session)).values("pk")
    )
    return _get_or_404(request, qs, participant_id)


# --- Groups and rosters ---------------------------------------------------------------


def check_group_pages_access(request: HttpRequest) -> None:
    """For group pages without an object id (list, new): staff only, others 404."""
    if not _is_staff_role(request.user):
        log.info(
            "denied group pages for user %s at %s", getattr(request.user, "pk", None), request.path
        )
        raise Http404("No groups here.")


def sites_for_new_group(user: User) -> QuerySet[Site]:
    """Where the user may start a group: a therapist anywhere (they work across sites),
    an administrator at the sites they administer."""
    if not _is_staff_role(user):
        return Site.objects.none()
    if user.is_superuser or user.is_therapist:
        return Site.objects.all()
    return Site.objects.filter(administrators=user)


def enrollable_participants(user: User, group: Group) -> QuerySet[Participant]:
    """Participants the user may enroll in `group`: those of the group's site, for
    whoever may run the group. This is the one place a therapist sees site participants
    not yet in their care, to pick from, because enrolling is how they come into it."""
    if not may_run_group(user, group):
        return Participant.objects.none()
    return Participant.objects.filter(site_id=group.site_id)


def get_enrollment_for_user(request: HttpRequest, group: Group, enrollment_id: int) -> Enrollment:
    """An enrollment of a group already fetched through `get_group_for_user`; an
    enrollment of any other group answers 404."""
    qs = group.enrollments.select_related("participant", "group__site")
    return _get_or_404(request, qs, enrollment_id)
