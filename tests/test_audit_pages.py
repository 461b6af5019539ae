"""The audit trail's review screen at any size: each filter finds the same entries the
plain reading of the rules finds, screens walk the whole trail newer and older without
gaps or repeats, and a site administrator never reaches another site's entries."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import reverse

from sessions_app import audit
from sessions_app.models import (
    Attendance,
    Consent,
    Enrollment,
    Participant,
    Session,
    SessionNote,
    Site,
    User,
)
from sessions_app.permissions import AUDIT_SITE_PATHS
from sessions_app.selectors import audit as audit_selectors
from sessions_app.selectors.audit import Position
from sessions_app.views import audit as audit_views
from tests import factories as f

PER_PAGE = 7
DAY = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 in New York, 08:00 in Denver
ACCESS = LogEntry.Action.ACCESS


@pytest.fixture(autouse=True)
def _small_screens(monkeypatch):
    # A handful of entries then fill many screens.
    monkeypatch.setattr(audit_views, "PER_PAGE", PER_PAGE)


@pytest.fixture(autouse=True)
def _a_trail_that_holds_still(monkeypatch):
    # Reading the trail is itself an entry (tested in test_audit.py); these tests page
    # through a fixed trail, so here reading writes nothing.
    monkeypatch.delitem(audit.AUDITED_PAGES, "audit_log")


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True)


# --- The same rules, read the plain way (one subquery per kind, names compared in upper
# case, JSON compared as JSON): what the screen showed before it was made fast. ----------


def _plainly_visible(user: User) -> QuerySet[LogEntry]:
    if user.is_superuser:
        return LogEntry.objects.all()
    sites = Site.objects.filter(administrators=user).values("pk")
    models = {label: apps.get_model(label) for label in AUDIT_SITE_PATHS}
    types = ContentType.objects.get_for_models(*models.values(), User)
    about = Q(
        content_type=types[User],
        object_id__in=User.objects.filter(
            Q(sites__in=sites)
            | Q(facilitations__group__site__in=sites)
            | Q(participant_profile__site__in=sites)
        ).values("pk"),
    )
    for label, path in AUDIT_SITE_PATHS.items():
        records = models[label]._default_manager.filter(**{f"{path}__in": sites}).values("pk")
        about |= Q(content_type=types[models[label]], object_id__in=records)
    return LogEntry.objects.filter(about)


def _plainly_filtered(entries: QuerySet[LogEntry], data: dict, tz: ZoneInfo):
    if data.get("user"):
        name = data["user"]
        entries = entries.filter(
            Q(actor__username__iexact=name) | Q(additional_data__username__iexact=name)
        )
    if data.get("record_type"):
        model = apps.get_model(data["record_type"])
        about = Q(content_type=ContentType.objects.get_for_model(model))
        if not data.get("record_id"):
            for page_about, kind in audit.ABOUT_KINDS.items():
                if apps.get_model(kind) is model:
                    about |= Q(action=ACCESS, additional_data__about=page_about)
        if data.get("record_id"):
            about &= Q(object_id=data["record_id"])
            if model is SessionNote:
                about |= Q(
                    content_type=ContentType.objects.get_for_model(Session),
                    object_id__in=SessionNote.objects.filter(pk=data["record_id"]).values(
                        "session_id"
                    ),
                    additional_data__about="note",
                )
        entries = entries.filter(about)
    action = data.get("action")
    changes = {"create": 0, "update": 1, "delete": 2}
    if action in changes:
        entries = entries.filter(action=changes[action])
    elif action:
        entries = entries.filter(action=ACCESS, additional_data__what=action)
    if data.get("start"):
        entries = entries.filter(
            timestamp__gte=datetime.combine(date.fromisoformat(data["start"]), time.min, tz)
        )
    if data.get("end"):
        end = date.fromisoformat(data["end"]) + timedelta(days=1)
        entries = entries.filter(timestamp__lt=datetime.combine(end, time.min, tz))
    return entries


def _expected(user: User, params: dict, tz: ZoneInfo) -> list[int]:
    entries = _plainly_filtered(_plainly_visible(user), params, tz)
    return list(entries.order_by("-timestamp", "-pk").values_list("pk", flat=True))


# --- A hand-made trail: both sites, every kind of entry, many on the same instant --------


def _entry(model, pk, *, at, action=ACCESS, actor=None, **data) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="" if pk is None else str(pk),
        object_id=pk,
        object_repr="",
        action=action,
        actor=actor,
        additional_data=data or None,
        timestamp=at,
    )


@pytest.fixture
def trail(
    admin,
    other_admin,
    therapist,
    co_therapist,
    outsider,
    participant,
    other_participant,
    past_session,
    other_session,
    root,
):
    """Some ninety entries over four days, most of them sharing one of a few instants."""
    ours = Attendance.objects.get(session=past_session)
    theirs = f.AttendanceFactory(session=other_session, participant=other_participant)
    note = SessionNote.objects.create(session=past_session, author=therapist)
    other_note = SessionNote.objects.create(session=other_session, author=outsider)
    consent = f.ConsentFactory(participant=participant)
    gone = Consent.objects.order_by("-pk").first().pk + 1000  # a deleted record
    # A second account whose name differs from the therapist's only in case.
    shouting = f.TherapistFactory(username="THERAPIST")
    instants = [DAY + timedelta(days=d, hours=h) for d in range(4) for h in (0, 0, 5)]
    people = [therapist, co_therapist, outsider, admin, other_admin, shouting, None]
    kinds = [
        (Attendance, ours.pk, {"what": "view"}),
        (Attendance, theirs.pk, {"what": "view"}),
        (Session, past_session.pk, {"what": "print", "about": "note"}),
        (Session, other_session.pk, {"what": "view", "about": "note"}),
        (Session, past_session.pk, {"what": "view", "about": "attendance"}),
        (SessionNote, note.pk, {"what": "view"}),
        (SessionNote, other_note.pk, {"what": "view"}),
        (Participant, participant.pk, {"what": "export", "about": "records"}),
        (Participant, other_participant.pk, {"what": "view"}),
        (Participant, participant.pk, {"what": "view", "about": "consents"}),
        (Participant, other_participant.pk, {"what": "print", "about": "note"}),
        (Participant, None, {"what": "export", "about": "attendance"}),
        (Site, admin.sites.get().pk, {"what": "export", "about": "attendance"}),
        (Site, None, {"what": "export", "about": "attendance"}),
        (Consent, consent.pk, {"what": "view"}),
        (Consent, gone, {"what": "view"}),
        (Enrollment, Enrollment.objects.get(participant=participant).pk, {"what": "view"}),
        (User, therapist.pk, {"what": "login"}),
        (User, outsider.pk, {"what": "logout"}),
        (User, participant.user.pk, {"what": "login"}),
        (User, other_participant.user.pk, {"what": "login"}),
        (User, admin.pk, {"what": "login"}),
    ]
    for i, (model, pk, data) in enumerate(kinds * 3):
        actor = people[i % len(people)]
        _entry(model, pk, at=instants[i % len(instants)], actor=actor, **data)
    failed = [("Therapist", therapist.pk), ("therapist", therapist.pk), ("ghost", None)]
    for i, (typed, pk) in enumerate(failed * 2):
        what = {"what": "login_failed", "username": typed}
        _entry(User, pk, at=instants[i], **what)
    for i, action in enumerate([0, 1, 1, 2, 2, 1]):
        _entry(Attendance, [ours.pk, theirs.pk][i % 2], at=instants[-1], action=action)
        _entry(Consent, gone, at=instants[i], action=action, actor=admin)
    ids = {"participant": participant.pk, "note": note.pk, "therapist": therapist.pk}
    return {"ours": ours, "theirs": theirs, "ids": ids}


def _walk_older(client, params: dict) -> tuple[list[int], list[str]]:
    """Every entry from the newest screen on, following "Older"; and where each screen
    started, to walk back."""
    url = reverse("audit_log")
    response = client.get(url, params)
    seen, starts = [], []
    while True:
        page = response.context["page"]
        assert len(page.entries) <= PER_PAGE
        seen += [e.pk for e in page.entries]
        if page.older is None:
            return seen, starts
        starts.append(str(page.older))
        response = client.get(url, {**params, "older": str(page.older)})


FILTERS = {
    "nothing": {},
    "user": {"user": "therapist"},
    "user in capitals": {"user": "THERAPIST"},
    "user who only failed to log in": {"user": "ghost"},
    "nobody of that name": {"user": "nobody"},
    "kind of record": {"record_type": "sessions_app.attendance"},
    "session notes, with the pages about them": {"record_type": "sessions_app.sessionnote"},
    "sessions, with their note pages": {"record_type": "sessions_app.session"},
    "consents, with the pages about them": {"record_type": "sessions_app.consent"},
    "one record": {"record_type": "sessions_app.participant", "record_id": "participant"},
    "one note, through its session's pages": {
        "record_type": "sessions_app.sessionnote",
        "record_id": "note",
    },
    "one account": {"record_type": "sessions_app.user", "record_id": "therapist"},
    "created": {"action": "create"},
    "changed": {"action": "update"},
    "deleted": {"action": "delete"},
    "viewed": {"action": "view"},
    "printed": {"action": "print"},
    "exported": {"action": "export"},
    "logged in": {"action": "login"},
    "failed login": {"action": "login_failed"},
    "dates": {"start": "2026-03-04", "end": "2026-03-05"},
    "from a date": {"start": "2026-03-05"},
    "up to a date": {"end": "2026-03-03"},
    "user and action": {"user": "therapist", "action": "view"},
    "user and dates": {"user": "admin", "start": "2026-03-04", "end": "2026-03-06"},
    "record, action and date": {
        "record_type": "sessions_app.session",
        "action": "view",
        "start": "2026-03-04",
    },
}


def _with_ids(params: dict, trail: dict) -> dict:
    """Point a "one record" filter at the trail's record of that name."""
    if "record_id" not in params:
        return params
    return {**params, "record_id": str(trail["ids"][params["record_id"]])}


