"""The audit trail: who did what to which record, when, and from where.

Built on django-auditlog, whose `LogEntry` table holds every entry:

- changes: each create, change and delete of the clinical and consent models below is
  logged by auditlog's model signals, with old and new values. Rows saved in bulk (roll
  call, participant notes) send no signals, so their services call `log_bulk_saves`.
- access: each clinical page, print and export that answered 2xx is logged as an
  ACCESS entry by `AccessAuditMiddleware`, from one registry (`AUDITED_PAGES`), so a new
  page is audited by adding one line here rather than by remembering it in its view.
- logins, logouts and failed logins: ACCESS entries against the user (failed logins
  for an unknown username against no account in particular), from Django's auth signals.
- refusals: a request refused a record that exists is an ACCESS entry against that
  record ("refused"), written by `permissions.deny`.
- emergency access: opening a participant's record by break-glass is an entry of its
  own, and every page seen under it carries additional_data["emergency"].

- two-step sign-in: setting it up, passing and failing the second step, using a
  recovery code, new codes and an administrator's reset, against the user whose
  second factor it is (`log_second_factor`; failures through the failed-login signal).

Every URL is either in `AUDITED_PAGES` or in `NOT_AUDITED` with the reason it shows no
participant's name or clinical data; a test over the URLconf keeps it so.

Entries cannot be changed or deleted: the admin is read-only and PostgreSQL refuses
UPDATE and DELETE on the table (migration 0004_audit_log_append_only).
"""

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from copy import copy
from dataclasses import dataclass

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

ACCESS = LogEntry.Action.ACCESS

# What an ACCESS entry says happened, in additional_data["what"].
VIEW, PRINT, EXPORT = "view", "print", "export"
LOGIN, LOGIN_FAILED, LOGOUT = "login", "login_failed", "logout"
REFUSED, EMERGENCY = "refused", "emergency_access"
# Two-step sign-in (sessions_app.mfa).
MFA_ENROLLED, MFA_VERIFIED, MFA_FAILED = "mfa_enrolled", "mfa_verified", "mfa_failed"
MFA_RECOVERY_USED, MFA_CODES_GENERATED = "mfa_recovery_used", "mfa_codes_generated"
MFA_RESET = "mfa_reset"
ACCESS_KINDS = (
    VIEW,
    PRINT,
    EXPORT,
    LOGIN,
    LOGIN_FAILED,
    LOGOUT,
    MFA_ENROLLED,
    MFA_VERIFIED,
    MFA_FAILED,
    MFA_RECOVERY_USED,
    MFA_CODES_GENERATED,
    MFA_RESET,
    REFUSED,
    EMERGENCY,
)

REDACTED = "[not shown]"


def redact(value: str) -> str:
    """Mask for fields whose words must not reach the audit trail (see `register_models`)."""
    return REDACTED


# --- Changes: which models are tracked -------------------------------------------------


