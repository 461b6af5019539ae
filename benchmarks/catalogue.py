"""Which pages the benchmark opens, as whom, with ids picked from the data.

`pages()` answers every GET page of every role, with the busiest or most typical record
of its kind (the therapist's busiest group, a session held last week, its note...), so a
page is measured where it has the most to show. `not_measured()` lists the URL names of
the URLconf no row covers, so that a new page cannot be left out silently.

Runs inside Django (the harness calls `django.setup()` on the benchmark's database).
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# The fixed logins of `manage.py seed_scale`.
LOGINS = {
    "therapist": "scale-therapist",
    "participant": "scale-participant",
    "siteadmin": "scale-siteadmin",
    "admin": "scale-admin",
    "artist": "scale-artist",
}
# Pages reached with no login: a secret in the URL is the key (or the login form itself).
ANONYMOUS = "anonymous"
# A participant with no login, in the browser session a signed link opened.
LINK_SESSION = "owner (link)"

# URL names that answer only POST (actions, not pages), and those left out on purpose.
NOT_PAGES = {
    "logout": "POST only",
    "group_facilitator_remove": "POST only",
    "lullaby_stage": "POST only",
    "lullaby_take_final": "POST only",
    "participant_reminders_stop": "POST only",
    "participant_rsvp": "POST only",
    "participant_calendar": "POST only",
    "participant_leave": "POST only",
    "plan_item_move": "POST only",
    "participant_links_revoke": "POST only",
    "participant_feed_reset": "POST only",
    "reminder_retry": "POST only",
    "csp_report": "POST only (browsers report CSP violations to it)",
    "note_addendum": "POST only (a GET goes back to the note's addenda)",
    "healthz": "a probe: its status follows Celery beat, which the benchmark does not run",
    "lullaby_take_audio": "serves an uploaded file; the scale data has none",
    "lullaby_track_audio": "serves an uploaded file; the scale data has none",
    "lullaby_own_idea_new": "POST only (an upload from the participant's page)",
    "lullaby_family_link_revoke": "POST only",
    "lullaby_family_link_reissue": "POST only",
    "lullaby_program": "the scale data has no sharing-session programs",
    "lullaby_program_edit": "the scale data has no sharing-session programs",
    "family_song": "needs a family link, which the scale data has none of (no final take "
    "has audio)",
    "family_song_audio": "serves an uploaded file; the scale data has none",
    "family_dedication_audio": "serves an uploaded file; the scale data has none",
    "mfa_recovery_codes": "POST only",
    "emergency_access_end": "POST only",
    "emergency_access_reviewed": "POST only",
    "first_look_decide": "POST only",
    "note_review": "POST only (co-sign, or send back with a comment)",
    "group_measure_remove": "POST only",
    "idle_expire": "POST only",
    "kiosk_start": "POST only",
    "kiosk": "opens only in kiosk mode, which a POST starts on a session of the day",
    "kiosk_answer": "opens only in kiosk mode, which a POST starts on a session of the day",
    "kiosk_exit": "opens only in kiosk mode, which a POST starts on a session of the day",
    "plan_reorder": "POST only",
    "progress_report_addendum": "POST only",
    "treatment_plan_start": "POST only",
    "treatment_plan_discard": "POST only",
    "progress_report_discard": "POST only",
    "favicon": "a redirect to a static file",
    "mfa_verify": "the second step, asked only of staff who set one up; the benchmark's "
    "staff have none (STAFF_MFA_REQUIRED=0)",
}


@dataclass(frozen=True)
class Page:
    name: str  # URL name, for the coverage check
    label: str  # what the row says, e.g. "report_site (year)"
    role: str  # key of LOGINS, or ANONYMOUS
    path: str
    # Opened many times a day by a therapist or a participant: held to half the
    # throughput of the 50-row floor.
    everyday: bool = False
    # Key into benchmarks.report_sql's functions, with the parameters to call it with.
    sql: str | None = None
    sql_params: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Picks:
    """The records the pages are opened on."""

    therapist: object
    group: object
    session: object  # held last week (or the latest held), in the therapist's busiest group
    upcoming: object  # the therapist's next scheduled session
    member: object  # a participant enrolled in that group
    song: object
    project: object | None  # a lullaby project of the artist
    participant: object  # the participant who logs in
    participant_session: object | None  # a session they attended, for their reflection
    participant_next: object | None  # their next session, for a signed link
    siteadmin: object
    site_ids: list[int]  # every site, for the superuser's reports
    site: object  # the site administrator's site with the most groups
    deep_audit: str | None  # an audit position about a year back
    owner: object | None  # the participant of the artist's project, who follows a link
    draft: object | None  # the newest lyric draft of the artist's projects
    recording: object | None  # the artist's recording session with the most takes
    # The member's treatment record: their plan in force (else latest), latest assessment
    # and latest progress report (`ensure_treatment_record` writes any the data lacks).
    plan: object | None = None
    assessment: object | None = None
    report: object | None = None
    # A project of the therapist's own, for the forms only its therapist opens (the
    # artist's project when it is one, so both logins work on the same project).
    own_project: object | None = None


def pick() -> Picks:
    """Choose every record the pages are opened on, from the data."""
    from sessions_app.models import (
        Attendance,
        Group,
        LullabyProject,
        LyricDraft,
        Participant,
        RecordingSession,
        Session,
        Site,
        Song,
        User,
    )

    now = timezone.now()
    users = {role: User.objects.get(username=name) for role, name in LOGINS.items()}
    therapist = users["therapist"]
    group = (
        Group.objects.filter(facilitators=therapist)
        .annotate(n=Count("sessions"))
        .order_by("-n", "pk")
        .first()
    )
    held = Session.objects.filter(group=group, status="held", starts_at__lt=now)
    session = (
        held.filter(starts_at__gte=now - timedelta(days=7)).order_by("-starts_at").first()
        or held.order_by("-starts_at").first()
    )
    upcoming = (
        Session.objects.filter(group__facilitators=therapist, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    member = (
        Participant.objects.filter(attendance__session=session).order_by("pk").first()
        or Participant.objects.filter(enrollments__group=group).order_by("pk").first()
    )
    song = Song.objects.annotate(n=Count("plan_items")).order_by("-n", "pk").first()
    # One both fixed logins work on, when there is one: its forms are for them alone.
    projects = LullabyProject.objects.filter(teaching_artists=users["artist"]).order_by("pk")
    project = projects.filter(therapist=therapist).first() or projects.first()
    own_project = (
        project
        if project is not None and project.therapist_id == therapist.pk
        else LullabyProject.objects.filter(therapist=therapist).order_by("pk").first()
    )
    participant = Participant.objects.get(user=users["participant"])
    attended = (
        Attendance.objects.filter(participant=participant, status__in=["present", "late"])
        .select_related("session")
        .order_by("-session__starts_at")
        .first()
    )
    participant_next = (
        Session.objects.filter(
            group__enrollments__participant=participant, starts_at__gt=now, status="scheduled"
        )
        .order_by("starts_at")
        .first()
    )
    siteadmin = users["siteadmin"]
    site = (
        Site.objects.filter(administrators=siteadmin)
        .annotate(n=Count("groups"))
        .order_by("-n", "pk")
        .first()
    )
    return Picks(
        therapist=therapist,
        group=group,
        session=session,
        upcoming=upcoming,
        member=member,
        song=song,
        project=project,
        own_project=own_project,
        participant=participant,
        participant_session=attended.session if attended else None,
        participant_next=participant_next,
        siteadmin=siteadmin,
        site_ids=list(Site.objects.values_list("pk", flat=True)),
        site=site,
        deep_audit=_deep_audit_position(now - timedelta(days=365)),
        owner=project.participant if project else None,
        draft=LyricDraft.objects.filter(project__in=projects).order_by("-pk").first(),
        recording=RecordingSession.objects.filter(project__in=projects)
        .annotate(n=Count("takes"))
        .order_by("-n", "-pk")
        .first(),
    )


def _deep_audit_position(moment) -> str | None:
    """Where the audit trail's "older" link would be after paging back to `moment`."""
    from auditlog.models import LogEntry

    from sessions_app.selectors.audit import Position

    entry = LogEntry.objects.filter(timestamp__lte=moment).order_by("-timestamp", "-pk").first()
    return str(Position.of(entry)) if entry else None


