"""Who may see what: the one place that answers it.

Every view asks here for a queryset already narrowed to what the user may see, or for
one object through `get_*_for_user`. An object outside that set answers 404, never
403, because in a substance-use treatment programme the existence of a record is
itself private. Every refusal goes through `deny`: it is logged (user and path, never
record contents), and the refusal of a record that exists is an audit entry too.

- administrator: everything at the sites they administer (a superuser: every site)
- therapist: the groups they facilitate, their sessions, and the participants who
  are or were enrolled in them; for a limited time, a participant at a site they work at
  whose record they opened by emergency ("break-glass") access, stating why
- participant: their own participant record only, on their own pages
- the song library is shared by all staff; a song's use shows only in sessions the
  viewer may see
"""

import logging
from datetime import datetime
from typing import TypeVar

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.http import Http404, HttpRequest
from django.utils import timezone

from .models import (
    Assessment,
    Consent,
    EmergencyAccess,
    Enrollment,
    Facilitation,
    FamilyLink,
    Group,
    LullabyProject,
    LyricDraft,
    MeasureRequest,
    MeasureResponse,
    MeasureSchedule,
    Participant,
    PlanItem,
    ProgressReport,
    RecordingSession,
    Reflection,
    Reminder,
    SafetyAlert,
    Session,
    SessionNote,
    SharingProgram,
    Site,
    Song,
    Take,
    Track,
    TreatmentPlan,
    User,
)

log = logging.getLogger("refrain.access")


def _is_staff_role(user: User) -> bool:
    return user.is_authenticated and (user.is_administrator or user.is_therapist)


def work_sites_for(user: User) -> QuerySet[Site]:
    """Sites a therapist works at: those an administrator gave them, and those of the
    groups they facilitate. Where they may start groups and use emergency access."""
    if not (user.is_authenticated and user.is_therapist):
        return Site.objects.none()
    return Site.objects.filter(
        Q(pk__in=user.sites.values("pk"))
        | Q(pk__in=Group.objects.filter(facilitations__therapist=user).values("site"))
    )


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
    return Session.objects.filter(group__in=_group_ids_for(user))


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
        emergency = open_emergency_accesses(user=user).values("participant")
        return Participant.objects.filter(Q(pk__in=_enrolled_with(user)) | Q(pk__in=emergency))
    return Participant.objects.none()


def _enrolled_with(therapist: User) -> QuerySet:
    # Past enrollments count: a therapist finishes the notes of someone discharged.
    # Read from the enrollments, never NULL: the groups' side would give a NULL for a
    # group nobody is enrolled in yet, and `NOT IN` a list with a NULL in it is never
    # true (break_glass_candidates offered nobody to a therapist with an empty group).
    return Enrollment.objects.filter(group__in=groups_for(therapist)).values("participant")


def participants_in_care(user: User) -> QuerySet[Participant]:
    """The participants a therapist sees through their groups (emergency access left
    out); for anyone else, the same as `participants_for`."""
    if user.is_authenticated and user.is_therapist:
        return Participant.objects.filter(pk__in=_enrolled_with(user))
    return participants_for(user)


def _group_ids_for(user: User) -> QuerySet:
    """The ids of `groups_for(user)`, to filter by. A therapist's are read from their
    facilitations alone: without the join to the groups, the database plans the pages'
    queries in half the time."""
    if user.is_authenticated and user.is_therapist:
        return Facilitation.objects.filter(therapist=user).values("group_id")
    return groups_for(user).values("pk")


def is_facilitator(user: User, group: Group) -> bool:
    if not user.is_authenticated:
        return False
    # Already answered, for this request, by the query that fetched the group's session.
    if getattr(group, "_facilitated_by", None) == user.pk:
        return True
    return group.facilitations.filter(therapist=user).exists()


def _facilitated_by(group: Group, user: User) -> None:
    """Note on the group, loaded for this request, that `user` facilitates it."""
    group._facilitated_by = user.pk


def may_run_group(user: User, group: Group) -> bool:
    """Plan sessions, take attendance, manage the roster and schedule."""
    return groups_for(user).filter(pk=group.pk).exists()


def may_write_clinical_note(user: User, group: Group) -> bool:
    """Write and sign session notes: the group's own therapists, nobody else.

    Administrators may read notes at their sites, but a clinical note carries a
    clinician's signature.
    """
    return user.is_authenticated and user.is_therapist and is_facilitator(user, group)


# --- Co-signature: a supervisor reviews their supervisees' signed notes --------------
#
# A supervisor reads a supervisee's note while it waits for their co-signature, even in
# a group they do not facilitate: that note and its print, nothing else of the group
# (not its roster pages, not its other sessions, not the note once it left their queue).


def notes_awaiting_cosignature_for(user: User) -> QuerySet[SessionNote]:
    """Notes signed by the user's supervisees and waiting for the user's co-signature."""
    if not (user.is_authenticated and user.is_therapist):
        return SessionNote.objects.none()
    return SessionNote.objects.filter(status=SessionNote.Status.REVIEW, signed_by__supervisor=user)


def may_cosign(user: User, note: SessionNote) -> bool:
    """Co-sign a note, or send it back: the supervisor of the therapist who signed it,
    while it waits for co-signature."""
    return (
        user.is_authenticated
        and user.is_therapist
        and note.status == SessionNote.Status.REVIEW
        and note.signed_by_id != user.pk
        and note.signed_by is not None
        and note.signed_by.supervisor_id == user.pk
    )


