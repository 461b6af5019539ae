"""WCAG 2.2 AA as axe-core checks it, on every page type of every role, in a real browser.

The demo data set (every kind of record: notes, plans, reports, lullaby projects,
measures, alerts) is seeded into the test database; then each role opens its pages in
Debian's Chromium at desktop, tablet and phone sizes, a few forms are sent empty to
check their error state, and axe-core (vendored in static/vendor/axe-core/, never from a
CDN) runs on each. Any serious or critical violation fails the test, named by page,
size, rule and element.

A page is loaded once and checked at the three sizes by resizing it, which costs a
fraction of three loads. axe is evaluated through the DevTools protocol, which the
site's Content-Security-Policy does not govern, so the policy stays as production has
it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from benchmarks import catalogue
from sessions_app.demo.seed import demo_seed
from sessions_app.links import link_token
from sessions_app.models import (
    Assessment,
    Attendance,
    FamilyLink,
    Group,
    LullabyProject,
    MeasureRequest,
    Participant,
    ProgressReport,
    ProjectConsent,
    SafetyAlert,
    Session,
    SessionNote,
    SharingProgram,
    Site,
    Song,
    TreatmentPlan,
    User,
)
from sessions_app.permissions import break_glass_candidates
from sessions_app.services.family_links import family_link_token
from tests import factories as f
from tests import test_browser

browser_type_launch_args = test_browser.browser_type_launch_args
base_url = test_browser.base_url
screenshots = test_browser.screenshots

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SIZES = {
    "desktop": {"width": 1280, "height": 800},
    "tablet": {"width": 1024, "height": 768},
    "phone": {"width": 390, "height": 844},
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# The roles that open pages, and how each gets its browser session.
THERAPIST, KIOSK, PARTICIPANT, LINK, ADMIN, ARTIST, ANONYMOUS = (
    "therapist",
    "therapist (check-in at the door)",
    "participant",
    "participant (signed link)",
    "admin",
    "artist",
    "anonymous",
)

# GET URL names the test does not open, and why. Every other named URL must be visited.
NOT_CHECKED = {
    **{name: why for name, why in catalogue.NOT_PAGES.items() if why.startswith("POST only")},
    "participant_leave": "POST only (the page it answers with says goodbye in one line)",
    "healthz": "a plain-text probe for the load balancer",
    "favicon": "a redirect to a static file",
    "mfa_verify": "asked only of staff who set up two-step sign-in; the demo's staff have not",
    "mfa_qr": "an SVG image (the QR code on the two-step page, which is checked)",
    "idle_keepalive": "a JSON answer to the idle timer",
    "plan_song_choices": "an HTML fragment the song picker fetches into the plan form",
    "lullaby_take_audio": "an audio file",
    "lullaby_track_audio": "an audio file",
    "family_song_audio": "an audio file (the family's song)",
    "family_dedication_audio": "an audio file (the family's dedication)",
    "calendar_feed_therapist": "an iCalendar feed",
    "calendar_feed_participant": "an iCalendar feed",
    "participant_measures_csv": "a CSV download",
    "report_overview_csv": "a CSV download",
    "report_site_csv": "a CSV download",
    "report_group_csv": "a CSV download",
    "report_therapist_csv": "a CSV download",
    "report_participant_csv": "a CSV download",
    "report_slipping_csv": "a CSV download",
    "audit_log_csv": "a CSV download",
}

# Started in the page without waiting, so several pages can be checked at once: axe's
# WCAG A/AA rules, violations only, with what a reader needs; then collected.
START_AXE = """(tags) => {
  window.__axe = axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  }).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '),
                              summary: n.failureSummary})),
  })));
}"""
AXE_RESULT = "() => window.__axe"

# Empty every field of the form the button sends, so the page comes back with errors.
EMPTY_AND_SEND = """(selector) => {
  const button = document.querySelector(selector);
  const form = button.form;
  form.noValidate = true;
  for (const field of form.elements) {
    if (field.matches('textarea, input:not([type=hidden]):not([type=submit])'
                      + ':not([type=checkbox]):not([type=radio]):not([type=button])')) {
      field.value = '';
    } else if (field.type === 'radio') {
      field.checked = false;
    }
  }
}"""
ERROR_STATE = ".is-invalid, .invalid-feedback, .alert-danger, [aria-invalid=true], .errorlist"


@dataclass(frozen=True)
class Visit:
    name: str  # URL name, for the coverage check
    path: str
    label: str = ""
    # A form's submit button: after the page is checked, its form is sent with every
    # field emptied and the page that comes back (its error state) is checked too.
    send_empty: str | None = None
    # Menus opened before the check, so their items are checked too.
    open_menus: bool = False
    # A page made for paper: checked as printed too (once, the width is the paper's).
    printed: bool = False
    # Screenshots at tablet and phone sizes are taken under this name, for a person to
    # look at; the page must not be wider than the screen.
    shoot: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name


def _visit(name: str, *args, label: str = "", query: str = "", **kw) -> Visit:
    return Visit(name=name, path=reverse(name, args=args) + query, label=label, **kw)


@dataclass
class World:
    """The demo records the pages are opened on."""

    therapist: User
    group: Group
    session: Session  # held, with a draft note (the note form)
    signed: Session  # held, with a signed note (its print links)
    cosign: Session | None  # the intern's note awaiting the therapist's co-signature
    upcoming: Session
    member: Participant  # in the therapist's care, with a treatment record
    song: Song
    project: LullabyProject  # the artist's, run by the therapist
    no_consent: LullabyProject  # no consent to share yet: the delivery page warns
    participant: Participant  # behind the participant login
    owner: Participant  # reached by a signed link
    artist: User
    admin: User


def _world() -> World:
    therapist = User.objects.get(username="therapist")
    artist = User.objects.get(username="artist")
    now = timezone.now()
    held = Session.objects.filter(
        group__facilitators=therapist, status="held", starts_at__lt=now
    ).order_by("-starts_at")
    session = (
        held.filter(note__status=SessionNote.Status.DRAFT).first()
        or held.filter(note__isnull=True).first()
    )
    signed = held.filter(note__status=SessionNote.Status.SIGNED)
    cosign = Session.objects.filter(
        note__signed_at__isnull=False,
        note__cosigned_at__isnull=True,
        note__author__username="intern",
    ).first()
    projects = LullabyProject.objects.filter(therapist=therapist).order_by("pk")
    project = projects.filter(teaching_artists=artist).first()
    shared = ProjectConsent.objects.filter(kind="share").values("project")
    member = (
        Participant.objects.filter(treatment_plans__isnull=False, progress_reports__isnull=False)
        .order_by("pk")
        .first()
    )
    return World(
        therapist=therapist,
        group=session.group,
        session=session,
        signed=signed.first(),
        cosign=cosign,
        upcoming=Session.objects.filter(group__facilitators=therapist, starts_at__gt=now)
        .order_by("starts_at")
        .first(),
        member=member,
        song=Song.objects.filter(goal_areas__isnull=False).order_by("pk").first(),
        project=project,
        no_consent=projects.exclude(pk__in=shared).first() or project,
        participant=Participant.objects.get(user__username="participant"),
        owner=project.participant,
        artist=artist,
        admin=User.objects.get(username="admin"),
    )


def _therapist_visits(w: World) -> list[Visit]:
    s, g, m = w.session.pk, w.group.pk, w.member.pk
    plan = TreatmentPlan.objects.filter(participant=w.member).order_by("-version").first()
    assessment = Assessment.objects.filter(participant=w.member).order_by("-pk").first()
    report = ProgressReport.objects.filter(participant=w.member).order_by("-pk").first()
    item = w.session.plan_items.order_by("pk").first() or w.signed.plan_items.first()
    enrollment = w.group.enrollments.filter(status="active").order_by("pk").first()
    alert = SafetyAlert.objects.order_by("-pk").first()
    visits = [
        _visit("home", label="home (therapist)", open_menus=True, shoot="a11y-therapist-home"),
        _visit("therapist_calendar"),
        _visit("group_list"),
        _visit("group_detail", g),
        _visit("group_roster", g),
        _visit("group_enroll", g),
        _visit("group_skip_date", g),
        _visit("group_measures", g),
        _visit("group_measures_chart", g),
        _visit("enrollment_discharge", g, enrollment.pk),
        _visit("session_detail", s),
        _visit("session_move", w.upcoming.pk),
        _visit("session_cancel", w.upcoming.pk),
        _visit("roll_call", s),
        _visit("session_sign_in_sheet", s, printed=True),
        _visit("note_edit", s, label="note_edit (draft)", send_empty=".note-form [value=save]"),
        _visit("note_edit", w.signed.pk, label="note_edit (signed)", shoot="a11y-note-signed"),
        _visit("note_sign", s),
        _visit("note_print", w.signed.pk, printed=True),
        _visit("note_print_participant", w.signed.pk, _attendee(w.signed), printed=True),
        _visit("session_plan", s),
        _visit("plan_item_add", s, send_empty="[data-save-button]"),
        _visit("plan_item_edit", item.session_id, item.pk),
        _visit("plan_item_delete", item.session_id, item.pk),
        _visit("plan_copy", s),
        _visit(
            "reflection_enter",
            *_unreflected(w.therapist),
            send_empty=".reflection-form button[type=submit]",
        ),
        _visit("participant_detail", m),
        _visit("participant_chart", m),
        _visit("participant_measures", m),
        _visit("treatment_record", m, shoot="a11y-treatment-record"),
        _visit("assessment_new", m, send_empty="button[value=sign]"),
        _visit("assessment", m, assessment.pk),
        _visit("treatment_plan", m, plan.pk),
        _visit("progress_report_new", m),
        _visit("progress_report", m, report.pk),
        _visit("progress_report_sign", m, report.pk),
        _visit("progress_report_print", m, report.pk, printed=True),
        _visit("song_list"),
        # Songs for a goal area, with a tempo range the wrong way round (its error).
        _visit(
            "song_list",
            label="song_list (goal area, errors)",
            query=f"?goal_area={_goal_area()}&tempo_min=120&tempo_max=60",
        ),
        _visit("song_detail", w.song.pk),
        _visit("song_new"),
        _visit("song_edit", w.song.pk),
        _visit("safety_alerts"),
        _visit("safety_alert", alert.pk),
        _visit("lullaby_board", label="lullaby_board (therapist)"),
        _visit("lullaby_project_new"),
        _visit("lullaby_project", w.no_consent.pk),
        _visit("lullaby_project_edit", w.project.pk),
        _visit("lullaby_consent", w.project.pk),
        _visit("lullaby_delivery", w.no_consent.pk, shoot="a11y-lullaby-delivery"),
        _visit("lullaby_track_new", w.project.pk),
        _visit("lullaby_family_link_new", _delivered().project_id),
        _visit("lullaby_programs"),
        _visit("lullaby_program", _program().pk, printed=True),
        _visit("lullaby_program_edit", _program().pk),
        _visit("mfa_security"),
        _visit("emergency_access_find", query="?q=a"),
        _visit("emergency_access_open", _break_glass_candidate(w.therapist)),
    ]
    if w.cosign is not None:
        visits.append(_visit("note_edit", w.cosign.pk, label="note_edit (to co-sign)"))
    return visits


def _draft_plan_visits(w: World) -> list[Visit]:
    """A draft plan, signed empty. Drafted last, after the pages that show the plan in
    force, because a draft changes what they show."""
    from sessions_app.services import plans as plan_services

    draft = plan_services.plan_start(participant=w.member, by=w.therapist)
    return [
        _visit(
            "treatment_plan",
            w.member.pk,
            draft.pk,
            label="treatment_plan (draft)",
            send_empty=".plan-form button[value=sign]",
        )
    ]


def _break_glass_candidate(therapist: User) -> int:
    """Someone at a site the therapist works at, outside their groups: the demo enrols
    everyone at their site in their groups, so they are given the other site to work at,
    as an administrator would."""
    candidates = break_glass_candidates(therapist).order_by("pk")
    if not candidates.exists():
        therapist.sites.add(*Site.objects.exclude(groups__facilitators=therapist))
    return candidates.values_list("pk", flat=True)[0]


def _unreflected(therapist: User) -> tuple[int, int]:
    """(session, participant) of someone who came to a held session of the therapist's
    and has no reflection on it yet: the reflection form is open for them."""
    attendance = (
        Attendance.objects.filter(
            session__group__facilitators=therapist,
            session__status="held",
            status__in=Attendance.ATTENDED,
        )
        .exclude(participant__reflections__session=F("session"))
        .order_by("-session__starts_at", "pk")
        .first()
    )
    return attendance.session_id, attendance.participant_id


def _attendee(session: Session) -> int:
    return (
        Attendance.objects.filter(session=session, status__in=Attendance.ATTENDED)
        .order_by("pk")
        .values_list("participant", flat=True)[0]
    )


def _goal_area() -> int:
    from sessions_app.models import GoalArea

    return GoalArea.objects.filter(songs__isnull=False).order_by("pk")[0].pk


def _participant_visits(w: World) -> list[Visit]:
    me = w.participant
    attended = (
        Attendance.objects.filter(participant=me, status__in=Attendance.ATTENDED)
        .order_by("-session__starts_at")
        .first()
    )
    upcoming = (
        Session.objects.filter(
            group__enrollments__participant=me, starts_at__gt=timezone.now(), status="scheduled"
        )
        .order_by("starts_at")
        .first()
    )
    request = MeasureRequest.objects.filter(participant=me, status="open").order_by("pk").first()
    return [
        _visit("participant_home", open_menus=True),
        _visit("participant_reminders"),
        _visit("participant_questions"),
        _visit("participant_measure_answer", request.pk),
        _visit("participant_checkin", upcoming.pk),
        _visit("participant_reflection", attended.session_id, send_empty="main form [type=submit]"),
    ]


def _kiosk_visits(w: World) -> list[Visit]:
    """The tablet at the door, in kiosk mode on the therapist's next session."""
    s = w.upcoming.pk
    member = w.upcoming.group.enrollments.filter(status="active").order_by("pk")[0]
    return [
        _visit("kiosk", s),
        _visit("kiosk_answer", s, member.participant_id),
        _visit("kiosk_exit", s),
    ]