@pytest.mark.parametrize("params", FILTERS.values(), ids=FILTERS.keys())
def test_it_finds_the_same_entries_as_the_plain_reading_of_each_filter(
    client, trail, root, admin, other_admin, params
):
    params = _with_ids(params, trail)
    for viewer in (root, admin, other_admin):
        client.force_login(viewer)
        logins = set(LogEntry.objects.filter(actor=viewer).values_list("pk", flat=True))
        tz = client.get(reverse("audit_log")).context["tz"]
        seen, _ = _walk_older(client, params)
        expected = _expected(viewer, params, tz)
        # Walking the screens logs nothing; only force_login's own entries differ.
        assert [pk for pk in seen if pk not in logins] == [
            pk for pk in expected if pk not in logins
        ], viewer.username


@pytest.mark.parametrize("name", ["therapist", "ghost"])
def test_it_finds_the_same_entries_when_a_name_was_typed_in_many_failed_logins(
    client, trail, root, admin, monkeypatch, name
):
    # Past a few typed failures the filter asks by the typed name instead of by ids.
    monkeypatch.setattr(audit_selectors, "TYPED_IDS_AT_MOST", 1)
    for viewer in (root, admin):
        client.force_login(viewer)
        logins = set(LogEntry.objects.filter(actor=viewer).values_list("pk", flat=True))
        tz = client.get(reverse("audit_log")).context["tz"]
        seen, _ = _walk_older(client, {"user": name})
        expected = _expected(viewer, {"user": name}, tz)
        assert [pk for pk in seen if pk not in logins] == [
            pk for pk in expected if pk not in logins
        ]