def note_sessions_for(user: User) -> QuerySet[Session]:
    """Sessions whose note the user may read: those they may see, and those whose note
    waits for their co-signature."""
    under_review = notes_awaiting_cosignature_for(user).values("session_id")
    # Or-ed as querysets, so that a therapist's sessions are asked by their group: as
    # "id IN (every session of their groups)", the database listed hundreds of sessions
    # on every note page.
    return sessions_for(user) | Session.objects.filter(pk__in=under_review)


def get_note_session_for_user(request: HttpRequest, session_id: int) -> Session:
    """A session, for its note pages (read and print): as `get_session_for_user`, and
    for a supervisor, the session of a note waiting for their co-signature."""
    user = request.user
    qs = note_sessions_for(user).select_related("group__site")
    if user.is_authenticated and user.is_therapist:
        # A supervisor reads notes of groups they do not facilitate: ask which it is here
        # rather than again for every check of the page.
        qs = qs.annotate(
            _facilitates=Exists(
                Facilitation.objects.filter(group=OuterRef("group"), therapist=user)
            )
        )
    session = _get_or_404(request, qs, session_id)
    if getattr(session, "_facilitates", False):
        _facilitated_by(session.group, user)
    return session


def get_note_for_cosigner(request: HttpRequest, session_id: int) -> SessionNote:
    """The session's note, for its author's supervisor while it waits for them; anyone
    else 404 (the note's own writers included: nobody co-signs their own note)."""
    session = get_note_session_for_user(request, session_id)
    note = SessionNote.objects.filter(session=session).select_related("signed_by").first()
    if note is None or not may_cosign(request.user, note):
        raise deny(
            request,
            "co-signature",
            model=SessionNote if note else Session,
            pk=note.pk if note else session.pk,
        )
    note.session = session
    return note


def participant_profile(user: User) -> Participant | None:
    """The participant record of a participant's login, if any."""
    if not user.is_authenticated or not user.is_participant:
        return None
    return Participant.objects.select_related("site").filter(user=user).first()


M = TypeVar("M", bound=Model)


def deny(
    request: HttpRequest, what: str, *, model: type[Model] | None = None, pk: int | None = None
) -> Http404:
    """Refuse a request: the one way to, for every view. Returns the 404 to raise.

    Logged (user and path, never record contents). When the request named a record
    that exists, the refusal is also an audit entry against that record, so that
    administrators see who reached for what they may not see; a record that does not
    exist is only logged, or probing ids would fill the trail with nothing.
    """
    user_id = getattr(request.user, "pk", None)
    label = model._meta.label if model is not None else ""
    log.info("denied %s %s %s for user %s at %s", what, label, pk or "", user_id, request.path)
    if model is not None and pk is not None and model._default_manager.filter(pk=pk).exists():
        from .audit import log_refusal  # audit imports this module

        log_refusal(request=request, model=model, pk=pk, what=what)
    noun = model._meta.verbose_name if model is not None else "page"
    return Http404(f"No {noun} here.")


def _get_or_404(request: HttpRequest, queryset: QuerySet[M], pk: int) -> M:
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise deny(request, "record", model=queryset.model, pk=pk) from None


def get_group_for_user(request: HttpRequest, group_id: int) -> Group:
    qs = groups_for(request.user).select_related("site")
    return _get_or_404(request, qs, group_id)


def get_session_for_user(
    request: HttpRequest, session_id: int, *, with_note: bool = False
) -> Session:
    """`with_note`: also load the session's note (or learn it has none) in the same
    query, for pages that show its status."""
    qs = sessions_for(request.user).select_related("group__site")
    if with_note:
        qs = qs.select_related("note")
    session = _get_or_404(request, qs, session_id)
    user = request.user
    if user.is_authenticated and user.is_therapist:
        # sessions_for gives a therapist the sessions of their own groups only.
        _facilitated_by(session.group, user)
    return session


def get_participant_for_user(request: HttpRequest, participant_id: int) -> Participant:
    """The participant, for staff who may see them. When a therapist sees them only
    through emergency access, `request.emergency_access` names it, so that the page can
    say so and its audit entry is marked as emergency access."""
    user = request.user
    qs = participants_for(user).select_related("site")
    if user.is_authenticated and user.is_therapist:
        qs = qs.annotate(
            _in_care=Exists(
                Participant.objects.filter(pk=OuterRef("pk"), pk__in=_enrolled_with(user))
            ),
            _emergency_id=Subquery(
                open_emergency_accesses(user=user)
                .filter(participant=OuterRef("pk"))
                .order_by("-expires_at")
                .values("pk")[:1]
            ),
        )
    participant = _get_or_404(request, qs, participant_id)
    if getattr(participant, "_emergency_id", None) and not participant._in_care:
        request.emergency_access_id = participant._emergency_id
    return participant


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
        raise deny(request, "song library")


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


# --- Treatment planning: assessment, plan, progress reports -------------------------
#
# The participant's therapists (through their groups) read and write all of it. A
# therapist with open emergency access reads it. Administrators see that a plan exists,
# its status and dates (`treatment_record_status_for`), never the clinical text: the
# documents themselves answer them 404 like anyone else.


def may_write_treatment_record(user: User, participant: Participant) -> bool:
    """The participant's therapists, through their groups. A participant fetched for
    this user by `get_participant_for_user` already carries the answer (`_in_care`)."""
    known = getattr(participant, "_in_care", None)
    if known is not None:
        return user.is_authenticated and user.is_therapist and bool(known)
    return (
        user.is_authenticated
        and user.is_therapist
        and participants_in_care(user).filter(pk=participant.pk).exists()
    )