def link_session_path(picks: Picks) -> str | None:
    """The signed "my page" link that gives the project owner a browser session."""
    from sessions_app.links import link_token

    if picks.owner is None:
        return None
    return reverse("participant_link", args=[link_token(participant=picks.owner, action="me")])


def ensure_feed_tokens(picks: Picks) -> None:
    """Calendar feeds are reached by a secret token; give the two users one if the data
    set did not (the benchmark's database is its own, so this write harms nobody)."""
    for obj in (picks.therapist, picks.participant):
        if not obj.calendar_token:
            obj.calendar_token = secrets.token_urlsafe(32)
            obj.save(update_fields=["calendar_token"])


def ensure_treatment_record(picks: Picks) -> None:
    """The treatment-record pages open on the member's plan in force, latest assessment
    and latest progress report; write any the data set lacks from their record, as their
    therapist would (the benchmark's database is its own)."""
    from sessions_app.models import Assessment, ProgressReport, TreatmentPlan
    from sessions_app.services import plans as plan_services
    from sessions_app.services.progress_reports import report_draft

    member, therapist = picks.member, picks.therapist
    today = timezone.now().astimezone(member.site.tz).date()
    picks.plan = (
        TreatmentPlan.objects.filter(participant=member)
        .order_by(F("superseded_at").asc(nulls_first=True), "-version")
        .first()
    ) or plan_services.plan_start(participant=member, by=therapist)
    picks.assessment = Assessment.objects.filter(participant=member).order_by(
        "-assessed_on", "-pk"
    ).first() or plan_services.assessment_save(
        participant=member, by=therapist, assessed_on=today, texts={"summary": "Connection."}
    )
    picks.report = ProgressReport.objects.filter(
        participant=member, status=ProgressReport.Status.SIGNED
    ).order_by("-period_end").first() or report_draft(
        participant=member,
        by=therapist,
        kind=ProgressReport.Kind.PROGRESS,
        period_start=today - timedelta(days=89),
        period_end=today,
    )


