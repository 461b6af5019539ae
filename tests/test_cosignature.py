"""Interns' notes: signed by them, final only once their supervisor co-signs."""

import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from sessions_app.models import SessionNote
from sessions_app.permissions import notes_awaiting_cosignature_for, sessions_for
from sessions_app.services import consent as consent_services
from sessions_app.services import notes as note_services
from sessions_app.services.attendance import AttendanceEntry, attendance_record
from sessions_app.services.errors import ServiceError
from sessions_app.services.notes import NoteDraft
from tests import factories as f

STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
SOAP = {
    "subjective": "Members said the chorus felt like home.",
    "objective": "All sang the chorus.",
    "assessment": "Cohesion is growing.",
    "plan": "Continue the group song.",
}


@pytest.fixture
def supervisor(site):
    """A board-certified therapist at the site who does not facilitate `group`."""
    return f.TherapistFactory(
        username="supervisor", first_name="Sam", last_name="Okafor", credentials="MT-BC"
    )


@pytest.fixture
def intern(therapist, supervisor):
    therapist.supervisor = supervisor
    therapist.first_name, therapist.last_name = "Ira", "Intern"
    therapist.save()
    return therapist


@pytest.fixture
def held(group, participant, therapist):
    s = f.SessionFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
    return s


def _draft() -> NoteDraft:
    return NoteDraft(
        format="soap",
        sections=SOAP,
        actual_start=time(10, 0),
        actual_end=time(11, 0),
        participant_notes={},
    )


def _sign(session, by, participant=None) -> SessionNote:
    notes = {participant.pk: "Led the chorus."} if participant else {}
    note_services.note_save_draft(
        session=session,
        author=by,
        draft=NoteDraft(
            format="soap",
            sections=SOAP,
            actual_start=time(10, 0),
            actual_end=time(11, 0),
            participant_notes=notes,
        ),
    )
    return note_services.note_sign(session=session, by=by)


@pytest.fixture
def awaiting(held, intern):
    return _sign(held, intern)


# --- Signing and co-signing --------------------------------------------------------------


def test_it_leaves_an_interns_signed_note_waiting_for_cosignature(awaiting):
    awaiting.refresh_from_db()
    assert awaiting.status == SessionNote.Status.REVIEW


def test_it_does_not_count_a_note_awaiting_cosignature_as_final(awaiting):
    assert not awaiting.is_signed


def test_it_signs_an_unsupervised_therapists_note_final(held, co_therapist):
    note = _sign(held, co_therapist)
    assert note.status == SessionNote.Status.SIGNED


def test_it_makes_the_note_final_when_the_supervisor_cosigns(awaiting, supervisor):
    note_services.note_cosign(note=awaiting, by=supervisor)
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.cosigned_by) == (SessionNote.Status.SIGNED, supervisor)


def test_it_refuses_the_intern_cosigning_their_own_note(awaiting, intern):
    with pytest.raises(ServiceError, match="Only the supervisor"):
        note_services.note_cosign(note=awaiting, by=intern)


def test_it_refuses_a_therapist_who_supervises_someone_else(awaiting, co_therapist, site):
    other_intern = f.TherapistFactory(username="other_intern", supervisor=co_therapist)
    assert other_intern.supervisor == co_therapist
    with pytest.raises(ServiceError, match="Only the supervisor"):
        note_services.note_cosign(note=awaiting, by=co_therapist)


def test_it_locks_a_note_awaiting_cosignature(awaiting, held, intern):
    with pytest.raises(ServiceError, match="waiting for co-signature"):
        note_services.note_save_draft(session=held, author=intern, draft=_draft())


def test_it_locks_the_attendance_of_a_note_awaiting_cosignature(
    awaiting, held, intern, participant
):
    with pytest.raises(ServiceError, match="The note for this session is signed"):
        attendance_record(
            session=held,
            entries={participant.pk: AttendanceEntry(status="absent")},
            recorded_by=intern,
        )