def register_models() -> None:
    """Track every create, change and delete of these models (called from apps.ready).

    Secrets (password, calendar tokens) are never in a diff, and neither is the
    last_login that every login would otherwise log as a change.
    """
    m = apps.get_model
    plain = (
        "Attendance",
        "Enrollment",
        "SessionNote",
        "ParticipantNote",
        "NoteAddendum",
        "Consent",
        "Disclosure",
        "ProjectConsent",
        "EmergencyAccess",
    )
    for name in plain:
        _register(m("sessions_app", name))
    # A reflection's words and scores are for the participant and their therapists
    # only, never administrators (see permissions.reflections_for), and the audit trail
    # is read by administrators: it records that they changed, not what they say.
    _register(
        m("sessions_app", "Reflection"),
        mask_fields=[
            "mood_before",
            "mood_after",
            "connection",
            "craving",
            "song",
            "song_text",
            "text",
        ],
        mask_callable="sessions_app.audit.redact",
    )
    # Answers to questionnaires: administrators read the trail and never see one
    # person's answers, so it records that they changed, not what they say.
    _register(
        m("sessions_app", "MeasureResponse"),
        mask_fields=["answers", "score"],
        mask_callable="sessions_app.audit.redact",
    )
    _register(
        m("sessions_app", "SafetyAlert"),
        mask_fields=["follow_up"],
        mask_callable="sessions_app.audit.redact",
    )
    _register(m("sessions_app", "MeasureSchedule"))
    # Assessments and plans: administrators read the trail and never a plan's words, so
    # it records that they changed (and their dates and statuses), not what they say.
    _register(
        m("sessions_app", "Assessment"),
        mask_fields=[name for name, _, _ in m("sessions_app", "Assessment").AREAS],
        mask_callable="sessions_app.audit.redact",
    )
    _register(m("sessions_app", "TreatmentPlan"))
    _register(
        m("sessions_app", "Goal"),
        mask_fields=["need", "statement", "plain_words"],
        mask_callable="sessions_app.audit.redact",
    )
    _register(
        m("sessions_app", "Objective"),
        mask_fields=["behaviour", "criterion"],
        mask_callable="sessions_app.audit.redact",
    )
    _register(
        m("sessions_app", "ObjectiveProgress"),
        mask_fields=["level", "observation"],
        mask_callable="sessions_app.audit.redact",
    )
    # Progress reports and discharge summaries: administrators know one exists, its
    # status and dates, never what it says (see permissions, treatment planning).
    _register(
        m("sessions_app", "ProgressReport"),
        mask_fields=[
            "attendance",
            "progress",
            "measures",
            "own_words",
            "recommendations",
            "discharge_reason",
        ],
        mask_callable="sessions_app.audit.redact",
    )
    _register(
        m("sessions_app", "ReportAddendum"),
        mask_fields=["text"],
        mask_callable="sessions_app.audit.redact",
    )
    # Family links: who sent the song to whom, and revocations. The address typed is
    # the family's, not the record's, and the nonce is half the link's secret.
    _register(
        m("sessions_app", "FamilyLink"),
        mask_fields=["sent_to"],
        mask_callable="sessions_app.audit.redact",
    )
    # Who was given which sites, groups and permissions is the heart of access control.
    _register(m("sessions_app", "User"), m2m_fields={"sites", "groups", "user_permissions"})
    # The same rows through the proxy the admin's pickers use (signals name the proxy).
    _register(m("sessions_app", "Therapist"))


# Never in an entry's diff, whichever model has them.
EXCLUDED_FIELDS = ("password", "calendar_token", "last_login", "nonce")


def _register(model: type[Model], **options) -> None:
    if not auditlog.contains(model):
        names = {f.name for f in model._meta.get_fields()}
        auditlog.register(
            model, exclude_fields=[n for n in EXCLUDED_FIELDS if n in names], **options
        )


def log_bulk_saves(
    *,
    created: Sequence[Model] = (),
    updated: Sequence[tuple[Model, Model]] = (),
    actor=None,
) -> None:
    """Audit rows written with bulk_create / bulk_update, which send no model signals.

    `updated` pairs each row as it was before the change with the row as saved. The
    entries are written in one INSERT, with the actor and address of the request being
    served (AuditlogMiddleware) like those auditlog writes itself; outside a request
    (a command, a task) with the `actor` the service was given.
    """
    context = _request_context.get() or {}
    actor = context.get("actor") or actor
    cid = get_cid()
    entries = []
    for action, old, new in [(LogEntry.Action.CREATE, None, row) for row in created] + [
        (LogEntry.Action.UPDATE, old, new) for old, new in updated
    ]:
        changes = model_instance_diff(old, new)
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(new.__class__),
                # bulk_create returns primary keys on PostgreSQL and recent SQLite.
                object_pk="" if new.pk is None else str(new.pk),
                object_id=new.pk,
                object_repr=str(new),
                action=action,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=context.get("remote_addr"),
                remote_port=context.get("remote_port"),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries)