def _link_visits(w: World) -> list[Visit]:
    return [
        _visit("participant_home", label="participant_home (signed link)"),
        _visit("lullaby_own_project", w.project.pk),
    ]


def _admin_visits(w: World) -> list[Visit]:
    today = timezone.localdate()
    month = f"?start={today - timedelta(days=30)}&end={today}"
    site = w.group.site
    member = w.member.pk
    # The demo records no consent to disclose; the administrator has one on file.
    consent = f.ConsentFactory(participant=w.member, recorded_by=w.admin)
    return [
        _visit("home", label="home (admin)", open_menus=True),
        _visit("group_list", label="group_list (admin)"),
        _visit("group_create", send_empty="main form .btn-primary"),
        _visit("group_edit", w.group.pk),
        _visit("group_facilitators", w.group.pk),
        # The demo's one cancelled session is in another therapist's group.
        _visit("session_restore", Session.objects.filter(status="cancelled")[0].pk),
        _visit("report_overview", query=month, shoot="a11y-report-overview"),
        _visit("report_site", site.pk, query=month),
        _visit("report_group", w.group.pk, query=month),
        _visit("report_therapist", w.therapist.pk, query=month),
        _visit("report_participant", member, query=month),
        _visit("report_slipping"),
        _visit("report_plans"),
        _visit("report_outcomes", query=f"{month}&instrument=ucla3"),
        _visit("audit_log"),
        _visit("reminder_failures"),
        _visit("consent_list"),
        _visit("participant_consents", member),
        _visit("consent_record", member, send_empty="main form .btn-primary"),
        _visit("consent_revoke", consent.pk),
        _visit("participant_records_export", member),
        _visit("treatment_record", member, label="treatment_record (admin)"),
        _visit("mfa_staff"),
        _visit("mfa_reset", w.therapist.pk),
        _visit("emergency_access_review", query="?show=all"),
        _visit("first_look_review"),
        _visit("safety_alerts", label="safety_alerts (admin)"),
        _visit("lullaby_board", label="lullaby_board (admin)"),
    ]