def may_read_treatment_record(user: User, participant: Participant) -> bool:
    """The participant's therapists, and a therapist with emergency access to them."""
    return (
        user.is_authenticated
        and user.is_therapist
        and participants_for(user).filter(pk=participant.pk).exists()
    )


def get_treatment_participant_for_user(
    request: HttpRequest, participant_id: int, *, write: bool = False
) -> Participant:
    """The participant whose treatment record (assessments, plans, reports) the user
    may read, or with `write` may write. Anyone else answers 404; an administrator's
    refusal is an audit entry like any other.

    One query: `get_participant_for_user` already asks, for a therapist, whether the
    participant is in their care (write) or seen by emergency access (read only); the
    answer stays on the participant for `may_write_treatment_record` to read.
    """
    participant = get_participant_for_user(request, participant_id)
    user = request.user
    reader = user.is_authenticated and user.is_therapist
    writer = reader and may_write_treatment_record(user, participant)
    if not (writer if write else reader):
        raise deny(request, "treatment record", model=Participant, pk=participant.pk)
    return participant


def get_assessment_for_user(
    request: HttpRequest, participant: Participant, assessment_id: int
) -> Assessment:
    """An assessment of a participant already fetched through
    `get_treatment_participant_for_user`; any other answers 404."""
    qs = Assessment.objects.filter(participant=participant).select_related("author", "signed_by")
    return _get_or_404(request, qs, assessment_id)


def get_plan_for_user(
    request: HttpRequest, participant: Participant, plan_id: int
) -> TreatmentPlan:
    qs = TreatmentPlan.objects.filter(participant=participant).select_related("author", "signed_by")
    return _get_or_404(request, qs, plan_id)


def get_report_for_user(
    request: HttpRequest, participant: Participant, report_id: int
) -> ProgressReport:
    qs = ProgressReport.objects.filter(participant=participant).select_related(
        "author", "signed_by", "participant__site"
    )
    return _get_or_404(request, qs, report_id)


# --- Groups and rosters ---------------------------------------------------------------


def check_group_pages_access(request: HttpRequest) -> None:
    """For group pages without an object id (list, new): staff only, others 404."""
    if not _is_staff_role(request.user):
        raise deny(request, "group pages")


def sites_for_new_group(user: User) -> QuerySet[Site]:
    """Where the user may start a group: a therapist at the sites they work at (a group
    elsewhere would be a way to enrol, and so to see, anyone there), an administrator at
    the sites they administer."""
    if not _is_staff_role(user):
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    if user.is_therapist:
        return work_sites_for(user)
    return Site.objects.filter(administrators=user)


def enrollable_participants(user: User, group: Group) -> QuerySet[Participant]:
    """Participants the user may enroll in `group`: those of the group's site, for
    whoever may run the group at a site they work at or administer. This is the one
    place a therapist sees site participants not yet in their care, to pick from,
    because enrolling is how they come into it; each such first look is for an
    administrator to review (`enrollment_gives_first_look`)."""
    if not may_run_group(user, group):
        return Participant.objects.none()
    if not sites_for_new_group(user).filter(pk=group.site_id).exists():
        return Participant.objects.none()
    return Participant.objects.filter(site_id=group.site_id)


def may_enroll(user: User, group: Group, participant: Participant) -> bool:
    return enrollable_participants(user, group).filter(pk=participant.pk).exists()


def enrollment_gives_first_look(user: User, participant: Participant) -> bool:
    """Whether enrolling `participant` lets a therapist see them for the first time."""
    if not (user.is_authenticated and user.is_therapist):
        return False
    return not participants_in_care(user).filter(pk=participant.pk).exists()


def first_looks_for_review(user: User) -> QuerySet[Enrollment]:
    """Enrolments that gave a therapist their first look at someone, at the sites the
    user administers, still to be reviewed."""
    if not is_administrator(user):
        return Enrollment.objects.none()
    return Enrollment.objects.filter(
        first_look=True,
        access_reviewed_at__isnull=True,
        group__site__in=report_sites_for(user).values("pk"),
    )


def get_first_look_for_review(request: HttpRequest, enrollment_id: int) -> Enrollment:
    check_admin_pages(request)
    qs = first_looks_for_review(request.user).select_related(
        "participant", "group__site", "enrolled_by"
    )
    return _get_or_404(request, qs, enrollment_id)


def get_enrollment_for_user(request: HttpRequest, group: Group, enrollment_id: int) -> Enrollment:
    """An enrollment of a group already fetched through `get_group_for_user`; an
    enrollment of any other group answers 404."""
    qs = group.enrollments.select_related("participant", "group__site")
    return _get_or_404(request, qs, enrollment_id)


# --- Reflections (participants' own words) ----------------------------------------------
#
# A reflection is what a participant wrote after a session, with mood, craving and
# connection scores: the most private thing Refrain holds. Its words and scores are for
# the participant and the therapists who facilitate the session's group, nobody else.
# Administrators audit, so they may learn THAT a reflection exists (how many, when),
# never what it says: `reflection_dates_for` hands them dates only, and
# `reflections_for` hands them nothing, superusers included.


def may_read_reflections(user: User, group: Group) -> bool:
    """Read the words and scores of the group's reflections: its facilitators only."""
    return user.is_authenticated and user.is_therapist and is_facilitator(user, group)


def reflections_for(user: User) -> QuerySet[Reflection]:
    """Reflections whose words and scores the user may read.

    A participant with a login gets their own; one acting through a signed link has
    no user, and their pages ask `own_reflections` instead.
    """
    if not user.is_authenticated:
        return Reflection.objects.none()
    if user.is_therapist:
        return Reflection.objects.filter(session__group__in=_group_ids_for(user))
    if user.is_participant:
        return Reflection.objects.filter(participant__user=user)
    # Administrators (and superusers): existence only, through reflection_dates_for.
    return Reflection.objects.none()