def test_it_finds_entries_for_a_username_in_any_case(client, trail, admin, therapist):
    client.force_login(admin)
    typed = client.get(reverse("audit_log"), {"user": "tHeRaPiSt"}).context["page"].entries
    assert therapist in {e.actor for e in typed}


def test_it_finds_failed_logins_by_the_username_typed(client, trail, root):
    client.force_login(root)
    entries = client.get(reverse("audit_log"), {"user": "GHOST"}).context["page"].entries
    assert {e.additional_data["username"] for e in entries} == {"ghost"}


# --- Walking the screens ----------------------------------------------------------------


def test_it_walks_older_through_every_entry_once_in_order(client, trail, root):
    client.force_login(root)
    seen, _ = _walk_older(client, {})
    assert seen == list(
        LogEntry.objects.order_by("-timestamp", "-pk").values_list("pk", flat=True)[: len(seen)]
    )
    assert len(seen) == LogEntry.objects.count()


def test_it_walks_back_newer_through_the_same_screens(client, trail, root):
    client.force_login(root)
    url = reverse("audit_log")
    older, starts = _walk_older(client, {})
    # From the oldest screen, "Newer" until the newest.
    response = client.get(url, {"older": starts[-1]})
    screens = [[e.pk for e in response.context["page"].entries]]
    while response.context["page"].newer is not None:
        response = client.get(url, {"newer": str(response.context["page"].newer)})
        screens.append([e.pk for e in response.context["page"].entries])
    newer = [pk for screen in reversed(screens) for pk in screen]
    assert newer == older
    assert all(len(screen) == PER_PAGE for screen in screens[1:])


def test_it_shows_newer_and_older_links_with_the_filter_kept(client, trail, root):
    client.force_login(root)
    response = client.get(reverse("audit_log"), {"action": "view"})
    older = response.context["page"].older
    body = response.content.decode()
    assert f"?action=view&amp;older={older}" in body
    body = client.get(reverse("audit_log"), {"action": "view", "older": str(older)})
    assert "?action=view&amp;newer=" in body.content.decode()


def test_it_shows_no_newer_link_on_the_newest_screen(client, trail, root):
    client.force_login(root)
    response = client.get(reverse("audit_log"))
    assert response.context["page"].newer is None
    assert "newer=" not in response.content.decode()