def test_it_audits_the_cosignature(awaiting, supervisor):
    note_services.note_cosign(note=awaiting, by=supervisor)
    entry = LogEntry.objects.filter(
        content_type__model="sessionnote", object_id=awaiting.pk
    ).latest("pk")
    assert entry.changes_dict["status"] == ["review", "signed"]


# --- Sending back --------------------------------------------------------------------------


def test_it_sends_a_note_back_as_a_draft(awaiting, supervisor):
    note_services.note_send_back(note=awaiting, by=supervisor, comment="Name the song.")
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.signed_by) == (SessionNote.Status.DRAFT, None)


def test_it_lets_the_intern_edit_a_returned_note(awaiting, supervisor, held, intern):
    note_services.note_send_back(note=awaiting, by=supervisor, comment="Name the song.")
    draft = NoteDraft(
        format="soap",
        sections={**SOAP, "plan": "Sing Lean on Me again."},
        actual_start=time(10, 0),
        actual_end=time(11, 0),
        participant_notes={},
    )
    note = note_services.note_save_draft(session=held, author=intern, draft=draft)
    assert note.plan == "Sing Lean on Me again."


def test_it_shows_the_comment_on_the_note_form(client, awaiting, supervisor, held, intern):
    note_services.note_send_back(note=awaiting, by=supervisor, comment="Name the song.")
    client.force_login(intern)
    body = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert "Name the song." in body


def test_it_clears_the_comment_when_the_intern_signs_again(awaiting, supervisor, held, intern):
    note_services.note_send_back(note=awaiting, by=supervisor, comment="Name the song.")
    note = note_services.note_sign(session=held, by=intern)
    assert (note.status, note.returned_comment) == (SessionNote.Status.REVIEW, "")


def test_it_refuses_to_send_back_without_a_comment(client, awaiting, supervisor, held):
    client.force_login(supervisor)
    response = client.post(
        reverse("note_review", args=[held.pk]), {"action": "return", "comment": "  "}
    )
    assert "Say what to change" in html.unescape(response.content.decode())
    awaiting.refresh_from_db()
    assert awaiting.status == SessionNote.Status.REVIEW


# --- Who reads and co-signs ----------------------------------------------------------------


def test_it_lets_the_supervisor_read_the_note_awaiting_them(client, awaiting, supervisor, held):
    client.force_login(supervisor)
    response = client.get(reverse("note_edit", args=[held.pk]))
    assert "Waiting for your co-signature" in html.unescape(response.content.decode())


def test_it_lets_the_supervisor_print_the_note_awaiting_them(client, awaiting, supervisor, held):
    client.force_login(supervisor)
    assert client.get(reverse("note_print", args=[held.pk])).status_code == 200


def test_it_keeps_the_rest_of_the_group_from_the_supervisor(client, awaiting, supervisor, held):
    client.force_login(supervisor)
    assert client.get(reverse("session_detail", args=[held.pk])).status_code == 404


def test_it_keeps_a_cosigned_note_from_a_supervisor_outside_the_group(
    client, awaiting, supervisor, held
):
    note_services.note_cosign(note=awaiting, by=supervisor)
    client.force_login(supervisor)
    assert client.get(reverse("note_edit", args=[held.pk])).status_code == 404


def test_it_cosigns_from_the_note_page(client, awaiting, supervisor, held):
    client.force_login(supervisor)
    response = client.post(reverse("note_review", args=[held.pk]), {"action": "cosign"})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.is_signed


def test_it_answers_404_to_the_intern_cosigning(client, awaiting, intern, held):
    client.force_login(intern)
    response = client.post(reverse("note_review", args=[held.pk]), {"action": "cosign"})
    assert response.status_code == 404


def test_it_answers_404_to_an_outsider_cosigning(client, awaiting, outsider, held):
    client.force_login(outsider)
    response = client.post(reverse("note_review", args=[held.pk]), {"action": "cosign"})
    assert response.status_code == 404


def test_it_answers_404_to_an_outsider_reading(client, awaiting, outsider, held):
    client.force_login(outsider)
    assert client.get(reverse("note_edit", args=[held.pk])).status_code == 404