def own_reflections(participant: Participant) -> QuerySet[Reflection]:
    """The participant's own reflections, for their own pages (login or link session)."""
    return Reflection.objects.filter(participant=participant)


def reflection_dates_for(user: User) -> QuerySet:
    """That reflections exist, for staff who may see the session: ids and dates only.

    A values() queryset on purpose: it cannot carry the words or scores into a page,
    whatever a template asks for.
    """
    return Reflection.objects.filter(session__in=sessions_for(user).values("pk")).values(
        "pk", "session_id", "participant_id", "created_at"
    )


def get_reflection_for_user(request: HttpRequest, reflection_id: int) -> Reflection:
    qs = reflections_for(request.user).select_related(
        "session__group__site", "participant", "song", "entered_by"
    )
    return _get_or_404(request, qs, reflection_id)


def may_enter_reflection_for(user: User, group: Group) -> bool:
    """Enter a reflection on a participant's behalf: a therapist of the group."""
    return may_read_reflections(user, group)


# --- Lullaby projects (issue: lullaby projects and recording logs) ---------------------
#
# A project is seen by its own therapist (not the co-facilitators of the participant's
# groups), by the teaching artists on it, and read-only by the administrators of the
# participant's site. The participant sees their own on their own pages
# (`get_own_project`), never through the staff pages. The project's therapist and its
# teaching artists write drafts, recording sessions and takes; only the therapist
# records consent and delivery. The recordings themselves go further only with a
# current consent to share (`may_hear_take`).


def projects_for(user: User) -> QuerySet[LullabyProject]:
    """Lullaby projects the user may see on the staff pages."""
    if not user.is_authenticated:
        return LullabyProject.objects.none()
    if user.is_superuser:
        return LullabyProject.objects.all()
    if user.is_administrator:
        return LullabyProject.objects.filter(participant__site__administrators=user)
    if user.is_therapist:
        return LullabyProject.objects.filter(therapist=user)
    if user.is_teaching_artist:
        return LullabyProject.objects.filter(teaching_artists=user)
    return LullabyProject.objects.none()


def check_lullaby_pages_access(request: HttpRequest) -> None:
    """For lullaby pages without an object id (the board): therapists, administrators
    and teaching artists; everyone else 404."""
    user = request.user
    if not (_is_staff_role(user) or (user.is_authenticated and user.is_teaching_artist)):
        raise deny(request, "lullaby pages")


def may_start_project(user: User) -> bool:
    """A project is started by the therapist who will run it; administrators read."""
    return user.is_authenticated and user.is_therapist


def participants_for_new_project(user: User) -> QuerySet[Participant]:
    """Whom the user may start a project for: a therapist, the participants they may see."""
    if not may_start_project(user):
        return Participant.objects.none()
    return participants_in_care(user)


def may_edit_project(user: User, project: LullabyProject) -> bool:
    """Write lyric drafts, recording sessions and takes, and choose the final take."""
    if not user.is_authenticated:
        return False
    if user.is_therapist and project.therapist_id == user.pk:
        return True
    return user.is_teaching_artist and project.teaching_artists.filter(pk=user.pk).exists()


def may_manage_project(user: User, project: LullabyProject) -> bool:
    """Change the project's details and stage, record consent and delivery: the project's
    own therapist only."""
    return user.is_authenticated and user.is_therapist and project.therapist_id == user.pk


def get_project_for_user(request: HttpRequest, project_id: int) -> LullabyProject:
    qs = projects_for(request.user).select_related("participant__site", "therapist")
    return _get_or_404(request, qs, project_id)


def _refuse(request: HttpRequest, project: LullabyProject, what: str) -> None:
    raise deny(request, what, model=LullabyProject, pk=project.pk)


def get_project_for_editor(request: HttpRequest, project_id: int) -> LullabyProject:
    """The project, for its therapist and teaching artists; anyone else 404 (an
    administrator who may read it included: these pages are forms)."""
    project = get_project_for_user(request, project_id)
    if not may_edit_project(request.user, project):
        _refuse(request, project, "editing")
    return project


def get_project_for_manager(request: HttpRequest, project_id: int) -> LullabyProject:
    """The project, for its own therapist only; anyone else 404."""
    project = get_project_for_user(request, project_id)
    if not may_manage_project(request.user, project):
        _refuse(request, project, "managing")
    return project


def get_draft_for_user(request: HttpRequest, project: LullabyProject, draft_id: int) -> LyricDraft:
    """A draft of a project already fetched through this module; any other draft 404."""
    qs = LyricDraft.objects.filter(project=project).select_related("created_by")
    return _get_or_404(request, qs, draft_id)


def get_recording_for_user(
    request: HttpRequest, project: LullabyProject, recording_id: int
) -> RecordingSession:
    """A recording session of a project already fetched; any other one 404."""
    return _get_or_404(request, RecordingSession.objects.filter(project=project), recording_id)


def get_take_for_user(request: HttpRequest, project: LullabyProject, take_id: int) -> Take:
    """A take of a project already fetched; a take of any other project 404."""
    qs = Take.objects.filter(recording_session__project=project).select_related("recording_session")
    return _get_or_404(request, qs, take_id)


def get_own_project(
    request: HttpRequest, participant: Participant, project_id: int
) -> LullabyProject:
    """A participant's own project, for their own pages (login or link session)."""
    qs = LullabyProject.objects.filter(participant=participant).select_related(
        "participant__site", "therapist"
    )
    return _get_or_404(request, qs, project_id)