def snapshot(row: Model) -> Model:
    """A copy of a row as it is now, to diff against after changing it in place."""
    return copy(row)


# --- Who and from where -----------------------------------------------------------------


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from, as the web server saw it.

    Only REMOTE_ADDR, like the login throttle (AXES_IPWARE_META_PRECEDENCE_ORDER): an
    X-Forwarded-For header is whatever the client chose to send, and an audit trail
    must not record an address the person could make up.
    """
    return request.META.get("REMOTE_ADDR") or None


# Who and from where, for the request being served, and only while it is served:
# auditlog's own context variable outlives its request, so it is not read here.
_request_context: ContextVar[dict | None] = ContextVar("refrain_audit_request", default=None)


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware (actor and address on every entry of the request), with the
    address taken from REMOTE_ADDR only (see `client_address`)."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_context.set(self.get_extra_data(request))
        try:
            return super().__call__(request)
        finally:
            _request_context.reset(token)

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_address(request)

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        return None


# --- Access: the pages whose every view, print and export is logged ---------------------


@dataclass(frozen=True)
class AuditedPage:
    """A page (URL name) whose successful responses are logged as ACCESS entries.

    The entry names the record the URL names (`kwarg`), without loading it: one INSERT
    per page, so auditing adds a single query to a page however large it is. The
    review screen puts names to the records when it shows them.
    """

    what: str  # view, print or export
    model: str  # "sessions_app.Participant": the kind of record the kwarg names
    kwarg: str | None  # the URL kwarg naming it; None for pages about no single record
    # What of the record the page shows, when it is not the record itself: a session's
    # note pages name the session, with about="note".
    about: str = ""
    methods: frozenset[str] = frozenset({"GET", "HEAD"})


_SESSION = {"model": "sessions_app.Session", "kwarg": "session_id"}
_NOTE = {**_SESSION, "about": "note"}
_PARTICIPANT = {"model": "sessions_app.Participant", "kwarg": "participant_id"}
_PROJECT = {"model": "sessions_app.LullabyProject", "kwarg": "project_id"}
_GROUP = {"model": "sessions_app.Group", "kwarg": "group_id"}
_REPORT = {**_PARTICIPANT, "about": "progress report"}
# A page that shows the report again when its form is refused.
_GET_POST = frozenset({"GET", "HEAD", "POST"})

AUDITED_PAGES: dict[str, AuditedPage] = {
    # Clinical records as staff see them.
    "participant_detail": AuditedPage(VIEW, **_PARTICIPANT),
    "session_detail": AuditedPage(VIEW, **_SESSION),
    "roll_call": AuditedPage(VIEW, **_SESSION, about="attendance"),
    "note_edit": AuditedPage(VIEW, **_NOTE),
    "note_sign": AuditedPage(VIEW, **_NOTE),
    "note_print": AuditedPage(PRINT, **_NOTE),
    "note_print_participant": AuditedPage(PRINT, **_PARTICIPANT, about="note"),
    # Administration: attendance of one person, consents, exports, prints.
    "report_participant": AuditedPage(VIEW, **_PARTICIPANT, about="attendance"),
    "report_participant_csv": AuditedPage(EXPORT, **_PARTICIPANT, about="attendance"),
    "report_overview_csv": AuditedPage(EXPORT, "sessions_app.Site", None, "attendance"),
    "report_site_csv": AuditedPage(EXPORT, "sessions_app.Site", "site_id", "attendance"),
    "report_group_csv": AuditedPage(EXPORT, "sessions_app.Group", "group_id", "attendance"),
    "report_therapist_csv": AuditedPage(EXPORT, "sessions_app.User", "therapist_id", "attendance"),
    "report_slipping_csv": AuditedPage(EXPORT, "sessions_app.Participant", None, "attendance"),
    "session_sign_in_sheet": AuditedPage(PRINT, **_SESSION, about="sign-in sheet"),
    "participant_consents": AuditedPage(VIEW, **_PARTICIPANT, about="consents"),
    # The export itself is the POST that renders the records; its GET is the form.
    "participant_records_export": AuditedPage(
        EXPORT, **_PARTICIPANT, about="records", methods=frozenset({"POST"})
    ),
    # Reflections (participants' pages): staff pages with a participant's own words.
    "participant_chart": AuditedPage(VIEW, **_PARTICIPANT, about="reflections"),
    "reflection_enter": AuditedPage(VIEW, **_PARTICIPANT, about="reflection"),
    # Lullaby projects: the project, its drafts, recordings, log and audio.
    "lullaby_project": AuditedPage(VIEW, **_PROJECT),
    "lullaby_draft": AuditedPage(VIEW, **_PROJECT, about="lyric draft"),
    "lullaby_draft_compare": AuditedPage(VIEW, **_PROJECT, about="lyric drafts"),
    "lullaby_recording": AuditedPage(VIEW, **_PROJECT, about="recording session"),
    "lullaby_log": AuditedPage(PRINT, **_PROJECT, about="recording log"),
    "lullaby_take_audio": AuditedPage(VIEW, **_PROJECT, about="recording audio"),
    "lullaby_board": AuditedPage(VIEW, "sessions_app.LullabyProject", None, "project list"),
    "lullaby_project_new": AuditedPage(VIEW, "sessions_app.Participant", None, "project form"),
    "lullaby_project_edit": AuditedPage(VIEW, **_PROJECT, about="project form"),
    "lullaby_stage": AuditedPage(VIEW, **_PROJECT, about="stage"),
    "lullaby_consent": AuditedPage(VIEW, **_PROJECT, about="consent"),
    "lullaby_delivery": AuditedPage(VIEW, **_PROJECT, about="delivery"),
    "lullaby_draft_new": AuditedPage(VIEW, **_PROJECT, about="lyric draft"),
    "lullaby_recording_new": AuditedPage(VIEW, **_PROJECT, about="recording session"),
    "lullaby_take_new": AuditedPage(VIEW, **_PROJECT, about="take"),
    "lullaby_take_edit": AuditedPage(VIEW, **_PROJECT, about="take"),
    "lullaby_track_new": AuditedPage(VIEW, **_PROJECT, about="dedication or melody idea"),
    "lullaby_track_audio": AuditedPage(VIEW, **_PROJECT, about="recording audio"),
    "lullaby_family_link_new": AuditedPage(VIEW, **_PROJECT, about="family link"),
    # Sharing-session programs name participants (or their stage names) and songs.
    "lullaby_program": AuditedPage(PRINT, "sessions_app.SharingProgram", "program_id", "program"),
    "lullaby_program_edit": AuditedPage(
        VIEW, "sessions_app.SharingProgram", "program_id", "program songs"
    ),
    # Groups: their pages name the people on the roster.
    "group_detail": AuditedPage(VIEW, **_GROUP, about="roster"),
    "group_roster": AuditedPage(VIEW, **_GROUP, about="roster"),
    "group_enroll": AuditedPage(VIEW, **_GROUP, about="enrolment"),
    "enrollment_discharge": AuditedPage(VIEW, **_GROUP, about="discharge"),
    "note_addendum": AuditedPage(VIEW, **_NOTE),
    # The supervisor reads the note as they co-sign it or send it back.
    "note_review": AuditedPage(VIEW, **_NOTE, methods=frozenset({"POST"})),
    "participant_links_revoke": AuditedPage(VIEW, **_PARTICIPANT, about="links"),
    "participant_feed_reset": AuditedPage(VIEW, **_PARTICIPANT, about="calendar feed"),
    # Administration pages that list people by name.
    "report_group": AuditedPage(VIEW, **_GROUP, about="attendance"),
    "report_therapist": AuditedPage(VIEW, "sessions_app.User", "therapist_id", "attendance"),
    "report_slipping": AuditedPage(VIEW, "sessions_app.Participant", None, "attendance"),
    "consent_list": AuditedPage(VIEW, "sessions_app.Consent", None, "consent list"),
    "consent_record": AuditedPage(VIEW, **_PARTICIPANT, about="consent form"),
    "consent_revoke": AuditedPage(VIEW, "sessions_app.Consent", "consent_id", "revocation"),
    "reminder_failures": AuditedPage(VIEW, "sessions_app.Reminder", None, "failed reminders"),
    "audit_log": AuditedPage(VIEW, "auditlog.LogEntry", None, "audit trail"),
    # Its path keeps the filter: the entry says which part of the trail left the building.
    "audit_log_csv": AuditedPage(EXPORT, "auditlog.LogEntry", None, "audit trail"),
    # Access outside the usual paths, and its review.
    "emergency_access_open": AuditedPage(VIEW, **_PARTICIPANT, about="emergency access form"),
    "emergency_access_find": AuditedPage(
        VIEW, "sessions_app.Participant", None, "emergency search"
    ),
    "emergency_access_review": AuditedPage(
        VIEW, "sessions_app.EmergencyAccess", None, "emergency access review"
    ),
    "first_look_review": AuditedPage(VIEW, "sessions_app.Enrollment", None, "first looks"),
    # Safety alerts: who needs follow-up, and (for their therapists) why.
    "safety_alert": AuditedPage(VIEW, "sessions_app.SafetyAlert", "alert_id"),
    "safety_alerts": AuditedPage(VIEW, "sessions_app.SafetyAlert", None, "alert list"),
    # Measures: one person's answers as charts and as a file; a group's weekly means.
    "participant_measures": AuditedPage(VIEW, **_PARTICIPANT, about="measures"),
    "participant_measures_csv": AuditedPage(EXPORT, **_PARTICIPANT, about="measures"),
    "group_measures_chart": AuditedPage(VIEW, **_GROUP, about="outcomes"),
    # Treatment planning: the record's page (for administrators, only its status and
    # dates), assessments and plans.
    "treatment_record": AuditedPage(VIEW, **_PARTICIPANT, about="treatment record"),
    "assessment_new": AuditedPage(VIEW, **_PARTICIPANT, about="assessment form"),
    "assessment": AuditedPage(VIEW, **_PARTICIPANT, about="assessment"),
    "treatment_plan": AuditedPage(VIEW, **_PARTICIPANT, about="treatment plan"),
    "treatment_plan_start": AuditedPage(
        VIEW, **_PARTICIPANT, about="treatment plan", methods=frozenset({"POST"})
    ),
    "treatment_plan_discard": AuditedPage(
        VIEW, **_PARTICIPANT, about="treatment plan", methods=frozenset({"POST"})
    ),
    # Names the participants whose plan review is overdue (dates only, no plan's words).
    "report_plans": AuditedPage(VIEW, "sessions_app.TreatmentPlan", None, "plan reviews"),
    # Check-in at the door: the roster names the group's participants; the answer form
    # names one (it never shows answers).
    "kiosk": AuditedPage(VIEW, **_SESSION, about="check-in roster"),
    "kiosk_answer": AuditedPage(VIEW, **_PARTICIPANT, about="check-in"),
    # Progress reports and discharge summaries (the report's id is in the entry's "also").
    "progress_report_new": AuditedPage(VIEW, **_REPORT),
    "progress_report": AuditedPage(VIEW, **_REPORT, methods=_GET_POST),
    "progress_report_sign": AuditedPage(VIEW, **_REPORT, methods=_GET_POST),
    "progress_report_print": AuditedPage(PRINT, **_REPORT),
    "progress_report_addendum": AuditedPage(VIEW, **_REPORT, methods=frozenset({"POST"})),
    "progress_report_discard": AuditedPage(VIEW, **_REPORT, methods=frozenset({"POST"})),
}

# Pages that show no participant's name and no clinical data, each with the reason. A
# URL in neither this list nor AUDITED_PAGES fails the test over the URLconf.
NOT_AUDITED: dict[str, str] = {
    "group_measures": "which questionnaires a group gives, and when: no people",
    "group_measure_remove": "removes a questionnaire from a group's schedule: no people",
    "report_outcomes": "aggregates per site and group, cells under five people suppressed; "
    "no one is named",
    "home": "staff homes show sessions and counts; a participant's home is their own",
    "login": "the login form",
    "logout": "logs out; the logout itself is an entry",
    "healthz": "service health",
    "favicon": "the site's icon",
    "csp_report": "browsers' reports of blocked content; logged without paths or ids",
    "group_list": "groups' names, times and counts",
    "group_create": "a form for a new group",
    "group_edit": "a group's schedule",
    "group_facilitators": "staff only",
    "group_facilitator_remove": "staff only",
    "group_skip_date": "a group's schedule",
    "session_move": "a session's time and place",
    "session_cancel": "a session's time and place",
    "session_restore": "a session's time and place",
    "session_plan": "songs and activities, no people",
    "plan_item_add": "songs and activities, no people",
    "plan_copy": "songs and activities, no people",
    "plan_item_edit": "songs and activities, no people",
    "plan_item_delete": "songs and activities, no people",
    "plan_item_move": "songs and activities, no people",
    "plan_reorder": "songs and activities, no people",
    "plan_song_choices": "the song library, no people",
    "song_list": "the shared song library",
    "song_new": "the shared song library",
    "song_detail": "a song and the sessions of the viewer's groups that used it",
    "song_edit": "the shared song library",
    "lullaby_take_final": "an action; its change is in the trail",
    "lullaby_own_project": "a participant's own page: they see only their own record",
    "lullaby_own_idea_new": "a participant's own page: their own melody idea",
    "lullaby_family_link_revoke": "an action; its change is in the trail",
    "lullaby_family_link_reissue": "an action; the revocation and the new link are in the trail",
    "lullaby_programs": "programs' titles, dates and sites; no people",
    # The family's page: reached by a secret, without a login, by someone outside the
    # programme; it shows the song and nothing about treatment. Its openings and
    # downloads are FamilyLinkVisit rows (time only), shown on the project page.
    "family_song": "the family's private link: no login, no treatment data; visits are "
    "FamilyLinkVisit rows",
    "family_song_audio": "the family's private link: the song only; downloads are "
    "FamilyLinkVisit rows",
    "family_dedication_audio": "the family's private link: the dedication only",
    "participant_link": "a participant's own signed link",
    "participant_home": "a participant's own page",
    "participant_reminders": "a participant's own page",
    "participant_reminders_stop": "a participant's own page",
    "participant_calendar": "a participant's own page",
    "participant_leave": "a participant's own page",
    "participant_rsvp": "a participant's own page",
    "participant_reflection": "a participant's own page",
    "participant_questions": "a participant's own page",
    "participant_measure_answer": "a participant's own page",
    "participant_checkin": "a participant's own page",
    "kiosk_start": "starts the door check-in (POST); its roster page is audited",
    "kiosk_exit": "the therapist's password to leave the door check-in; names nobody",
    "calendar_feed_therapist": "times and places of the therapist's own sessions",
    "calendar_feed_participant": "times and places only, for the participant themself",
    "therapist_calendar": "the therapist's own calendar link",
    "reminder_retry": "an action; its change is in the trail",
    "report_overview": "counts per site, no people",
    "report_site": "counts per group, no people",
    "emergency_access_end": "an action; its change is in the trail",
    "idle_keepalive": "keeps a staff sign-in alive; no record",
    "mfa_verify": "the second sign-in step; its outcome is an entry of its own",
    "mfa_security": "the person's own two-step sign-in; setting it up is an entry",
    "mfa_qr": "the person's own authenticator key",
    "mfa_recovery_codes": "the person's own recovery codes; making them is an entry",
    "mfa_staff": "staff names and whether they have a second factor; no participants",
    "mfa_reset": "a staff member's second factor; the reset is an entry",
    "idle_expire": "signs out after idle time, keeping the typed draft for its author",
    "emergency_access_reviewed": "an action; its change is in the trail",
    "first_look_decide": "an action; its change is in the trail",
}


class AccessAuditMiddleware:
    """After a successful (2xx) response of an audited page, write its ACCESS entry.

    The entry is written before the response leaves: if it cannot be written, the
    request fails rather than showing a record nobody will know was seen.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if 200 <= response.status_code < 300:
            match = getattr(request, "resolver_match", None)
            page = AUDITED_PAGES.get(match.url_name) if match is not None else None
            user = getattr(request, "user", None)
            if (
                page is not None
                and request.method in page.methods
                and user is not None
                and user.is_authenticated
            ):
                log_access(request=request, page=page, url_name=match.url_name, kwargs=match.kwargs)
        return response