def pages(picks: Picks, *, today: date) -> list[Page]:
    """Every measured page, role by role."""
    return [
        *_therapist_pages(picks),
        *_participant_pages(picks),
        *_siteadmin_pages(picks, today=today),
        *_admin_pages(picks, today=today),
        *_artist_pages(picks),
        *_lullaby_forms(picks),
        *_anonymous_pages(picks),
    ]


def _page(name: str, role: str, *args, label: str = "", query: dict | None = None, **kw) -> Page:
    path = reverse(name, args=args)
    if query:
        path += "?" + urlencode(query)
    return Page(name=name, label=label or name, role=role, path=path, **kw)


def _therapist_pages(p: Picks) -> list[Page]:
    from sessions_app.models import Session

    t, s, g = "therapist", p.session.pk, p.group.pk
    rows = [
        _page("home", t, label="home (therapist)", everyday=True),
        _page("therapist_calendar", t),
        _page("group_list", t, label="group_list (therapist)"),
        _page("group_detail", t, g),
        _page("group_roster", t, g),
        _page("session_detail", t, s, everyday=True),
        _page("roll_call", t, s, everyday=True),
        _page("note_edit", t, s, everyday=True),
        _page("note_print", t, s),
        _page("note_print_participant", t, s, p.member.pk),
        _page("note_sign", t, s),
        _page("session_plan", t, s),
        _page("plan_item_add", t, s),
        _page("plan_copy", t, s),
        _page("session_sign_in_sheet", t, s),
        _page("reflection_enter", t, s, p.member.pk),
        _page("participant_detail", t, p.member.pk),
        _page("participant_chart", t, p.member.pk),
        _page("participant_measures", t, p.member.pk),
        _page("participant_measures_csv", t, p.member.pk),
        _page("progress_report_new", t, p.member.pk),
        _page("treatment_record", t, p.member.pk, label="treatment_record (therapist)"),
        _page("assessment_new", t, p.member.pk),
        _page("group_measures_chart", t, g),
        _page("song_list", t, everyday=True),
        _page("song_list", t, label="song_list (search)", query={"q": "love"}),
        _page("song_detail", t, p.song.pk),
        _page("song_new", t),
        _page("song_edit", t, p.song.pk),
        _page("group_enroll", t, g),
        _page("group_skip_date", t, g),
        _page("group_measures", t, g),
        _page("safety_alerts", t, label="safety_alerts (therapist)"),
        _page("safety_alert", t, _therapists_alert(p)),
        _page("lullaby_board", t, label="lullaby_board (therapist)"),
        # Setting up two-step sign-in: the page and its QR code.
        _page("mfa_security", t),
        _page("mfa_qr", t),
        # Asked by every staff page at most once a minute while someone types.
        _page("idle_keepalive", t),
        _page("plan_song_choices", t, s, query={"q": "love"}),
        # Emergency access: the search over the therapist's sites, and the form.
        _page("emergency_access_find", t, query={"q": "an"}),
        _page("emergency_access_open", t, _break_glass_candidate(p)),
    ]
    if p.plan is not None:
        rows += [
            _page("treatment_plan", t, p.member.pk, p.plan.pk),
            _page("assessment", t, p.member.pk, p.assessment.pk),
        ]
    if p.report is not None:
        rows += [
            _page("progress_report", t, p.member.pk, p.report.pk),
            _page("progress_report_sign", t, p.member.pk, p.report.pk),
            _page("progress_report_print", t, p.member.pk, p.report.pk),
        ]
    if p.upcoming is not None:
        rows += [
            _page("session_move", t, p.upcoming.pk),
            _page("session_cancel", t, p.upcoming.pk),
        ]
    item = p.session.plan_items.order_by("pk").first()
    if item is not None:
        rows += [
            _page("plan_item_edit", t, s, item.pk),
            _page("plan_item_delete", t, s, item.pk),
        ]
    enrollment = p.group.enrollments.filter(status="active").order_by("pk").first()
    if enrollment is not None:
        rows.append(_page("enrollment_discharge", t, g, enrollment.pk))
    cancelled = (
        Session.objects.filter(group__facilitators=p.therapist, status="cancelled")
        .order_by("-starts_at")
        .first()
    )
    if cancelled is not None:
        rows.append(_page("session_restore", t, cancelled.pk))
    return rows