def may_hear_take(
    *, user: User, project: LullabyProject, take: Take, share_granted: bool, own: bool = False
) -> bool:
    """Who may play or download a take's audio.

    The project's therapist and teaching artists work with every take. Beyond them a
    recording is shared only with a current consent to share, and then only the final
    take, to the participant themself (`own`). Administrators audit the record, not the
    voice: they never get the audio.
    """
    if may_edit_project(user, project):
        return True
    return own and share_granted and project.final_take_id == take.pk


def may_hear_track(*, user: User, project: LullabyProject, own: bool = False) -> bool:
    """A dedication or melody idea: the project's therapist and teaching artists, and
    the participant on their own page (it is their voice). Never an administrator."""
    return own or may_edit_project(user, project)


def get_track_for_user(request: HttpRequest, project: LullabyProject, track_id: int) -> Track:
    """A dedication or melody idea of a project already fetched; any other one 404."""
    return _get_or_404(request, Track.objects.filter(project=project), track_id)


def get_family_link_for_manager(
    request: HttpRequest, project: LullabyProject, link_id: int
) -> FamilyLink:
    """A family link of a project its manager already fetched; any other one 404."""
    return _get_or_404(request, FamilyLink.objects.filter(project=project), link_id)


# Sharing-session programs: made by therapists and administrators for a site they work
# at or administer; a program is seen by whoever made it and the site's administrators.
# The songs in it are picked among the projects the user may see (`projects_for`).


def may_make_programs(user: User) -> bool:
    return _is_staff_role(user)


def programs_sites_for(user: User) -> QuerySet[Site]:
    return sites_for_new_group(user)


def programs_for(user: User) -> QuerySet[SharingProgram]:
    if not _is_staff_role(user):
        return SharingProgram.objects.none()
    if user.is_superuser:
        return SharingProgram.objects.all()
    if user.is_administrator:
        return SharingProgram.objects.filter(
            Q(created_by=user) | Q(site__administrators=user)
        ).distinct()
    return SharingProgram.objects.filter(created_by=user)


def check_program_pages_access(request: HttpRequest) -> None:
    if not may_make_programs(request.user):
        raise deny(request, "sharing programs")


def get_program_for_user(request: HttpRequest, program_id: int) -> SharingProgram:
    qs = programs_for(request.user).select_related("site")
    return _get_or_404(request, qs, program_id)


# --- A participant's own pages ------------------------------------------------------------


def sessions_of_participant(participant: Participant) -> QuerySet[Session]:
    """Sessions a participant may open on their own pages: those of the groups they are
    or were enrolled in. Whether they may answer for one, or reflect on it, is for the
    services to say, with a message; any other session answers 404."""
    groups = Enrollment.objects.filter(participant=participant).values("group_id")
    return Session.objects.filter(group__in=groups)


def get_session_for_participant(
    request: HttpRequest, participant: Participant, session_id: int
) -> Session:
    qs = sessions_of_participant(participant).select_related("group__site")
    return _get_or_404(request, qs, session_id)


# --- Administration: reports, audit trail, consents -------------------------
#
# Reports, the audit trail and recording or revoking consents are for administrators,
# about the sites they administer (a superuser: every site). Everyone else, therapists
# included, gets 404 on every one of these pages. The consent registry of one
# participant is also open to the therapists who may see that participant, read-only;
# the sign-in sheet to whoever may see the session (`get_session_for_user`).


def is_administrator(user: User) -> bool:
    return user.is_authenticated and user.is_administrator


def check_admin_pages(request: HttpRequest) -> None:
    """For administration pages: administrators only, everyone else 404."""
    if not is_administrator(request.user):
        raise deny(request, "administration pages")


def report_sites_for(user: User) -> QuerySet[Site]:
    """Sites whose attendance the user may report on: those they administer."""
    if not is_administrator(user):
        return Site.objects.none()
    return sites_for(user)


def get_report_site_for_user(request: HttpRequest, site_id: int) -> Site:
    check_admin_pages(request)
    return _get_or_404(request, report_sites_for(request.user), site_id)


def get_report_group_for_user(request: HttpRequest, group_id: int) -> Group:
    check_admin_pages(request)
    return _get_or_404(request, groups_for(request.user).select_related("site"), group_id)


def get_report_therapist_for_user(request: HttpRequest, therapist_id: int) -> User:
    """A therapist who facilitates (or facilitated) a group at the user's sites."""
    check_admin_pages(request)
    sites = report_sites_for(request.user).values("pk")
    qs = User.objects.filter(
        pk__in=User.objects.filter(
            role=User.Role.THERAPIST, facilitations__group__site__in=sites
        ).values("pk")
    )
    return _get_or_404(request, qs, therapist_id)


def get_report_participant_for_user(request: HttpRequest, participant_id: int) -> Participant:
    """A participant at the administrator's sites: for reports, consents and exports."""
    check_admin_pages(request)
    qs = participants_for(request.user).select_related("site")
    return _get_or_404(request, qs, participant_id)


def get_consent_participant_for_user(request: HttpRequest, participant_id: int) -> Participant:
    """A participant's consent registry: administrators of their site and the therapists
    who may see them (read-only). Same audience as the participant's own page."""
    return get_participant_for_user(request, participant_id)


def may_manage_consents(user: User, participant: Participant) -> bool:
    """Record and revoke consents, and export records under them: administrators."""
    return is_administrator(user) and participants_for(user).filter(pk=participant.pk).exists()


