"""Who may see what: the one place that answers it.

Every view asks here for a queryset already narrowed to what the user may see, or for
one object through `get_*_for_user`. An object outside that set answers 404, never
403, because in a substance-use treatment programme the existence of a record is
itself private. Each refusal is logged (user and path, never record contents).

- administrator: everything at the sites they administer (a superuser: every site)
- therapist: the groups they facilitate, their sessions, and the participants who
  are or were enrolled in them
- participant: their own participant record only, on their own pages
"""

import logging
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from .models import Group, Participant, Session, Site, User

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