def _participant_pages(p: Picks) -> list[Page]:
    me = "participant"
    rows = [
        _page("participant_home", me, everyday=True),
        _page("participant_reminders", me),
        _page("participant_questions", me, everyday=True),
    ]
    if p.participant_session is not None:
        rows.append(_page("participant_reflection", me, p.participant_session.pk))
    if p.participant_next is not None:
        rows.append(_page("participant_checkin", me, p.participant_next.pk))
    rows.append(_page("participant_measure_answer", me, _open_request(p)))
    if p.project is not None:
        rows.append(_page("lullaby_own_project", LINK_SESSION, p.project.pk))
    return rows


def _report_periods(today: date) -> dict[str, dict]:
    """A whole past month and the year up to today."""
    month_end = today.replace(day=1) - timedelta(days=1)
    return {
        "month": {"start": month_end.replace(day=1), "end": month_end},
        "year": {"start": today - timedelta(days=365), "end": today},
    }


def _siteadmin_pages(p: Picks, *, today: date) -> list[Page]:
    a, site = "siteadmin", p.site
    periods = _report_periods(today)
    sites = [s.pk for s in p.siteadmin.sites.all()]
    rows = [
        _page("home", a, label="home (site admin)"),
        _page("group_list", a, label="group_list (site admin)"),
        _page("group_edit", a, p.group.pk) if p.group.site_id in sites else None,
        _page("group_create", a),
        _page("group_facilitators", a, p.group.pk) if p.group.site_id in sites else None,
    ]
    for span, period in periods.items():
        query = {k: v.isoformat() for k, v in period.items()}
        params = {"site_ids": [site.pk], **period}
        rows += [
            _page("report_overview", a, label=f"report_overview ({span}, site admin)", query=query),
            _page(
                "report_site",
                a,
                site.pk,
                label=f"report_site ({span})",
                query=query,
                sql="site_report",
                sql_params=params,
            ),
            _page("report_site_csv", a, site.pk, label=f"report_site_csv ({span})", query=query),
        ]
    month = {k: v.isoformat() for k, v in periods["month"].items()}
    rows += [
        _page("report_overview_csv", a, query=month),
        _page(
            "report_group",
            a,
            _site_group(p),
            query=month,
            sql="group_report",
            sql_params={"group_id": _site_group(p), **periods["month"]},
        ),
        _page("report_group_csv", a, _site_group(p), query=month),
        _page(
            "report_therapist",
            a,
            _site_therapist(p),
            query=month,
            sql="therapist_report",
            sql_params={"therapist_id": _site_therapist(p), "site_ids": sites, **periods["month"]},
        ),
        _page("report_therapist_csv", a, _site_therapist(p), query=month),
        _page("report_participant", a, _site_participant(p), query=month),
        _page("report_participant_csv", a, _site_participant(p), query=month),
        _page(
            "report_slipping",
            a,
            label="report_slipping (site admin)",
            sql="slipping_away",
            sql_params={"site_ids": sites},
        ),
        _page("report_slipping_csv", a),
        _page("report_plans", a, label="report_plans (site admin)"),
        _page(
            "report_outcomes",
            a,
            label="report_outcomes (year, site admin)",
            query={**{k: v.isoformat() for k, v in periods["year"].items()}, "instrument": "ucla3"},
        ),
        _page("group_measures_chart", a, _site_group(p), label="group_measures_chart (site admin)"),
        _page("audit_log", a, label="audit_log (site admin)"),
        _page("consent_list", a),
        _page("participant_consents", a, _site_participant(p)),
        _page("treatment_record", a, _site_participant(p), label="treatment_record (site admin)"),
        _page("consent_record", a, _site_participant(p)),
        *_consent_revoke(p),
        _page("participant_records_export", a, _site_participant(p)),
        _page("reminder_failures", a, label="reminder_failures (site admin)"),
        _page("song_list", a, label="song_list (site admin)"),
        _page("mfa_staff", a),
        _page("mfa_reset", a, _site_therapist(p)),
        _page("emergency_access_review", a, query={"show": "all"}),
        _page("first_look_review", a),
        _page("safety_alerts", a, label="safety_alerts (site admin)"),
    ]
    return [row for row in rows if row is not None]