def _artist_visits(w: World) -> list[Visit]:
    p = w.project
    draft = p.drafts.order_by("-pk").first()
    recording = p.recording_sessions.order_by("-pk").first()
    visits = [
        _visit("home", label="home (artist)", open_menus=True),
        _visit("lullaby_board"),
        _visit(
            "lullaby_project", p.pk, label="lullaby_project (artist)", shoot="a11y-lullaby-project"
        ),
        _visit("lullaby_log", p.pk),
        _visit("lullaby_draft_new", p.pk),
        _visit("lullaby_draft_compare", p.pk),
        _visit("lullaby_recording_new", p.pk),
    ]
    if draft is not None:
        visits.append(_visit("lullaby_draft", p.pk, draft.pk))
    if recording is not None:
        visits += [
            _visit("lullaby_recording", p.pk, recording.pk),
            _visit("lullaby_take_new", p.pk, recording.pk),
        ]
        take = recording.takes.order_by("pk").first()
        if take is not None:
            visits.append(_visit("lullaby_take_edit", p.pk, take.pk))
    return visits


def _delivered() -> FamilyLink:
    """The demo's family link (Becca's song, opened twice)."""
    return FamilyLink.objects.order_by("pk").first()


def _program() -> SharingProgram:
    """The demo's sharing-session program."""
    return SharingProgram.objects.order_by("pk").first()