def test_it_queues_only_the_supervisors_own_supervisees_notes(
    awaiting, supervisor, co_therapist, other_group, outsider
):
    other_supervisor = f.TherapistFactory(username="other_supervisor")
    outsider.supervisor = other_supervisor
    outsider.save()
    start = STARTS - timedelta(days=7)
    other = f.SessionFactory(group=other_group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.AttendanceFactory(
        session=other, participant=f.ParticipantFactory(site=other_group.site), recorded_by=outsider
    )
    _sign(other, outsider)
    assert list(notes_awaiting_cosignature_for(supervisor)) == [awaiting]


def test_it_shows_the_queue_on_the_supervisors_home(client, awaiting, supervisor):
    client.force_login(supervisor)
    body = html.unescape(client.get(reverse("home")).content.decode())
    assert reverse("note_edit", args=[awaiting.session_id]) in body


# --- What counts as signed -----------------------------------------------------------------


def _consent(participant, admin):
    return f.ConsentFactory(participant=participant, recorded_by=admin)


def test_it_discloses_only_final_notes(awaiting, admin, participant, held, intern):
    consent = _consent(participant, admin)
    note_services.note_send_back(note=awaiting, by=intern.supervisor, comment="Add a note.")
    _sign(held, intern, participant)
    export = consent_services.participant_records_export(
        participant=participant,
        recipient=consent.disclose_to,
        by=admin,
        sessions=sessions_for(admin),
        include_notes=True,
    )
    assert export.notes == []


def test_it_discloses_a_cosigned_note(awaiting, admin, participant, held, intern):
    consent = _consent(participant, admin)
    note_services.note_send_back(note=awaiting, by=intern.supervisor, comment="Add a note.")
    note = _sign(held, intern, participant)
    note_services.note_cosign(note=note, by=intern.supervisor)
    export = consent_services.participant_records_export(
        participant=participant,
        recipient=consent.disclose_to,
        by=admin,
        sessions=sessions_for(admin),
        include_notes=True,
    )
    assert [pn.text for pn in export.notes] == ["Led the chorus."]


def _text(response) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def test_it_prints_the_authors_signature(client, awaiting, supervisor, held, intern):
    note_services.note_cosign(note=awaiting, by=supervisor)
    client.force_login(intern)
    body = _text(client.get(reverse("note_print", args=[held.pk])))
    assert "Electronically signed by Ira Intern, MT-BC on" in body


def test_it_prints_the_cosignature(client, awaiting, supervisor, held, intern):
    note_services.note_cosign(note=awaiting, by=supervisor)
    client.force_login(intern)
    body = _text(client.get(reverse("note_print", args=[held.pk])))
    assert "Co-signed by Sam Okafor, MT-BC , supervisor on" in body


def test_it_prints_a_note_awaiting_cosignature_as_not_final(client, awaiting, held, intern):
    client.force_login(intern)
    body = html.unescape(client.get(reverse("note_print", args=[held.pk])).content.decode())
    assert "NOT FINAL — awaiting the supervisor's co-signature" in body


# --- Invariants -------------------------------------------------------------------------


def test_it_keeps_a_note_awaiting_cosignature_signed_in_the_database(awaiting):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=awaiting.pk).update(signed_by=None, signed_at=None)


def test_it_keeps_a_cosigner_other_than_the_signer_in_the_database(awaiting, intern):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=awaiting.pk).update(
            status="signed", cosigned_by=intern, cosigned_at=STARTS
        )


def test_it_keeps_a_therapist_from_supervising_themself(therapist):
    therapist.supervisor = therapist
    with pytest.raises(ValidationError, match="cannot supervise themself"):
        therapist.full_clean()


def test_it_keeps_a_therapist_from_supervising_themself_in_the_database(therapist):
    from sessions_app.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=therapist.pk).update(supervisor=therapist)


def test_it_refuses_a_supervisor_who_is_not_a_therapist(therapist, admin):
    therapist.supervisor = admin
    with pytest.raises(ValidationError, match="Choose a therapist"):
        therapist.full_clean()