def log_access(*, request: HttpRequest, page: AuditedPage, url_name: str, kwargs: dict) -> LogEntry:
    pk = kwargs.get(page.kwarg) if page.kwarg else None
    details = {"what": page.what, "page": url_name, "path": request.get_full_path()[:500]}
    if page.about:
        details["about"] = page.about
    # Set by permissions.get_participant_for_user when the record was reachable only
    # through break-glass.
    emergency = getattr(request, "emergency_access_id", None)
    if emergency:
        details["emergency"] = emergency
    others = {k: v for k, v in kwargs.items() if k != page.kwarg}
    if others:
        details["also"] = others
    return _write(
        request=request,
        model=apps.get_model(page.model),
        pk=int(pk) if pk is not None else None,
        label="",
        details=details,
        actor=request.user,
    )


def _write(
    *,
    request: HttpRequest | None,
    model: type[Model],
    pk: int | None,
    label: str,
    details: dict,
    actor=None,
) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="" if pk is None else str(pk),
        object_id=pk,
        object_repr=label,
        action=ACCESS,
        additional_data=details,
        actor=actor,
        actor_email=getattr(actor, "email", None) if actor is not None else None,
        remote_addr=client_address(request) if request is not None else None,
        cid=get_cid(),
    )


def log_refusal(*, request: HttpRequest, model: type[Model], pk: int, what: str) -> LogEntry:
    """A request refused a record that exists (see `permissions.deny`)."""
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    details = {
        "what": REFUSED,
        "refused": what,
        "method": request.method,
        "path": request.get_full_path()[:500],
    }
    if match is not None and match.url_name:
        details["page"] = match.url_name
    return _write(request=request, model=model, pk=pk, label="", details=details, actor=actor)


