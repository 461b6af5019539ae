"""Session notes: drafted, checked, signed once, then only dated addenda; printed."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from sessions_app.models import NoteAddendum, ParticipantNote, Session, SessionNote
from sessions_app.services import notes as note_services
from sessions_app.services.errors import ServiceError
from sessions_app.services.notes import NoteDraft
from tests import factories as f

# Tuesday 3 March 2026, 10:00–11:00 in New York (EST).
STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

SOAP = {
    "subjective": "Members said the chorus felt like home.",
    "objective": "All sang the chorus; two played hand drums.",
    "assessment": "Group cohesion is growing.",
    "plan": "Continue the group song next week.",
}


@pytest.fixture
def held(group, participant, therapist):
    """A past session of `group`, still marked scheduled, with `participant` present."""
    s = f.SessionFactory(
        group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1), room="Studio B"
    )
    f.PlanItemFactory(
        session=s,
        position=1,
        song=f.SongFactory(title="Lean on Me", artist="Bill Withers"),
        activity_type="group_singing",
        minutes=15,
        purpose="Sing as one group",
    )
    f.PlanItemFactory(
        session=s, position=2, song=None, activity_type="improvisation", minutes=20, purpose=""
    )
    f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
    return s


def _enrol(group, first_name, last_name, preferred=""):
    p = f.ParticipantFactory(
        site=group.site, first_name=first_name, last_name=last_name, preferred_name=preferred
    )
    f.EnrollmentFactory(group=group, participant=p)
    return p


def _draft(**overrides) -> NoteDraft:
    values = {
        "format": "soap",
        "sections": SOAP,
        "actual_start": time(10, 5),
        "actual_end": time(11, 10),
        "participant_notes": {},
    }
    values.update(overrides)
    return NoteDraft(**values)


def _form_data(participant=None, **overrides):
    data = {
        "format": "soap",
        **SOAP,
        "actual_start": "10:05",
        "actual_end": "11:10",
        "action": "save",
    }
    if participant is not None:
        data[f"pnote-{participant.pk}"] = "Led the second verse with confidence."
    data.update(overrides)
    return data


def _signed(held, therapist, participant=None, **draft):
    notes = {participant.pk: "Sang every chorus."} if participant else {}
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft(participant_notes=notes, **draft)
    )
    return note_services.note_sign(session=held, by=therapist)


# --- Drafting ------------------------------------------------------------------------


def test_it_saves_a_draft_with_times_sections_and_participant_notes(
    client, therapist, held, participant
):
    client.force_login(therapist)
    response = client.post(
        reverse("note_edit", args=[held.pk]), _form_data(participant), follow=True
    )
    assert "Draft saved." in response.content.decode()
    note = SessionNote.objects.get(session=held)
    assert (note.status, note.format, note.author) == ("draft", "soap", therapist)
    assert note.subjective == SOAP["subjective"]
    assert note.plan == SOAP["plan"]
    held.refresh_from_db()
    # 10:05 and 11:10 EST on 3 March 2026 are 15:05 and 16:10 UTC.
    assert held.actual_starts_at == datetime(2026, 3, 3, 15, 5, tzinfo=UTC)
    assert held.actual_ends_at == datetime(2026, 3, 3, 16, 10, tzinfo=UTC)
    assert note.participant_notes.get(participant=participant).text == (
        "Led the second verse with confidence."
    )


def test_it_keeps_wall_clock_times_across_dst(therapist, group, participant):
    # Tuesday 10 March 2026 is after the clocks went forward: 10:00 EDT is 14:00 UTC.
    start = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    note_services.note_save_draft(session=s, author=therapist, draft=_draft())
    s.refresh_from_db()
    assert s.actual_starts_at == datetime(2026, 3, 10, 14, 5, tzinfo=UTC)


def test_it_prefills_the_form_from_the_schedule_and_reminds_to_leave_names_out(
    client, therapist, held, participant
):
    client.force_login(therapist)
    body = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert 'name="actual_start" value="10:00"' in body
    assert 'name="actual_end" value="11:00"' in body
    assert "Write the group note without participants&#x27; names" in body or (
        "Write the group note without participants' names" in body
    )
    assert "per-participant notes are private to each" in body
    assert f'name="pnote-{participant.pk}"' in body  # present, so a note of their own


def test_it_offers_participant_notes_only_for_those_who_attended(
    client, therapist, group, held, participant
):
    away = _enrol(group, "Quillon", "Ashdown")
    f.AttendanceFactory(session=held, participant=away, status="absent", minutes_attended=None)
    client.force_login(therapist)
    body = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert f'name="pnote-{away.pk}"' not in body
    with pytest.raises(ServiceError, match="only for participants who attended"):
        note_services.note_save_draft(
            session=held,
            author=therapist,
            draft=_draft(participant_notes={away.pk: "Was not there."}),
        )
    assert not SessionNote.objects.exists()  # nothing half-saved


def test_it_refuses_an_end_before_the_start_and_keeps_the_input(
    client, therapist, held, participant
):
    client.force_login(therapist)
    response = client.post(
        reverse("note_edit", args=[held.pk]),
        _form_data(actual_start="11:00", actual_end="10:30", subjective="Kept text"),
    )
    body = response.content.decode()
    assert "must be after the actual start time" in body
    assert "Nothing was saved." in body
    assert "Kept text" in body
    assert not SessionNote.objects.exists()
    held.refresh_from_db()
    assert held.actual_starts_at is None


def test_it_refuses_a_time_that_dst_skips(therapist, group, participant):
    # Sunday 8 March 2026: 02:30 does not exist in New York.
    start = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    s = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=3))
    with pytest.raises(ServiceError, match="does not exist"):
        note_services.note_save_draft(
            session=s, author=therapist, draft=_draft(actual_start=time(2, 30))
        )
    assert not SessionNote.objects.exists()


def test_it_refuses_a_note_for_a_cancelled_session(client, therapist, group, participant):
    s = f.SessionFactory(
        group=group,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        status="cancelled",
        cancel_reason="Snow day",
    )
    with pytest.raises(ServiceError, match="cancelled"):
        note_services.note_save_draft(session=s, author=therapist, draft=_draft())
    client.force_login(therapist)
    page = client.get(reverse("note_edit", args=[s.pk])).content.decode()
    assert "This session was cancelled: Snow day" in page
    assert 'name="subjective"' not in page
    response = client.post(reverse("note_edit", args=[s.pk]), _form_data(), follow=True)
    assert "there is nothing to document" in response.content.decode()
    assert not SessionNote.objects.exists()


# --- Signing -------------------------------------------------------------------------


def test_it_lists_each_thing_missing_before_signing(client, therapist, group, held, participant):
    sam = _enrol(group, "Samuel", "Kent", preferred="Sam")
    oliver = _enrol(group, "Oliver", "Ng")
    held.attendance.all().delete()
    by_surname = sorted([participant, sam, oliver], key=lambda p: (p.last_name, p.first_name))
    note_services.note_save_draft(
        session=held,
        author=therapist,
        draft=_draft(
            sections={**SOAP, "assessment": "", "plan": "  "}, actual_start=None, actual_end=None
        ),
    )
    missing = note_services.note_missing_for_signing(session=held)
    assert missing == [
        "Actual start time not recorded.",
        "Actual end time not recorded.",
        "Attendance not recorded for: " + ", ".join(p.short_name for p in by_surname),
        "Group note sections not filled: Assessment, Plan.",
    ]
    client.force_login(therapist)
    body = client.get(reverse("note_sign", args=[held.pk])).content.decode()
    for item in missing:
        assert item in body
    assert "Sign note as" not in body


def test_it_says_so_when_no_note_was_written(therapist, held):
    assert "The group note has not been written yet." in note_services.note_missing_for_signing(
        session=held
    )


def test_it_checks_the_sections_of_the_chosen_format(therapist, held):
    note_services.note_save_draft(
        session=held,
        author=therapist,
        draft=_draft(format="dap", sections={"data": "Sang and drummed.", **SOAP}),
    )
    assert note_services.note_missing_for_signing(session=held) == []
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft(format="dap", sections={"data": ""})
    )
    assert note_services.note_missing_for_signing(session=held) == [
        "Group note sections not filled: Data."
    ]


def test_it_refuses_to_sign_an_incomplete_note_and_changes_nothing(
    client, therapist, held, participant
):
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft(sections={**SOAP, "plan": ""})
    )
    client.force_login(therapist)
    body = client.post(reverse("note_sign", args=[held.pk])).content.decode()
    assert "Group note sections not filled: Plan." in body
    note = SessionNote.objects.get()
    assert (note.status, note.signed_by, note.signed_at) == ("draft", None, None)
    held.refresh_from_db()
    assert held.status == Session.Status.SCHEDULED


def test_it_signs_a_complete_note(client, therapist, held, participant):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    client.force_login(therapist)
    page = client.get(reverse("note_sign", args=[held.pk])).content.decode()
    assert "Sign note as" in page
    response = client.post(reverse("note_sign", args=[held.pk]), follow=True)
    assert "Note signed." in response.content.decode()
    note = SessionNote.objects.get()
    assert note.status == "signed"
    assert note.signed_by == therapist
    assert note.signed_at is not None
    held.refresh_from_db()
    assert held.status == Session.Status.HELD


def test_it_lets_the_co_therapist_sign(therapist, co_therapist, held):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    note = note_services.note_sign(session=held, by=co_therapist)
    assert (note.author, note.signed_by) == (therapist, co_therapist)


def test_it_refuses_to_sign_a_session_that_has_not_started(therapist, session, participant):
    f.AttendanceFactory(session=session, participant=participant)
    note_services.note_save_draft(session=session, author=therapist, draft=_draft())
    with pytest.raises(ServiceError, match="has not started yet"):
        note_services.note_sign(session=session, by=therapist)


# --- A signed note never changes ------------------------------------------------------


def _snapshot(held):
    held.refresh_from_db()
    note = SessionNote.objects.get(session=held)
    return (
        {k: getattr(note, k) for k in ("status", "format", *SOAP, "data", "updated_at")},
        list(ParticipantNote.objects.values_list("participant_id", "text")),
        (held.actual_starts_at, held.actual_ends_at),
    )


def test_it_refuses_to_change_a_signed_note(therapist, held, participant):
    _signed(held, therapist, participant)
    before = _snapshot(held)
    with pytest.raises(ServiceError, match="signed and can no longer change"):
        note_services.note_save_draft(
            session=held, author=therapist, draft=_draft(sections={**SOAP, "plan": "Rewritten"})
        )
    assert _snapshot(held) == before


def test_it_refuses_to_change_participant_notes_of_a_signed_note(therapist, held, participant):
    _signed(held, therapist, participant)
    before = _snapshot(held)
    with pytest.raises(ServiceError, match="signed and can no longer change"):
        note_services.note_save_draft(
            session=held,
            author=therapist,
            draft=_draft(participant_notes={participant.pk: "Rewritten afterwards."}),
        )
    assert _snapshot(held) == before


def test_it_refuses_to_change_the_actual_times_of_a_signed_note(therapist, held, participant):
    _signed(held, therapist, participant)
    before = _snapshot(held)
    with pytest.raises(ServiceError, match="signed and can no longer change"):
        note_services.session_record_actual_times(
            session=held, actual_start=time(9, 0), actual_end=time(12, 0)
        )
    with pytest.raises(ServiceError, match="signed and can no longer change"):
        note_services.note_save_draft(
            session=held, author=therapist, draft=_draft(actual_start=time(9, 0))
        )
    assert _snapshot(held) == before


def test_it_refuses_to_sign_twice(therapist, co_therapist, held):
    first = _signed(held, therapist)
    with pytest.raises(ServiceError, match="already signed"):
        note_services.note_sign(session=held, by=co_therapist)
    note = SessionNote.objects.get()
    assert (note.signed_by, note.signed_at) == (therapist, first.signed_at)


def test_it_shows_a_signed_note_read_only(client, therapist, held, participant):
    _signed(held, therapist, participant)
    client.force_login(therapist)
    body = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert "Signed" in body
    assert SOAP["assessment"] in body
    assert "Sang every chorus." in body
    assert "<textarea" in body  # only the addendum's
    assert 'name="subjective"' not in body
    assert 'name="actual_start"' not in body
    assert 'name="text"' in body


def test_it_refuses_a_post_to_the_edit_page_once_signed(client, therapist, held, participant):
    _signed(held, therapist, participant)
    before = _snapshot(held)
    client.force_login(therapist)
    response = client.post(
        reverse("note_edit", args=[held.pk]), _form_data(plan="Changed"), follow=True
    )
    assert "can no longer change" in response.content.decode()
    assert _snapshot(held) == before


# --- Addenda ---------------------------------------------------------------------------


def test_it_adds_dated_addenda_in_order(client, therapist, co_therapist, held):
    _signed(held, therapist)
    client.force_login(therapist)
    url = reverse("note_addendum", args=[held.pk])
    client.post(url, {"text": "First: the session ran in Studio C."})
    client.force_login(co_therapist)
    response = client.post(url, {"text": "Second: one more member joined late."}, follow=True)
    body = response.content.decode()
    first, second = NoteAddendum.objects.order_by("created_at")
    assert (first.author, second.author) == (therapist, co_therapist)
    assert body.index("First: the session ran") < body.index("Second: one more member")
    local = first.created_at.astimezone(held.group.site.tz)
    assert f"{local:%A %-d %B %Y, %H:%M}" in body
    print_body = client.get(reverse("note_print", args=[held.pk])).content.decode()
    assert print_body.index("First: the session ran") < print_body.index("Second: one more")


def test_it_refuses_an_addendum_to_a_draft_or_without_text(therapist, held):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    with pytest.raises(ServiceError, match="Addenda are for signed notes"):
        note_services.note_addendum_add(session=held, author=therapist, text="Too early")
    note_services.note_sign(session=held, by=therapist)
    with pytest.raises(ServiceError, match="Write the addendum"):
        note_services.note_addendum_add(session=held, author=therapist, text="   ")
    assert not NoteAddendum.objects.exists()


def test_it_says_an_addendum_needs_text(client, therapist, held):
    _signed(held, therapist)
    client.force_login(therapist)
    body = client.post(reverse("note_addendum", args=[held.pk]), {"text": ""}).content.decode()
    assert "Write the addendum before adding it." in body
    assert not NoteAddendum.objects.exists()


# --- Who may do what -------------------------------------------------------------------


def test_it_lets_an_administrator_read_and_print_but_not_write(client, admin, therapist, held):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    client.force_login(admin)
    page = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert SOAP["objective"] in page
    assert "Only the group&#x27;s therapists" in page or "Only the group's therapists" in page
    assert 'name="subjective"' not in page
    assert SOAP["plan"] in client.get(reverse("note_print", args=[held.pk])).content.decode()
    sign_page = client.get(reverse("note_sign", args=[held.pk]))
    assert sign_page.status_code == 200
    assert "Sign note as" not in sign_page.content.decode()

    before = _snapshot(held)
    assert client.post(reverse("note_edit", args=[held.pk]), _form_data()).status_code == 403
    assert client.post(reverse("note_sign", args=[held.pk])).status_code == 403
    note_services.note_sign(session=held, by=therapist)
    signed = _snapshot(held)
    assert signed != before
    response = client.post(reverse("note_addendum", args=[held.pk]), {"text": "An admin's"})
    assert response.status_code == 403
    assert _snapshot(held) == signed
    assert not NoteAddendum.objects.exists()


def test_it_refuses_an_administrator_in_the_services_too(admin, therapist, held):
    with pytest.raises(ServiceError, match="Only the group's therapists"):
        note_services.note_save_draft(session=held, author=admin, draft=_draft())
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    with pytest.raises(ServiceError, match="Only the group's therapists"):
        note_services.note_sign(session=held, by=admin)
    assert SessionNote.objects.get().status == "draft"


NOTE_URLS = ["note_edit", "note_sign", "note_addendum", "note_print"]


@pytest.mark.parametrize("who", ["outsider", "other_admin", "participant", "other_participant"])
def test_it_answers_404_on_every_note_url_to_those_who_may_not_see(
    client, cast, held, participant, who
):
    note_services.note_save_draft(session=held, author=cast["therapist"], draft=_draft())
    client.force_login(cast[who])
    urls = [reverse(name, args=[held.pk]) for name in NOTE_URLS]
    urls.append(reverse("note_print_participant", args=[held.pk, participant.pk]))
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**_form_data(), "text": "x"}).status_code == 404, url
    assert SessionNote.objects.get().status == "draft"
    assert not NoteAddendum.objects.exists()


def test_it_sends_anonymous_users_to_log_in(client, held, participant):
    urls = [reverse(name, args=[held.pk]) for name in NOTE_URLS]
    urls.append(reverse("note_print_participant", args=[held.pk, participant.pk]))
    for url in urls:
        for response in (client.get(url), client.post(url, _form_data())):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))
    assert not SessionNote.objects.exists()


# --- Printing --------------------------------------------------------------------------


def test_it_prints_the_session_plan_attendance_note_and_signature(
    client, therapist, group, held, participant
):
    late = _enrol(group, "Oliver", "Ng")
    f.AttendanceFactory(session=held, participant=late, status="late", minutes_attended=40)
    _signed(held, therapist, participant)
    client.force_login(therapist)
    body = client.get(reverse("note_print", args=[held.pk])).content.decode()
    assert "Tuesday Songwriting" in body
    assert "Harbor Street Center" in body
    assert "Tuesday 3 March 2026" in body
    assert "10:00–11:00 EST" in body
    assert "10:05–11:10 EST" in body
    assert "Studio B" in body
    # the plan
    assert "Lean on Me" in body and "Group singing" in body and "Improvisation" in body
    assert "35 of 60 minutes" in body
    # attendance: counts and the list
    assert "<strong>1</strong> present" in body
    assert "<strong>1</strong> late" in body
    assert participant.full_name in body and "Oliver Ng" in body
    # the group note and participant notes
    for text in SOAP.values():
        assert text in body
    assert "Sang every chorus." in body
    # the signature, in the site's zone
    note = SessionNote.objects.get()
    signed = note.signed_at.astimezone(group.site.tz)
    assert f"{therapist.get_full_name()}, MT-BC" in body
    assert f"{signed:%A %-d %B %Y} at {signed:%H:%M %Z}" in body
    assert "DRAFT" not in body
    assert "navbar" not in body
    assert "@media print" in _static("css/note_print.css")


def test_it_marks_an_unsigned_print_as_a_draft(client, therapist, held):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    client.force_login(therapist)
    body = client.get(reverse("note_print", args=[held.pk])).content.decode()
    assert "DRAFT — not signed" in body
    assert "Electronically signed" not in body


def _static(path: str) -> str:
    from django.contrib.staticfiles import finders

    with open(finders.find(path), encoding="utf-8") as fh:
        return fh.read()


def _names(p) -> list[str]:
    return [n for n in (p.first_name, p.last_name, p.preferred_name) if n]


def test_it_prints_a_participants_copy_without_anyone_elses_name(
    client, therapist, group, held, participant
):
    others = [
        _enrol(group, "Quillon", "Ashdown", preferred="Quill"),
        _enrol(group, "Marisol", "Featherstone", preferred="Mari"),
        _enrol(group, "Tobiah", "Wrenfield"),
    ]
    statuses = ["present", "late", "absent"]
    for person, status in zip(others, statuses, strict=True):
        f.AttendanceFactory(
            session=held,
            participant=person,
            status=status,
            minutes_attended=None if status == "absent" else 30,
        )
    notes = {participant.pk: "Dee's own progress note."}
    notes.update({p.pk: f"Note about {p.first_name} {p.last_name}." for p in others[:2]})
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft(participant_notes=notes)
    )
    note_services.note_sign(session=held, by=therapist)
    note_services.note_addendum_add(
        session=held, author=therapist, text="Correction to Quillon Ashdown's note."
    )

    client.force_login(therapist)
    full = client.get(reverse("note_print", args=[held.pk])).content.decode()
    for person in others:  # the whole note does name them…
        assert person.last_name in full
    body = client.get(
        reverse("note_print_participant", args=[held.pk, participant.pk])
    ).content.decode()
    for person in others:  # …the participant's copy names nobody else
        for name in _names(person):
            assert not re.search(rf"\b{re.escape(name)}\b", body), name
    assert participant.full_name in body
    assert "Dee's own progress note." in body or "Dee&#x27;s own progress note." in body
    assert SOAP["assessment"] in body  # the group note, as written
    assert "included as the therapist wrote it" in body
    assert "Lean on Me" in body
    assert "leaves out 1 addendum" in body
    assert "Electronically signed by" in body


@pytest.mark.parametrize("who", ["stranger", "other_participant"])
def test_it_answers_404_for_a_copy_of_someone_not_in_the_session(
    client, therapist, group, held, other_participant, who
):
    stranger = f.ParticipantFactory(site=group.site)  # same site, never in this group
    person = stranger if who == "stranger" else other_participant
    client.force_login(therapist)
    url = reverse("note_print_participant", args=[held.pk, person.pk])
    assert client.get(url).status_code == 404


def test_it_prints_a_copy_for_someone_recorded_but_not_on_the_roster(
    client, therapist, group, held
):
    gone = f.ParticipantFactory(site=group.site, first_name="Quillon")
    f.EnrollmentFactory(
        group=group,
        participant=gone,
        start_date=held.local_date - timedelta(days=60),
        end_date=held.local_date - timedelta(days=1),
        status="discharged",
    )
    f.AttendanceFactory(session=held, participant=gone, recorded_by=therapist)
    client.force_login(therapist)
    url = reverse("note_print_participant", args=[held.pk, gone.pk])
    assert client.get(url).status_code == 200


# --- Bounded queries -------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_note_pages_in_bounded_queries(
    client, therapist, group, held, participant, django_assert_max_num_queries, size
):
    texts = {participant.pk: "Own note."}
    for i in range(size):
        p = _enrol(group, f"Person{i}", f"Family{i}")
        f.AttendanceFactory(session=held, participant=p, recorded_by=therapist)
        texts[p.pk] = f"Note {i}."
        f.PlanItemFactory(session=held, position=i + 3)
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft(participant_notes=texts)
    )
    client.force_login(therapist)
    # The note form: login (2), the session with whether the viewer facilitates its group,
    # the note, its participant notes, attendance, the roster, the active objectives of
    # those who attended and the progress the note records on them, what the plan tagged
    # with their goal areas, and the audit entry for the view (1 each).
    with django_assert_max_num_queries(12):
        assert client.get(reverse("note_edit", args=[held.pk])).status_code == 200
    for url in (
        reverse("note_sign", args=[held.pk]),
        reverse("note_print", args=[held.pk]),
        reverse("note_print_participant", args=[held.pk, participant.pk]),
    ):
        # 14: twelve, and two for treatment plans (the active objectives of those who
        # attended, and the progress the note records on them).
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
    # 28: the audit trail reads the note as it was, and writes an entry for it
    # and one INSERT for its participant notes.
    with django_assert_max_num_queries(28):
        response = client.post(reverse("note_edit", args=[held.pk]), _form_data())
        assert response.status_code == 302
    note_services.note_sign(session=held, by=therapist)
    note_services.note_addendum_add(session=held, author=therapist, text="Later.")
    # 10: a signed note reads the progress it recorded, not the plans, and no plan tags
    # (it shows no form); and its addenda.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("note_edit", args=[held.pk])).status_code == 200