def _anonymous_visits(w: World) -> list[Visit]:
    upcoming = (
        Session.objects.filter(
            group__enrollments__participant=w.participant,
            starts_at__gt=timezone.now(),
            status="scheduled",
        )
        .order_by("starts_at")
        .first()
    )
    confirm = link_token(participant=w.participant, action="confirm", session_id=upcoming.pk)
    stop = link_token(participant=w.participant, action="stop")
    return [
        _visit("login", send_empty="main form button[type=submit]"),
        _visit("participant_link", confirm, label="participant_link (confirm)"),
        _visit("participant_link", stop, label="participant_link (stop reminders)"),
        _visit("participant_link", "not-a-link", label="participant_link (broken link)"),
        # The family's page of a delivered song, opened from its private link.
        _visit("family_song", family_link_token(_delivered()), shoot="a11y-family-song"),
    ]


def _session_cookie(role: str, w: World) -> str | None:
    """The browser session of a role, made by Django's test client (a login form per
    role would add nothing the other browser tests do not check)."""
    client = Client()
    if role == ANONYMOUS:
        return None
    if role == LINK:
        client.get(reverse("participant_link", args=[link_token(participant=w.owner, action="me")]))
    elif role == KIOSK:
        client.force_login(w.therapist)
        client.post(reverse("kiosk_start", args=[w.upcoming.pk]))
    else:
        users = {
            THERAPIST: w.therapist,
            PARTICIPANT: w.participant.user,
            ADMIN: w.admin,
            ARTIST: w.artist,
        }
        client.force_login(users[role])
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Finding:
    where: str
    rule: str
    impact: str
    help: str
    targets: list[str]
    detail: str  # axe's account of the first element, e.g. the colours and their ratio

    def __str__(self) -> str:
        targets = " | ".join(self.targets)
        detail = " ".join(self.detail.split())
        return f"{self.where}: {self.rule} ({self.impact}) {self.help}: {targets} [{detail}]"