def log_emergency_access(*, request: HttpRequest, access) -> LogEntry:
    """A therapist opened a participant's record by break-glass, stating why."""
    return _write(
        request=request,
        model=apps.get_model("sessions_app", "Participant"),
        pk=access.participant_id,
        label="",
        details={
            "what": EMERGENCY,
            "emergency": access.pk,
            "reason": access.reason[:500],
            "until": access.expires_at.isoformat(),
        },
        actor=request.user,
    )


# --- Logins -------------------------------------------------------------------------------


def _user_model() -> type[Model]:
    return apps.get_model("sessions_app", "User")


@receiver(user_logged_in, dispatch_uid="refrain_audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    _write(
        request=request,
        model=_user_model(),
        pk=user.pk,
        label=str(user),
        details={"what": LOGIN},
        actor=user,
    )


@receiver(user_logged_out, dispatch_uid="refrain_audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    details = {"what": LOGOUT}
    # Set by whoever ends the session for the person (sessions_app/idle.py: "idle").
    reason = getattr(request, "logout_reason", None)
    if reason:
        details["reason"] = reason
    _write(
        request=request,
        model=_user_model(),
        pk=user.pk,
        label=str(user),
        details=details,
        actor=user,
    )


# The sender of the failed-login signal for a wrong second step, so that the login
# throttle counts it and the trail tells it from a wrong password.
SECOND_STEP = "sessions_app.mfa"


@receiver(user_login_failed, dispatch_uid="refrain_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed login, against the account it named if there is one.

    The attempted username is kept (people do type a password into the username box;
    this trail is for administrators only and the password itself never reaches here:
    Django masks it in `credentials`). A wrong second step is a failed login of its own
    kind; the code typed is never kept.
    """
    User = _user_model()
    username = str(credentials.get(User.USERNAME_FIELD, "") or "")[:150]
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    _write(
        request=request,
        model=User,
        pk=account.pk if account is not None else None,
        label=str(account) if account is not None else "",
        details={
            "what": MFA_FAILED if sender == SECOND_STEP else LOGIN_FAILED,
            "username": username,
        },
        actor=None,
    )


def log_second_factor(
    *, request: HttpRequest | None, user, what: str, by=None, details: dict | None = None
) -> LogEntry:
    """An event of `user`'s two-step sign-in, done by `by` (an administrator's reset)
    or by the user themself."""
    by = by or user
    extra = {"what": what, "username": user.get_username(), **(details or {})}
    if by.pk != user.pk:
        extra["by"] = by.get_username()
    return _write(
        request=request, model=_user_model(), pk=user.pk, label=str(user), details=extra, actor=by
    )


def access_kinds_label(what: str) -> str:
    return {
        VIEW: "Viewed",
        PRINT: "Printed",
        EXPORT: "Exported",
        LOGIN: "Logged in",
        LOGIN_FAILED: "Failed login",
        LOGOUT: "Logged out",
        REFUSED: "Refused",
        EMERGENCY: "Emergency access",
        MFA_ENROLLED: "Set up two-step sign-in",
        MFA_VERIFIED: "Passed the second step",
        MFA_FAILED: "Failed the second step",
        MFA_RECOVERY_USED: "Used a recovery code",
        MFA_CODES_GENERATED: "Made new recovery codes",
        MFA_RESET: "Reset two-step sign-in",
    }.get(what, "Accessed")


# --- Record kinds: what a person looks an entry up under ---------------------------------

# A page about part of a record (AuditedPage.about) names the record it is reached from:
# a note's pages name its session. Someone reviewing the trail looks for them under
# what the page shows, so these entries are filed under that kind of record too: the
# filter's "Session note" finds them, and the screen and the export name them so. An
# `about` missing here keeps the kind of the record the page names ("Session (roster)").
ABOUT_KINDS: dict[str, str] = {
    "note": "sessions_app.SessionNote",
    "attendance": "sessions_app.Attendance",
    "consents": "sessions_app.Consent",
    "consent form": "sessions_app.Consent",
    "consent": "sessions_app.ProjectConsent",
    "reflections": "sessions_app.Reflection",
    "reflection": "sessions_app.Reflection",
    "enrolment": "sessions_app.Enrollment",
    "discharge": "sessions_app.Enrollment",
    "progress report": "sessions_app.ProgressReport",
}


def abouts_of_kind(model: type[Model]) -> list[str]:
    """The `about`s of pages filed under `model` (see ABOUT_KINDS)."""
    return sorted(a for a, label in ABOUT_KINDS.items() if apps.get_model(label) is model)


def record_kind(model: type[Model] | None, about: str = "") -> str:
    """The name of the kind of record an entry is about, as the filter offers it."""
    if about in ABOUT_KINDS:
        model = apps.get_model(ABOUT_KINDS[about])
    if model is None:
        return "Record"
    kind = str(model._meta.verbose_name).capitalize()
    return f"{kind} ({about})" if about and about not in ABOUT_KINDS else kind


def audited_models() -> Iterable[type[Model]]:
    """The kinds of record that appear in the trail, for the review screen's filter."""
    seen = {apps.get_model(p.model) for p in AUDITED_PAGES.values()}
    models = {m for m in set(auditlog.get_models()) | seen if not m._meta.proxy}
    return sorted(models, key=lambda m: str(m._meta.verbose_name))
