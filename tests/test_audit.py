"""The audit trail: changes with old and new values, views, prints and exports of
clinical records, logins; who may review it; and that nobody can alter it."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sessions_app.audit import AUDITED_PAGES, REDACTED
from sessions_app.models import Attendance, ParticipantNote, Reflection, SessionNote
from sessions_app.services import notes as note_services
from sessions_app.services.notes import NoteDraft
from sessions_app.views import audit as audit_views
from tests import factories as f

ADDRESS = "203.0.113.7"
STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York


def _accesses(**filters):
    """ACCESS entries for records (force_login logs a login too: those are left out)."""
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__what__in=["view", "print", "export"]
    ).filter(**filters)


def _entries(model, pk=None, **filters):
    qs = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **filters)
    return qs.filter(object_id=pk) if pk is not None else qs


@pytest.fixture
def held(group, participant):
    return f.SessionFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))


# --- Changes -------------------------------------------------------------------------------


def test_it_shows_who_changed_an_attendance_record_with_old_and_new_values_and_address(
    client, admin, therapist, co_therapist, held, participant
):
    url = reverse("roll_call", args=[held.pk])
    client.force_login(therapist)
    client.post(url, {f"status-{participant.pk}": "present"}, REMOTE_ADDR=ADDRESS)
    client.force_login(co_therapist)
    # The forwarded header is whatever a client sends: the trail keeps the real address.
    client.post(
        url,
        {f"status-{participant.pk}": "absent"},
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    attendance = Attendance.objects.get(session=held, participant=participant)
    created, changed = _entries(Attendance, attendance.pk).order_by("timestamp", "pk")
    assert (created.action, created.actor, created.remote_addr) == (
        LogEntry.Action.CREATE,
        therapist,
        ADDRESS,
    )
    assert (changed.action, changed.actor, changed.remote_addr) == (
        LogEntry.Action.UPDATE,
        co_therapist,
        "198.51.100.4",
    )
    assert changed.changes_dict["status"] == ["present", "absent"]

    client.force_login(admin)
    body = client.get(
        reverse("audit_log"),
        {"record_type": "sessions_app.attendance", "record_id": attendance.pk},
    ).content.decode()
    assert co_therapist.username in body
    changed_html = '<del>Present</del> → <ins class="text-decoration-none fw-semibold">Absent</ins>'
    assert changed_html in body
    assert "198.51.100.4" in body
    assert ADDRESS in body
    assert "10.9.9.9" not in body


def test_it_logs_participant_notes_saved_in_bulk_with_their_author(
    client, therapist, held, participant
):
    f.AttendanceFactory(session=held, participant=participant, recorded_by=therapist)
    draft = NoteDraft(
        format="soap",
        sections={"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"},
        actual_start=time(10, 0),
        actual_end=time(11, 0),
        participant_notes={participant.pk: "Sang the chorus."},
    )
    note_services.note_save_draft(session=held, author=therapist, draft=draft)
    pnote = ParticipantNote.objects.get()
    (entry,) = _entries(ParticipantNote, pnote.pk)
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, therapist)
    assert entry.changes_dict["text"][1] == "Sang the chorus."
    note = SessionNote.objects.get()
    assert _entries(SessionNote, note.pk, action=LogEntry.Action.CREATE).exists()


def test_it_never_logs_passwords_or_tokens(admin):
    admin.set_password("a-new-password-2")
    admin.calendar_token = "secret-feed-token"
    admin.save()
    for entry in _entries(type(admin), admin.pk):
        assert "password" not in (entry.changes_dict or {})
        assert "calendar_token" not in (entry.changes_dict or {})
        assert "secret-feed-token" not in str(entry.changes)
    admin.first_name = "Morgan"
    admin.save()
    assert (
        _entries(type(admin), admin.pk, action=LogEntry.Action.UPDATE)
        .filter(changes__has_key="first_name")
        .exists()
    )


def test_it_logs_who_was_given_a_site(admin, other_site):
    admin.sites.add(other_site)
    entry = _entries(type(admin), admin.pk, action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["sites"]["objects"] == [other_site.name]


def test_it_records_that_a_reflection_changed_but_never_its_words(participant, past_session):
    reflection = Reflection.objects.create(
        session=past_session,
        participant=participant,
        mood_before=3,
        mood_after=7,
        connection=4,
        craving=6,
        text="I thought about my daughter the whole song.",
    )
    (entry,) = _entries(Reflection, reflection.pk)
    assert entry.changes_dict["text"] == [REDACTED, REDACTED]
    assert entry.changes_dict["craving"] == [REDACTED, REDACTED]
    assert "daughter" not in str(entry.changes)


# --- Access ------------------------------------------------------------------------------------


def test_it_logs_who_viewed_a_note_when_its_page_is_opened(
    client, admin, therapist, outsider, past_session, participant
):
    note = SessionNote.objects.create(session=past_session, author=therapist, subjective="S")
    client.force_login(outsider)
    assert client.get(reverse("note_edit", args=[past_session.pk])).status_code == 404
    client.force_login(therapist)
    response = client.get(reverse("note_edit", args=[past_session.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    client.get(reverse("note_print", args=[past_session.pk]))
    viewed, printed = _accesses(object_id=past_session.pk).order_by("timestamp", "pk")
    assert (viewed.actor, viewed.remote_addr) == (therapist, ADDRESS)
    assert viewed.additional_data["what"] == "view"
    assert viewed.additional_data["about"] == "note"
    assert viewed.additional_data["path"] == reverse("note_edit", args=[past_session.pk])
    assert printed.additional_data["what"] == "print"
    assert not _accesses(actor=outsider).exists()  # a 404 is no access

    client.force_login(admin)
    response = client.get(
        reverse("audit_log"), {"record_type": "sessions_app.sessionnote", "record_id": note.pk}
    )
    lines = response.context["lines"]
    assert {(line.entry.actor, line.action) for line in lines} >= {
        (therapist, "Viewed"),
        (therapist, "Printed"),
    }
    assert therapist.username in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs", "what", "record"),
    [
        ("participant_detail", ("participant",), "view", "participant"),
        ("session_detail", ("past_session",), "view", "past_session"),
        ("roll_call", ("past_session",), "view", "past_session"),
        # A participant's copy of a note is a record of the participant.
        ("note_print_participant", ("past_session", "participant"), "print", "participant"),
        ("session_sign_in_sheet", ("past_session",), "print", "past_session"),
        ("participant_consents", ("participant",), "view", "participant"),
    ],
)
def test_it_logs_each_view_and_print_of_clinical_records(
    client, request, therapist, name, kwargs, what, record
):
    args = [request.getfixturevalue(k).pk for k in kwargs]
    client.force_login(therapist)
    assert client.get(reverse(name, args=args)).status_code == 200
    (entry,) = _accesses(actor=therapist)
    assert entry.additional_data["what"] == what
    assert entry.additional_data["page"] == name
    expected = request.getfixturevalue(record)
    assert (entry.content_type.model_class(), entry.object_id) == (type(expected), expected.pk)


def test_it_logs_csv_exports_as_exports(client, admin, group):
    client.force_login(admin)
    client.get(reverse("report_group_csv", args=[group.pk]))
    (entry,) = _accesses(actor=admin)
    assert entry.additional_data["what"] == "export"
    assert (entry.content_type.model, entry.object_id) == ("group", group.pk)


def test_it_does_not_log_a_save_that_redirects_as_a_view(client, therapist, held, participant):
    client.force_login(therapist)
    response = client.post(
        reverse("roll_call", args=[held.pk]), {f"status-{participant.pk}": "present"}
    )
    assert response.status_code == 302
    assert not _accesses().exists()


def test_it_names_only_pages_that_exist():
    for name in AUDITED_PAGES:
        assert reverse_exists(name), name


def reverse_exists(name: str) -> bool:
    from django.urls import get_resolver

    return name in get_resolver().reverse_dict


# --- Logins ------------------------------------------------------------------------------


def test_it_logs_logins_and_failed_logins(client, therapist):
    login = reverse("login")
    client.post(login, {"username": "therapist", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    client.post(login, {"username": "nobody-here", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    client.post(login, {"username": "therapist", "password": f.PASSWORD}, REMOTE_ADDR=ADDRESS)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("timestamp", "pk")
    summary = [
        (e.additional_data["what"], e.additional_data.get("username"), e.object_pk, e.actor)
        for e in entries
    ]
    assert summary == [
        ("login_failed", "therapist", str(therapist.pk), None),
        ("login_failed", "nobody-here", "", None),
        ("login", None, str(therapist.pk), therapist),
        ("logout", None, str(therapist.pk), therapist),
    ]
    assert {e.remote_addr for e in entries} == {ADDRESS}
    assert all("wrong" not in str(e.additional_data) for e in entries)


# --- Nobody can alter the trail ------------------------------------------------------------------


def test_it_gives_the_admin_no_way_to_change_or_delete_entries(client, admin):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    admin.first_name = "Changed"
    admin.save()
    entry = LogEntry.objects.latest("pk")
    client.force_login(root)
    changelist = reverse("admin:auditlog_logentry_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    response = client.post(
        reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"changes_text": "x"}
    )
    assert response.status_code == 403
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_it_refuses_to_update_or_delete_entries_in_the_database(admin):
    admin.first_name = "Changed"
    admin.save()
    entry = LogEntry.objects.latest("pk")
    refused = "cannot be changed or deleted"
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        entry.object_repr = "tampered"
        entry.save()
    entry.refresh_from_db()
    assert entry.object_repr != "tampered"


# --- Who reviews what ----------------------------------------------------------------------


def test_it_shows_site_admins_only_entries_about_their_sites(
    client, admin, other_admin, therapist, outsider, past_session, other_session, participant
):
    other_participant_attendance = f.AttendanceFactory(
        session=other_session, participant=f.ParticipantFactory(site=other_session.group.site)
    )
    client.post(reverse("login"), {"username": "ghost", "password": "x"})
    ours = Attendance.objects.get(session=past_session)
    client.force_login(admin)
    lines = client.get(reverse("audit_log")).context["lines"]
    seen = {(line.entry.content_type.model, line.entry.object_id) for line in lines}
    assert ("attendance", ours.pk) in seen
    assert ("attendance", other_participant_attendance.pk) not in seen
    assert not any(
        line.entry.additional_data and "ghost" in str(line.entry.additional_data) for line in lines
    )

    client.force_login(other_admin)
    lines = client.get(reverse("audit_log")).context["lines"]
    seen = {(line.entry.content_type.model, line.entry.object_id) for line in lines}
    assert ("attendance", other_participant_attendance.pk) in seen
    assert ("attendance", ours.pk) not in seen

    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    lines = client.get(reverse("audit_log")).context["lines"]
    seen = {(line.entry.content_type.model, line.entry.object_id) for line in lines}
    assert {("attendance", ours.pk), ("attendance", other_participant_attendance.pk)} <= seen
    assert any("ghost" in str(line.entry.additional_data) for line in lines)


def test_it_filters_by_user_action_and_date(client, admin, therapist, co_therapist, past_session):
    client.force_login(therapist)
    client.get(reverse("session_detail", args=[past_session.pk]))
    client.force_login(co_therapist)
    client.get(reverse("note_print", args=[past_session.pk]))
    client.force_login(admin)
    url = reverse("audit_log")

    def whats(**params):
        lines = client.get(url, params).context["lines"]
        return [(line.entry.actor.username, line.action) for line in lines if line.entry.actor]

    assert whats(user="therapist", action="view") == [("therapist", "Viewed")]
    assert whats(action="print") == [("co_therapist", "Printed")]
    assert whats(user="co_therapist", action="view") == []
    assert whats(start="2000-01-01", end="2000-01-31") == []
    body = client.get(url, {"record_id": "5"}).content.decode()
    assert "Choose the kind of record the id belongs to." in body


def test_it_refuses_dates_at_the_ends_of_the_calendar_with_a_clear_error(client, admin):
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in response.content.decode()


def test_it_keeps_the_dates_typed_when_refusing_them(client, admin):
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"start": "0001-01-01", "end": "9999-12-31"})
    body = response.content.decode()
    assert 'value="0001-01-01"' in body
    assert 'value="9999-12-31"' in body


@pytest.mark.parametrize("size", [1, 30])
def test_it_reviews_the_trail_in_bounded_queries(
    client, admin, therapist, group, past_session, django_assert_max_num_queries, size
):
    for i in range(size):
        p = f.ParticipantFactory(site=group.site, first_name=f"P{i}")
        f.EnrollmentFactory(group=group, participant=p)
        client.force_login(therapist)
        client.get(reverse("participant_detail", args=[p.pk]))
        client.get(reverse("session_detail", args=[past_session.pk]))
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit_log"))
        assert response.status_code == 200
    # Both views of each participant's page and the session, newest first, a page at most.
    assert len(response.context["lines"]) >= min(2 * size, 50)


# --- What the review screen calls things, and when ---------------------------------------


def test_it_finds_a_notes_pages_under_session_note(client, admin, therapist, past_session):
    SessionNote.objects.create(session=past_session, author=therapist, subjective="S")
    client.force_login(therapist)
    client.get(reverse("note_edit", args=[past_session.pk]))
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"record_type": "sessions_app.sessionnote"})
    viewed = [line for line in response.context["lines"] if line.action == "Viewed"]
    assert [(line.entry.actor, line.record_type) for line in viewed] == [
        (therapist, "Session note")
    ]


def test_it_offers_session_note_among_the_record_kinds(client, admin):
    client.force_login(admin)
    response = client.get(reverse("audit_log"))
    choices = dict(response.context["form"].fields["record_type"].choices)
    assert choices["sessions_app.sessionnote"] == "Session note"


def test_it_names_the_session_a_note_page_is_reached_from(client, admin, therapist, past_session):
    client.force_login(therapist)
    client.get(reverse("note_print", args=[past_session.pk]))
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"action": "print"})
    cell = re.search(r"<td>Session note <a[^>]*>([^<]*)</a>", response.content.decode())
    assert cell.group(1) == f"session #{past_session.pk}"


def test_it_shows_a_changed_moment_in_the_sites_time_to_the_minute(client, admin, participant):
    consent = f.ConsentFactory(participant=participant, recorded_by=admin)
    consent.revoked_at = STARTS + timedelta(seconds=12, microseconds=345678)
    consent.save()
    client.force_login(admin)
    response = client.get(
        reverse("audit_log"), {"record_type": "sessions_app.consent", "action": "update"}
    )
    (line,) = response.context["lines"]
    changes = {c.field: (c.old, c.new) for c in line.changes}
    assert changes["Revoked at"] == ("—", "3 Mar 2026, 10:00")


def test_it_shows_a_changed_date_as_a_date(client, admin, participant):
    consent = f.ConsentFactory(participant=participant, recorded_by=admin)
    consent.expires_on = date(2027, 3, 3)
    consent.save()
    client.force_login(admin)
    response = client.get(
        reverse("audit_log"), {"record_type": "sessions_app.consent", "action": "update"}
    )
    (line,) = response.context["lines"]
    changes = {c.field: c.new for c in line.changes}
    assert changes["Expires on"] == "3 Mar 2027"


# --- The export ------------------------------------------------------------------------------


def _export(client, **params) -> list[list[str]]:
    response = client.get(reverse("audit_log_csv"), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_it_exports_the_trail_with_a_byte_order_mark(client, admin):
    client.force_login(admin)
    response = client.get(reverse("audit_log_csv"))
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_it_exports_a_header_in_the_sites_time_zone(client, admin):
    client.force_login(admin)
    header = _export(client)[0]
    assert header[:4] == ["When (America/New_York)", "Who (username)", "Who (name)", "What"]


def test_it_exports_a_note_view_in_local_time_under_session_note(
    client, admin, therapist, past_session
):
    client.force_login(therapist)
    client.get(reverse("note_edit", args=[past_session.pk]), REMOTE_ADDR=ADDRESS)
    entry = LogEntry.objects.get(additional_data__page="note_edit")
    client.force_login(admin)
    (row,) = _export(client, record_type="sessions_app.sessionnote")[1:]
    when = entry.timestamp.astimezone(past_session.group.site.tz).strftime("%Y-%m-%d %H:%M:%S")
    assert row == [
        when,
        "therapist",
        therapist.get_full_name(),
        "Viewed",
        "Session note",
        f"session #{past_session.pk}",
        str(past_session),
        reverse("note_edit", args=[past_session.pk]),
        ADDRESS,
    ]


def test_it_exports_changes_in_local_time(client, admin, participant):
    consent = f.ConsentFactory(participant=participant, recorded_by=admin)
    consent.revoked_at = STARTS + timedelta(microseconds=5)
    consent.save()
    client.force_login(admin)
    (row,) = _export(client, record_type="sessions_app.consent", action="update")[1:]
    assert row[7] == "Revoked at: — → 3 Mar 2026, 10:00"


def test_it_exports_who_by_username_and_name_or_by_the_address_kept(client, admin, participant):
    consent = f.ConsentFactory(participant=participant, recorded_by=admin)
    admin.first_name, admin.last_name = "Ana", "Ruiz"
    admin.save()
    kind = ContentType.objects.get_for_model(consent)
    for actor, address in [(admin, "ana@example.org"), (None, "former@example.org")]:
        LogEntry.objects.create(
            content_type=kind,
            object_pk=str(consent.pk),
            object_id=consent.pk,
            object_repr=str(consent),
            action=LogEntry.Action.UPDATE,
            changes={"scope": ["records", "records"]},
            actor=actor,
            actor_email=address,
        )
    client.force_login(admin)
    rows = _export(client, record_type="sessions_app.consent", action="update")[1:]
    assert [row[1:3] for row in rows] == [["", "former@example.org"], ["admin", "Ana Ruiz"]]


def test_it_neutralises_formulas_in_exported_cells(client, admin):
    admin.first_name, admin.last_name = "=HYPERLINK(A1)", "Miller"
    admin.save()
    client.force_login(admin)
    (row,) = _export(client, action="login")[1:]
    assert row[2] == "'=HYPERLINK(A1) Miller"


def test_it_exports_only_the_site_admins_entries(
    client, admin, other_admin, therapist, outsider, past_session, other_session
):
    client.force_login(therapist)
    client.get(reverse("session_detail", args=[past_session.pk]))
    client.force_login(outsider)
    client.get(reverse("session_detail", args=[other_session.pk]))
    client.force_login(admin)
    rows = _export(client, action="view")[1:]
    assert [(r[1], r[5]) for r in rows] == [("therapist", str(past_session.pk))]


def test_it_leaves_another_admins_login_out_of_the_export(client, admin, other_admin):
    client.force_login(other_admin)
    client.force_login(admin)
    rows = _export(client, action="login")[1:]
    assert [r[1] for r in rows] == ["admin"]


def test_it_logs_the_export_with_its_filter(client, admin):
    client.force_login(admin)
    _export(client, action="view")
    entry = LogEntry.objects.get(additional_data__page="audit_log_csv")
    assert (entry.actor, entry.additional_data["what"], entry.additional_data["path"]) == (
        admin,
        "export",
        reverse("audit_log_csv") + "?action=view",
    )


def test_it_refuses_the_export_to_therapists(client, therapist):
    client.force_login(therapist)
    assert client.get(reverse("audit_log_csv")).status_code == 404


def test_it_sends_a_filter_that_does_not_validate_back_to_the_screen(client, admin):
    client.force_login(admin)
    response = client.get(reverse("audit_log_csv"), {"record_id": "5"}, follow=True)
    assert "Choose the kind of record the id belongs to." in response.content.decode()


def test_it_stops_the_export_at_its_cap_and_says_so(client, admin, settings, past_session):
    settings.AUDIT_EXPORT_MAX_ROWS = 2
    for _ in range(3):
        client.force_login(admin)  # each a login entry about the admin
    rows = _export(client, action="login")[1:]
    assert len(rows) == 3
    assert rows[2] == [
        "The export stops at 2 entries, newest first; there are older ones. "
        "Narrow the filter (the dates) to export them."
    ]


def test_it_exports_every_entry_once_across_batches(client, admin, monkeypatch):
    monkeypatch.setattr(audit_views, "EXPORT_BATCH", 2)
    for _ in range(5):
        client.force_login(admin)
    expected = list(
        LogEntry.objects.filter(additional_data__what="login")
        .order_by("-timestamp", "-pk")
        .values_list("timestamp", flat=True)
    )
    rows = _export(client, action="login")[1:]
    tz = admin.sites.get().tz
    assert [r[0] for r in rows] == [
        t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") for t in expected
    ]


@pytest.mark.parametrize("size", [1, 30])
def test_it_exports_in_bounded_queries(
    client, admin, therapist, group, past_session, django_assert_max_num_queries, size
):
    client.force_login(therapist)
    for _ in range(size):
        client.get(reverse("session_detail", args=[past_session.pk]))
        client.get(reverse("note_print", args=[past_session.pk]))
    client.force_login(admin)
    with django_assert_max_num_queries(14):
        rows = _export(client)[1:]
    assert len(rows) >= 2 * size