def test_it_shows_no_older_link_on_the_oldest_screen(client, trail, root):
    client.force_login(root)
    _, starts = _walk_older(client, {})
    response = client.get(reverse("audit_log"), {"older": starts[-1]})
    assert response.context["page"].older is None
    assert "older=" not in response.content.decode()


@pytest.mark.parametrize("position", ["", "x", "12_", "_4", "1e99_3", "99999999999999999999_1"])
def test_it_treats_a_mangled_position_as_the_newest_screen(client, trail, root, position):
    client.force_login(root)
    newest = [e.pk for e in client.get(reverse("audit_log")).context["page"].entries]
    for direction in ("older", "newer"):
        response = client.get(reverse("audit_log"), {direction: position})
        assert [e.pk for e in response.context["page"].entries] == newest


def test_positions_read_back_what_they_wrote():
    at = Position(datetime(2026, 3, 3, 15, 0, 0, 123456, tzinfo=UTC), 42)
    assert Position.parse(str(at)) == at


# --- Site administrators ------------------------------------------------------------------


def test_it_never_shows_a_site_admin_another_sites_entry_on_any_screen(
    client, trail, admin, other_admin
):
    for viewer, foreign in ((admin, trail["theirs"]), (other_admin, trail["ours"])):
        client.force_login(viewer)
        seen, _ = _walk_older(client, {})
        hidden = set(LogEntry.objects.values_list("pk", flat=True)) - set(
            _plainly_visible(viewer).values_list("pk", flat=True)
        )
        assert seen
        assert not hidden & set(seen)
        about_foreign = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Attendance), object_id=foreign.pk
        ).values_list("pk", flat=True)
        assert not set(about_foreign) & set(seen)


def test_it_hides_entries_about_deleted_records_from_site_admins(client, trail, admin, root):
    gone = LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=admin, object_id__gt=0)
    client.force_login(admin)
    seen, _ = _walk_older(client, {"action": "delete"})
    assert not set(gone.values_list("pk", flat=True)) & set(seen)


def test_it_shows_a_site_admin_entries_about_a_therapist_who_starts_at_their_site(
    client, trail, admin, outsider, group
):
    """Who belongs to a site is read when the trail is, not when the entry was written."""
    about_outsider = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=outsider.pk
    )
    client.force_login(admin)
    before, _ = _walk_older(client, {"record_type": "sessions_app.user"})
    f.FacilitationFactory(group=group, therapist=outsider)
    after, _ = _walk_older(client, {"record_type": "sessions_app.user"})
    assert not set(about_outsider.values_list("pk", flat=True)) & set(before)
    assert set(about_outsider.values_list("pk", flat=True)) <= set(after)


def test_it_shows_an_admin_of_no_site_no_entries(client, trail):
    nowhere = f.AdministratorFactory(username="nowhere")
    client.force_login(nowhere)
    assert client.get(reverse("audit_log")).context["page"].entries == []


def test_it_shows_the_admin_of_a_site_without_groups_its_participants_records(client, trail):
    quiet = f.SiteFactory(name="Quiet House")
    consent = f.ConsentFactory(participant=f.ParticipantFactory(site=quiet))
    keeper = f.AdministratorFactory(username="keeper", sites=[quiet])
    client.force_login(keeper)
    seen, _ = _walk_older(client, {})
    about_consent = _entries_about(Consent, consent.pk)
    assert about_consent
    assert seen == _expected(keeper, {}, ZoneInfo("UTC"))
    assert set(about_consent) <= set(seen)


def _entries_about(model, pk) -> list[int]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=pk
        ).values_list("pk", flat=True)
    )


# --- Bounded work -------------------------------------------------------------------------


@pytest.mark.parametrize("copies", [1, 8])
@pytest.mark.parametrize("who", ["root", "admin"])
def test_it_reads_a_deep_filtered_screen_in_bounded_queries(
    client, root, admin, therapist, past_session, django_assert_max_num_queries, copies, who
):
    ours = Attendance.objects.get(session=past_session)
    for i in range(copies * 20):
        _entry(Attendance, ours.pk, at=DAY + timedelta(minutes=i % 5), actor=therapist, what="view")
        _entry(User, therapist.pk, at=DAY, what="login_failed", username="therapist")
    client.force_login(root if who == "root" else admin)
    url = reverse("audit_log")
    older = client.get(url, {"user": "therapist"}).context["page"].older
    with django_assert_max_num_queries(12):
        response = client.get(url, {"user": "therapist", "older": str(older)})
    assert len(response.context["page"].entries) == PER_PAGE