def get_consent_for_manager(request: HttpRequest, consent_id: int) -> Consent:
    check_admin_pages(request)
    qs = Consent.objects.filter(
        participant__in=participants_for(request.user).values("pk")
    ).select_related("participant__site", "recorded_by", "revoked_by")
    return _get_or_404(request, qs, consent_id)


# Where each kind of record in the audit trail belongs: the path from it to its site.
AUDIT_SITE_PATHS: dict[str, str] = {
    "sessions_app.Attendance": "session__group__site",
    "sessions_app.Enrollment": "group__site",
    "sessions_app.SessionNote": "session__group__site",
    "sessions_app.ParticipantNote": "note__session__group__site",
    "sessions_app.NoteAddendum": "note__session__group__site",
    "sessions_app.Reflection": "session__group__site",
    "sessions_app.Consent": "participant__site",
    "sessions_app.Disclosure": "participant__site",
    "sessions_app.ProjectConsent": "project__participant__site",
    "sessions_app.LullabyProject": "participant__site",
    "sessions_app.LyricDraft": "project__participant__site",
    "sessions_app.RecordingSession": "project__participant__site",
    "sessions_app.Take": "recording_session__project__participant__site",
    "sessions_app.FamilyLink": "project__participant__site",
    "sessions_app.SharingProgram": "site",
    "sessions_app.Session": "group__site",
    "sessions_app.PlanItem": "session__group__site",
    "sessions_app.Reminder": "session__group__site",
    "sessions_app.EmergencyAccess": "participant__site",
    "sessions_app.MeasureResponse": "participant__site",
    "sessions_app.SafetyAlert": "participant__site",
    "sessions_app.MeasureSchedule": "group__site",
    "sessions_app.Group": "site",
    "sessions_app.Participant": "site",
    "sessions_app.Site": "pk",
}


def audit_entries_for(user: User) -> QuerySet[LogEntry]:
    """Audit entries the user may review.

    A superuser: all of them. An administrator: entries about records at the sites they
    administer, and about the accounts of people who work or take part there. Whether
    an entry is "at a site" is decided from the record it names as it is now, in the same
    query. Entries that name no record at a site (a failed login for an unknown username,
    an export of every site, a deleted record) are left to superusers.

    Each entry is checked against its own record (`_names_a_record_in`: a few primary-key
    lookups), not against every record the sites hold: a screen is read newest first
    along the trail's time index and stops once it is full.
    """
    if not is_administrator(user):
        return LogEntry.objects.none()
    if user.is_superuser:
        return LogEntry.objects.all()
    sites = list(report_sites_for(user).values_list("pk", flat=True))
    if not sites:
        return LogEntry.objects.none()
    # A group stands for its site: checking a record's group saves a lookup per entry.
    groups = list(Group.objects.filter(site__in=sites).values_list("pk", flat=True))
    models = {label: apps.get_model(label) for label in AUDIT_SITE_PATHS}
    types = ContentType.objects.get_for_models(*models.values(), User)
    named = OuterRef("object_id")
    facilitations = apps.get_model("sessions_app", "Facilitation").objects
    person = (
        _names_a_record_in(User.sites.through.objects.filter(user_id=named, site_id__in=sites))
        | _names_a_record_in(facilitations.filter(therapist_id=named, group__in=groups))
        | _names_a_record_in(Participant.objects.filter(user_id=named, site_id__in=sites))
    )
    about = Q(content_type=types[User]) & person
    for label, path in AUDIT_SITE_PATHS.items():
        model = models[label]
        if path == "pk":
            at_sites = Q(object_id__in=sites)
        else:
            if path == "group__site" or path.endswith("__group__site"):
                where = {f"{path.removesuffix('__site')}__in": groups}
            else:
                where = {f"{path}__in": sites}
            at_sites = _names_a_record_in(model._default_manager.filter(pk=named, **where))
        about |= Q(content_type=types[model]) & at_sites
    return LogEntry.objects.filter(about)


def _names_a_record_in(records: QuerySet) -> Q:
    """True for an entry when `records` (correlated to the entry) has a row.

    Written as "(SELECT pk ... LIMIT 1) IS NOT NULL" rather than EXISTS on purpose:
    PostgreSQL turns a correlated EXISTS into a hash of every matching record when it
    expects to check many entries (a site's attendance alone is 100,000 rows, a second
    to gather on each screen); a scalar subquery is always looked up entry by entry, and
    a screen reads only the few hundred entries it needs.
    """
    return Q(IsNull(Subquery(records.order_by().values("pk")[:1]), False))


# --- Reminders ----------------------------------------------------------------


def reminders_for(user: User) -> QuerySet[Reminder]:
    """Reminder rows staff may see: those about sessions they may see (a participant's
    reminder is part of that session's record), and therapists' agendas — their own,
    and, for an administrator, those of therapists who run groups at their sites."""
    if not _is_staff_role(user):
        return Reminder.objects.none()
    if user.is_superuser:
        return Reminder.objects.all()
    # The same sessions as `sessions_for`, asked of the session's group: a handful of
    # group ids to check rather than every session of those groups, history included.
    about_sessions = Q(participant__isnull=False, session__group__in=_group_ids_for(user))
    agendas = Q(staff_user=user)
    if user.is_administrator:
        facilitators = Group.objects.filter(site__administrators=user).values(
            "facilitations__therapist"
        )
        # Agendas only: an alert's email to a therapist is not for administrators.
        agendas |= Q(kind=Reminder.Kind.AGENDA, staff_user__in=facilitators)
    return Reminder.objects.filter(about_sessions | agendas)