def _site_group(p: Picks) -> int:
    from sessions_app.models import Group

    return (
        Group.objects.filter(site=p.site).annotate(n=Count("enrollments")).order_by("-n", "pk")
    )[0].pk


def _open_request(p: Picks) -> int:
    """A questionnaire the participant may answer today (the seed keeps one open)."""
    from django.utils import timezone

    from sessions_app.models import MeasureRequest

    return (
        MeasureRequest.objects.filter(
            participant=p.participant, status="open", due_on__lte=timezone.localdate()
        )
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[0]
    )


def _therapists_alert(p: Picks) -> int:
    """The newest safety alert about someone in the therapist's care."""
    from sessions_app.permissions import alerts_for

    return alerts_for(p.therapist).order_by("-raised_at", "-pk").values_list("pk", flat=True)[0]


def _break_glass_candidate(p: Picks) -> int:
    """Someone at a site the therapist works at, outside their groups. A small data set
    may enrol everyone at the therapist's sites in their groups: then the therapist is
    given a second site to work at, as an administrator would."""
    from sessions_app.models import Site
    from sessions_app.permissions import break_glass_candidates

    candidates = break_glass_candidates(p.therapist).order_by("pk").values_list("pk", flat=True)
    if not candidates.exists():
        other = Site.objects.exclude(groups__facilitators=p.therapist).order_by("pk").first()
        p.therapist.sites.add(other)
    return candidates[0]


def _site_therapist(p: Picks) -> int:
    from sessions_app.models import User

    return (
        User.objects.filter(role="therapist", facilitations__group__site=p.site)
        .annotate(n=Count("facilitations"))
        .order_by("-n", "pk")
    )[0].pk


def _site_participant(p: Picks) -> int:
    from sessions_app.models import Participant

    return (
        Participant.objects.filter(site=p.site)
        .annotate(n=Count("attendance", filter=Q(attendance__status="present")))
        .order_by("-n", "pk")
    )[0].pk


def _consent_revoke(p: Picks) -> list[Page]:
    from sessions_app.models import Consent

    consent = (
        Consent.objects.filter(participant__site=p.site, revoked_at__isnull=True)
        .order_by("pk")
        .first()
    )
    return [_page("consent_revoke", "siteadmin", consent.pk)] if consent else []