class Checker:
    """Per role, one logged-in browser context at each size, all three opening the same
    page. axe is started in the three before the results of any is awaited, so Chromium
    checks them side by side: on two cores that nearly halves the time."""

    def __init__(self, browser: Browser, base_url: str, screenshots: Path):
        self.browser = browser
        self.base_url = base_url
        self.screenshots = screenshots
        self.findings: list[Finding] = []
        self.problems: list[str] = []
        self.runs = 0

    def role(self, role: str, cookie: str | None, visits: list[Visit]) -> None:
        contexts = [
            self.browser.new_context(base_url=self.base_url, viewport=viewport)
            for viewport in SIZES.values()
        ]
        try:
            for context in contexts:
                # Evaluated by Chromium in every new document, outside the page's CSP.
                context.add_init_script(path=AXE)
                if cookie:
                    context.add_cookies(
                        [
                            {
                                "name": settings.SESSION_COOKIE_NAME,
                                "value": cookie,
                                "url": self.base_url,
                            }
                        ]
                    )
            pages = dict(zip(SIZES, (context.new_page() for context in contexts), strict=True))
            for visit in visits:
                where = f"{role} · {visit.title}"
                try:
                    self._visit(pages, where, visit)
                except PlaywrightError as error:
                    # Told with the page it happened on; the walk goes on to the next.
                    self.problems.append(f"{where}: {error.message.splitlines()[0]}")
        finally:
            for context in contexts:
                context.close()

    def _visit(self, pages: dict[str, Page], where: str, visit: Visit) -> None:
        responses = [page.goto(visit.path, wait_until="commit") for page in pages.values()]
        for page in pages.values():
            page.wait_for_load_state()
        status = responses[0].status if responses[0] else None
        if status is None or status >= 400 and "broken" not in visit.label:
            self.problems.append(f"{where}: {visit.path} answered {status}")
            return
        self._check({f"{where} · {size}": page for size, page in pages.items()})
        if visit.send_empty:
            for page in pages.values():
                self._send_empty(page, visit.send_empty)
            if not pages["desktop"].locator(ERROR_STATE).count():
                self.problems.append(f"{where}: the form sent empty shows no error")
            self._check({f"{where} · {size} · sent empty": p for size, p in pages.items()})
        if visit.shoot:
            self._shoot(pages, where, visit.shoot)
        if visit.printed:
            pages["desktop"].emulate_media(media="print")
            self._check({f"{where} · printed": pages["desktop"]})
            pages["desktop"].emulate_media(media="screen")
        if visit.open_menus:
            for size in ("desktop", "phone"):
                self._open_menus(pages[size], folded=size == "phone")
            self._check(
                {f"{where} · {size} · menus open": pages[size] for size in ("desktop", "phone")}
            )

    def _shoot(self, pages: dict[str, Page], where: str, name: str) -> None:
        for size in ("tablet", "phone"):
            page, width = pages[size], SIZES[size]["width"]
            page.screenshot(path=self.screenshots / f"{name}-{size}.png", full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                self.problems.append(f"{where} · {size}: {wide} px wide on a {width} px screen")
            # Pages without the site's menu (the family's page) have no bar to wrap.
            menu = page.evaluate("document.querySelector('nav.navbar')?.offsetHeight ?? 0")
            if menu > 70:
                self.problems.append(f"{where} · {size}: the menu wraps ({menu} px high)")

    @staticmethod
    def _send_empty(page: Page, button: str) -> None:
        if not page.locator(button).count():
            raise PlaywrightError(f"no {button} to send the form with on {page.url}")
        page.evaluate(EMPTY_AND_SEND, button)
        with page.expect_navigation():
            page.click(button)

    @staticmethod
    def _open_menus(page: Page, *, folded: bool) -> None:
        if folded and page.locator(".navbar-toggler").count():
            page.click(".navbar-toggler")
            page.wait_for_selector("#nav.show")
        if page.locator("nav .dropdown-toggle").count():
            page.click("nav .dropdown-toggle")
            page.wait_for_selector("nav .dropdown-menu.show")

    def _check(self, pages: dict[str, Page]) -> None:
        for page in pages.values():
            page.evaluate(START_AXE, WCAG_TAGS)
        for where, page in pages.items():
            self.runs += 1
            for violation in page.evaluate(AXE_RESULT):
                nodes = [n for n in violation["nodes"] if n["impact"] in BLOCKING]
                if nodes:
                    self.findings.append(
                        Finding(
                            where=where,
                            rule=violation["id"],
                            impact=violation["impact"],
                            help=violation["help"],
                            targets=[n["target"] for n in nodes],
                            detail=nodes[0]["summary"],
                        )
                    )


def _seed(settings) -> World:
    settings.STAFF_MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_seed()
    return _world()


@pytest.fixture
def world(transactional_db, settings) -> World:
    """For the browser: the live server's thread must see the rows, so they are committed."""
    return _seed(settings)


@pytest.fixture
def demo(db, settings) -> World:
    return _seed(settings)


def _plan(w: World) -> list[tuple[str, Callable[[], list[Visit]]]]:
    """Who opens which pages, in order; each list is made just before it is walked."""
    return [
        (ANONYMOUS, lambda: _anonymous_visits(w)),
        (PARTICIPANT, lambda: _participant_visits(w)),
        (LINK, lambda: _link_visits(w)),
        (ARTIST, lambda: _artist_visits(w)),
        (ADMIN, lambda: _admin_visits(w)),
        (THERAPIST, lambda: _therapist_visits(w)),
        (THERAPIST, lambda: _draft_plan_visits(w)),
        (KIOSK, lambda: _kiosk_visits(w)),
    ]


@pytest.mark.browser
def test_it_finds_no_serious_accessibility_violation_on_any_page(
    browser: Browser, base_url: str, screenshots: Path, world: World
):
    started = time.monotonic()
    checker = Checker(browser, base_url, screenshots)
    for role, visits in _plan(world):
        checker.role(role, _session_cookie(role, world), visits())
    print(f"\naxe checked {checker.runs} pages in {time.monotonic() - started:.1f} s")
    failures = checker.problems + [str(finding) for finding in checker.findings]
    assert failures == [], "\n" + "\n".join(failures)


def test_every_get_page_is_checked_or_left_out_with_a_reason(demo: World):
    visited = {visit.name for _, visits in _plan(demo) for visit in visits()}
    assert sorted(catalogue.url_names() - visited - set(NOT_CHECKED)) == []


def test_no_page_is_both_checked_and_left_out(demo: World):
    visited = {visit.name for _, visits in _plan(demo) for visit in visits()}
    assert sorted(visited & set(NOT_CHECKED)) == []