def get_reminder_for_user(request: HttpRequest, reminder_id: int) -> Reminder:
    qs = reminders_for(request.user).select_related("participant", "session__group__site")
    return _get_or_404(request, qs, reminder_id)


def check_reminder_pages_access(request: HttpRequest) -> None:
    """For reminder pages without an object id (failures): staff only, others 404."""
    if not _is_staff_role(request.user):
        raise deny(request, "reminder pages")


# --- Emergency ("break-glass") access --------------------------------------------
#
# A participant in crisis whose own therapists are away: a therapist who works at the
# participant's site, but not in their groups, may open the record by stating why. The
# access is a row (EmergencyAccess) that lapses after EMERGENCY_ACCESS_HOURS; while it
# is open, `participants_for` includes the participant and every page seen is marked as
# emergency access in the audit trail. Administrators review each one; the participant's
# own therapists see that it happened on the participant's page.


def open_emergency_accesses(
    *, user: User, now: datetime | None = None
) -> QuerySet[EmergencyAccess]:
    """The user's emergency accesses that are open now."""
    now = now or timezone.now()
    return EmergencyAccess.objects.filter(
        therapist=user, ended_at__isnull=True, started_at__lte=now, expires_at__gt=now
    )


def break_glass_candidates(user: User) -> QuerySet[Participant]:
    """Whom a therapist may open by emergency access: participants at the sites they
    work at who are not in their care already."""
    if not (user.is_authenticated and user.is_therapist):
        return Participant.objects.none()
    return Participant.objects.filter(site__in=work_sites_for(user).values("pk")).exclude(
        pk__in=_enrolled_with(user)
    )


def check_break_glass_access(request: HttpRequest) -> None:
    """The emergency access pages: therapists only, everyone else 404."""
    if not (request.user.is_authenticated and request.user.is_therapist):
        raise deny(request, "emergency access")


def get_break_glass_participant(request: HttpRequest, participant_id: int) -> Participant:
    check_break_glass_access(request)
    qs = break_glass_candidates(request.user).select_related("site")
    return _get_or_404(request, qs, participant_id)


def emergency_accesses_for_review(user: User) -> QuerySet[EmergencyAccess]:
    """Emergency accesses to participants at the sites the user administers."""
    if not is_administrator(user):
        return EmergencyAccess.objects.none()
    if user.is_superuser:
        return EmergencyAccess.objects.all()
    return EmergencyAccess.objects.filter(participant__site__in=report_sites_for(user).values("pk"))


def get_emergency_access_for_review(request: HttpRequest, access_id: int) -> EmergencyAccess:
    check_admin_pages(request)
    qs = emergency_accesses_for_review(request.user).select_related(
        "therapist", "participant__site"
    )
    return _get_or_404(request, qs, access_id)


def get_own_emergency_access(request: HttpRequest, access_id: int) -> EmergencyAccess:
    """An emergency access the therapist holds, to end it early."""
    check_break_glass_access(request)
    qs = EmergencyAccess.objects.filter(therapist=request.user).select_related("participant")
    return _get_or_404(request, qs, access_id)


def emergency_accesses_shown_with(
    user: User, participant: Participant
) -> QuerySet[EmergencyAccess]:
    """Emergency accesses to a participant, on their page: for the participant's own
    therapists and their site's administrators (who see the record anyway), and for the
    therapist who holds one (their own only)."""
    accesses = EmergencyAccess.objects.filter(participant=participant)
    if is_administrator(user):
        return accesses
    # get_participant_for_user has already found out for a therapist.
    in_care = getattr(participant, "_in_care", None)
    if in_care is None:
        in_care = participants_in_care(user).filter(pk=participant.pk).exists()
    if in_care:
        return accesses
    return accesses.filter(therapist=user)


# --- Two-step sign-in: who has a second factor, who may reset whose -----------------
#
# Staff sign in with a second factor (sessions_app.mfa): administrators, therapists,
# teaching artists and superusers, and anyone the Django admin lets in. Participants
# keep their signed links and optional password. An administrator may reset the second
# factor of the staff who work at the sites they administer: its other administrators,
# the therapists facilitating groups or running lullaby projects there, the teaching
# artists on lullaby projects of its participants. Never their own (that would skip the
# step they just passed), and never a superuser's unless they are one: a reset lets the
# next person who knows the password set up their own authenticator.


def has_second_factor_role(user: User) -> bool:
    """Whether the user signs in with a second factor."""
    return user.is_authenticated and (
        user.is_administrator or user.is_therapist or user.is_teaching_artist or user.is_staff
    )


def check_second_factor_pages(request: HttpRequest) -> None:
    """For one's own two-step sign-in pages: staff only, everyone else 404."""
    if not has_second_factor_role(request.user):
        raise deny(request, "two-step sign-in pages")


def second_factor_resettable_for(user: User) -> QuerySet[User]:
    """Staff whose second factor the user may reset."""
    if not is_administrator(user):
        return User.objects.none()
    staff = ~Q(role=User.Role.PARTICIPANT) | Q(is_superuser=True) | Q(is_staff=True)
    if user.is_superuser:
        return User.objects.filter(staff).exclude(pk=user.pk)
    sites = report_sites_for(user).values("pk")
    works_there = (
        Q(sites__in=sites)
        | Q(facilitations__group__site__in=sites)
        | Q(lullaby_projects__participant__site__in=sites)
        | Q(artist_projects__participant__site__in=sites)
    )
    return User.objects.filter(
        pk__in=User.objects.filter(staff, works_there, is_superuser=False).values("pk")
    ).exclude(pk=user.pk)