def _admin_pages(p: Picks, *, today: date) -> list[Page]:
    a = "admin"
    periods = _report_periods(today)
    rows = [
        _page("home", a, label="home (admin)"),
        _page("group_list", a, label="group_list (admin)"),
        _page("report_overview", a, label="report_overview (this month, admin)"),
        _page(
            "report_overview",
            a,
            label="report_overview (year, admin)",
            query={k: v.isoformat() for k, v in periods["year"].items()},
        ),
        _page(
            "report_slipping",
            a,
            label="report_slipping (admin)",
            sql="slipping_away",
            sql_params={"site_ids": p.site_ids},
        ),
        _page("report_plans", a, label="report_plans (admin, all sites)"),
        _page("audit_log", a, label="audit_log (admin)"),
        _page(
            "audit_log",
            a,
            label="audit_log (admin, by user)",
            query={"user": LOGINS["therapist"]},
        ),
        _page(
            "audit_log",
            a,
            label="audit_log (admin, one session)",
            query={"record_type": "sessions_app.session", "record_id": p.session.pk},
        ),
        _page(
            "audit_log",
            a,
            label="audit_log (admin, changes in a month)",
            query={
                "action": "update",
                **{k: v.isoformat() for k, v in periods["month"].items()},
            },
        ),
        # Streamed: the query count misses the reads made while the file is sent.
        _page(
            "audit_log_csv",
            a,
            label="audit_log_csv (admin, changes in a month)",
            query={
                "action": "update",
                **{k: v.isoformat() for k, v in periods["month"].items()},
            },
        ),
        _page("reminder_failures", a, label="reminder_failures (admin)"),
        _page("lullaby_board", a, label="lullaby_board (admin)"),
    ]
    if p.deep_audit:
        rows.append(
            _page("audit_log", a, label="audit_log (a year deep)", query={"older": p.deep_audit})
        )
    return rows


def _lullaby_forms(p: Picks) -> list[Page]:
    """The lullaby forms: a project is started and managed by its own therapist, and
    written in by its therapist and teaching artists; administrators only read."""
    rows = [_page("lullaby_project_new", "therapist"), _page("lullaby_programs", "therapist")]
    if p.own_project is not None:
        own = p.own_project.pk
        rows += [
            _page("lullaby_project_edit", "therapist", own),
            _page("lullaby_consent", "therapist", own),
            _page("lullaby_delivery", "therapist", own),
            _page("lullaby_family_link_new", "therapist", own),
        ]
    if p.project is None:
        return rows
    pk = p.project.pk
    rows += [
        _page("lullaby_draft_new", "artist", pk),
        _page("lullaby_recording_new", "artist", pk),
        _page("lullaby_track_new", "artist", pk),
    ]
    if p.draft is not None:
        rows.append(_page("lullaby_draft_compare", "artist", p.draft.project_id))
    if p.recording is not None:
        rec = p.recording
        rows.append(_page("lullaby_take_new", "artist", rec.project_id, rec.pk))
        take = rec.takes.order_by("pk").first()
        if take is not None:
            rows.append(_page("lullaby_take_edit", "artist", rec.project_id, take.pk))
    return rows


def _artist_pages(p: Picks) -> list[Page]:
    a = "artist"
    rows = [_page("home", a, label="home (artist)"), _page("lullaby_board", a)]
    if p.project is None:
        return rows
    pk = p.project.pk
    rows += [
        _page("lullaby_project", a, pk),
        _page("lullaby_log", a, pk),
    ]
    if p.draft is not None:
        rows.append(_page("lullaby_draft", a, p.draft.project_id, p.draft.pk))
    if p.recording is not None:
        rows.append(_page("lullaby_recording", a, p.recording.project_id, p.recording.pk))
    return rows


def _anonymous_pages(p: Picks) -> list[Page]:
    from sessions_app.links import link_token

    rows = [
        _page("login", ANONYMOUS),
        _page("calendar_feed_therapist", ANONYMOUS, p.therapist.calendar_token),
        _page("calendar_feed_participant", ANONYMOUS, p.participant.calendar_token),
    ]
    if p.participant_next is not None:
        token = link_token(
            participant=p.participant, action="confirm", session_id=p.participant_next.pk
        )
        rows.append(_page("participant_link", ANONYMOUS, token, label="participant_link (confirm)"))
    return rows


def url_names() -> set[str]:
    """Every named URL of the app (the admin's own and the benchmark's floors aside)."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name and namespace is None:
                names.add(entry.name)

    walk(get_resolver().url_patterns, None)
    return {name for name in names if not name.startswith("bench_")}


def not_measured(measured: list[Page]) -> tuple[list[str], dict[str, str]]:
    """(GET pages no row covers, names left out on purpose with why)."""
    covered = {page.name for page in measured}
    names = url_names()
    skipped = {name: why for name, why in NOT_PAGES.items() if name in names}
    return sorted(names - covered - set(skipped)), skipped