def get_second_factor_resettable(request: HttpRequest, user_id: int) -> User:
    check_admin_pages(request)
    return _get_or_404(request, second_factor_resettable_for(request.user), user_id)


# --- Measures: answers, schedules, safety alerts ------------------------------------
#
# A participant's answers (scores included) are for the participant and the therapists
# who see them (their groups, or emergency access); administrators see aggregates only,
# never one person's answers (`responses_for` hands them nothing, superusers included),
# and of safety alerts only that one is open and whom it is about, once it has gone
# unacknowledged long enough to be sent to them. Kiosk check-in at the door is run by
# the session's own therapists.


def responses_for(user: User) -> QuerySet[MeasureResponse]:
    """Answers whose items and scores the user may read on staff pages."""
    if not (user.is_authenticated and user.is_therapist):
        return MeasureResponse.objects.none()
    return MeasureResponse.objects.filter(participant__in=participants_for(user).values("pk"))


def own_responses(participant: Participant) -> QuerySet[MeasureResponse]:
    return MeasureResponse.objects.filter(participant=participant)


def may_run_kiosk(user: User, session: Session) -> bool:
    """Open check-in at the door for a session: the group's own therapists."""
    return user.is_authenticated and user.is_therapist and is_facilitator(user, session.group)


def get_kiosk_session_for_user(request: HttpRequest, session_id: int) -> Session:
    session = get_session_for_user(request, session_id)
    if not may_run_kiosk(request.user, session):
        raise deny(request, "kiosk", model=Session, pk=session.pk)
    return session


def may_manage_measures(user: User, group: Group) -> bool:
    """Set a group's measure schedule: its therapists."""
    return user.is_authenticated and user.is_therapist and is_facilitator(user, group)


def measure_schedules_for(user: User) -> QuerySet[MeasureSchedule]:
    return MeasureSchedule.objects.filter(group__in=groups_for(user).values("pk"))


def alerts_for(user: User) -> QuerySet[SafetyAlert]:
    """Safety alerts the user follows up: a therapist's, about participants in their
    care; an administrator's, those escalated at the sites they administer."""
    if not user.is_authenticated:
        return SafetyAlert.objects.none()
    if user.is_therapist:
        # participants_in_care, asked of the enrollments directly.
        enrolled = Enrollment.objects.filter(group__in=_group_ids_for(user))
        return SafetyAlert.objects.filter(participant__in=enrolled.values("participant"))
    if user.is_superuser:
        return SafetyAlert.objects.filter(escalated_at__isnull=False)
    if user.is_administrator:
        return SafetyAlert.objects.filter(
            escalated_at__isnull=False,
            participant__site__in=report_sites_for(user).values("pk"),
        )
    return SafetyAlert.objects.none()


def get_alert_for_user(request: HttpRequest, alert_id: int) -> SafetyAlert:
    qs = alerts_for(request.user).select_related("participant__site", "response")
    return _get_or_404(request, qs, alert_id)


def get_group_for_measures(request: HttpRequest, group_id: int) -> Group:
    """A group whose measure schedule the user sets; anyone else gets 404."""
    group = get_group_for_user(request, group_id)
    if not may_manage_measures(request.user, group):
        raise deny(request, "measure schedule", model=Group, pk=group.pk)
    return group


def get_schedule_for_manager(
    request: HttpRequest, group: Group, schedule_id: int
) -> MeasureSchedule:
    return _get_or_404(request, MeasureSchedule.objects.filter(group=group), schedule_id)


def may_see_alert_reason(user: User, alert: SafetyAlert) -> bool:
    """Why an alert was raised says something of the answer: only for those who may
    read the answers (never administrators)."""
    return responses_for(user).filter(pk=alert.response_id).exists()


def check_alert_list_access(request: HttpRequest) -> None:
    """The list of alerts: staff only (each sees what `alerts_for` gives them)."""
    if not _is_staff_role(request.user):
        raise deny(request, "alert list")


def may_see_session_change(user: User, session: Session) -> bool:
    """A session's before/after means: the group's own therapists. Administrators see
    how many answered, never a mean over so few people that it is someone's answer."""
    return user.is_authenticated and user.is_therapist and is_facilitator(user, session.group)


def get_measures_participant_for_user(request: HttpRequest, participant_id: int) -> Participant:
    """A participant, for their measures' chart and export: the therapists who see their
    answers (`responses_for`). Administrators see aggregates only, so 404 here."""
    participant = get_participant_for_user(request, participant_id)
    if not request.user.is_therapist:
        raise deny(request, "measures", model=Participant, pk=participant.pk)
    return participant


def get_outcomes_group_for_user(request: HttpRequest, group_id: int) -> Group:
    """A group's outcomes over the weeks: its therapists, and the administrators of its
    site (who see weeks of fewer than five people suppressed)."""
    return get_group_for_user(request, group_id)


def kiosk_roster(session: Session) -> QuerySet[Participant]:
    """Who may check in at the door: the group's participants enrolled on the session's
    date (the people `response_record` accepts a check-in from)."""
    enrolled = Enrollment.objects.filter(group_id=session.group_id).active_on(session.local_date)
    return Participant.objects.filter(pk__in=enrolled.values("participant_id"))


def get_kiosk_participant(
    request: HttpRequest, session: Session, participant_id: int
) -> Participant:
    return _get_or_404(request, kiosk_roster(session).select_related("site"), participant_id)


def get_own_request(
    request: HttpRequest, participant: Participant, request_id: int
) -> MeasureRequest:
    """One of the participant's own questionnaire requests; anyone else's answers 404."""
    qs = MeasureRequest.objects.filter(participant=participant)
    return _get_or_404(request, qs, request_id)
