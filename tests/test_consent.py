"""The consent registry (42 CFR Part 2 style) and exports of records under a consent."""

import html
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Consent, Disclosure, ParticipantNote, SessionNote
from sessions_app.permissions import sessions_for
from sessions_app.services import consent as services
from sessions_app.services.errors import ServiceError
from tests import factories as f

CLINIC = "Riverside Recovery Clinic"
NOTICE_START = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2)."
)
SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def _today(participant):
    return timezone.now().astimezone(participant.site.tz).date()


@pytest.fixture
def records(group, therapist, participant, past_session):
    """`participant` attended `past_session`; its note is signed with a note about them
    and one about someone else. A later session's note is still a draft."""
    other = f.ParticipantFactory(site=group.site, first_name="Quinn", last_name="Other")
    f.EnrollmentFactory(group=group, participant=other)
    f.AttendanceFactory(session=past_session, participant=other)
    note = SessionNote.objects.create(
        session=past_session,
        author=therapist,
        subjective="Group sang together.",
        status="signed",
        signed_by=therapist,
        signed_at=timezone.now(),
    )
    ParticipantNote.objects.create(note=note, participant=participant, text="Led the chorus.")
    ParticipantNote.objects.create(note=note, participant=other, text="Quinn's private note.")
    start = timezone.now() - timedelta(days=3)
    later = f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )
    f.AttendanceFactory(session=later, participant=participant, status="late", minutes_attended=40)
    draft = SessionNote.objects.create(session=later, author=therapist)
    ParticipantNote.objects.create(note=draft, participant=participant, text="Draft thoughts.")
    return {"other": other, "later": later}


def _consent(participant, admin, **overrides):
    return f.ConsentFactory(participant=participant, recorded_by=admin, **overrides)


def _export(client, participant, remote_addr="127.0.0.1", **data):
    payload = {"recipient": CLINIC, "include_notes": "on", "confirm": "on", **data}
    url = reverse("participant_records_export", args=[participant.pk])
    return client.post(url, payload, REMOTE_ADDR=remote_addr)


# --- Exports --------------------------------------------------------------------------------


def test_it_refuses_an_export_without_a_consent(client, admin, participant, records):
    client.force_login(admin)
    page = client.get(reverse("participant_records_export", args=[participant.pk]))
    assert "No consent is recorded" in page.content.decode()
    response = _export(client, participant)
    assert response.status_code == 400
    assert "Led the chorus." not in response.content.decode()
    assert not Disclosure.objects.exists()
    assert not LogEntry.objects.filter(additional_data__what="export").exists()
    with pytest.raises(ServiceError, match="has no consent to disclose records to"):
        services.participant_records_export(
            participant=participant, recipient=CLINIC, by=admin, sessions=sessions_for(admin)
        )


def test_it_exports_under_a_valid_consent_with_the_notice(
    client, admin, participant, past_session, records
):
    consent = _consent(participant, admin)
    client.force_login(admin)
    response = _export(client, participant, remote_addr="203.0.113.9")
    assert response.status_code == 200
    body = response.content.decode()
    assert NOTICE_START in body
    assert "A general authorization for the release of medical or other information is NOT" in body
    assert SHORT_NOTICE in body
    # What was disclosed: attendance and the signed note about them, nothing else.
    assert f"{past_session.local_date:%-d %b %Y}" in body
    assert "Led the chorus." in body
    assert "Late" in body
    assert "Draft thoughts." not in body
    assert "Quinn" not in body
    # The consent's scope goes with it.
    assert consent.disclose_what in body and consent.purpose in body
    disclosure = Disclosure.objects.get()
    assert (disclosure.participant, disclosure.consent, disclosure.disclosed_by) == (
        participant,
        consent,
        admin,
    )
    assert "signed participant notes (1)" in disclosure.what
    entry = LogEntry.objects.get(additional_data__what="export")
    assert (entry.actor, entry.object_id, entry.remote_addr) == (
        admin,
        participant.pk,
        "203.0.113.9",
    )
    assert LogEntry.objects.filter(
        content_type__model="disclosure", object_id=disclosure.pk, action=LogEntry.Action.CREATE
    ).exists()


def test_it_leaves_notes_out_unless_asked(client, admin, participant, records):
    _consent(participant, admin)
    client.force_login(admin)
    response = _export(client, participant, include_notes="")
    assert response.status_code == 200
    assert "Led the chorus." not in response.content.decode()


def test_it_asks_the_exporter_to_confirm_the_consents_scope(client, admin, participant, records):
    _consent(participant, admin)
    client.force_login(admin)
    response = _export(client, participant, confirm="")
    assert response.status_code == 400
    assert not Disclosure.objects.exists()


def test_it_refuses_an_export_after_the_consent_is_revoked(client, admin, participant, records):
    consent = _consent(participant, admin)
    client.force_login(admin)
    response = client.post(
        reverse("consent_revoke", args=[consent.pk]), {"note": "In writing, letter of 3 March"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.revoked_by, consent.revocation_note) == (admin, "In writing, letter of 3 March")
    response = _export(client, participant)
    assert response.status_code == 400
    body = response.content.decode()
    assert "was revoked on" in body
    assert "Led the chorus." not in body
    assert not Disclosure.objects.exists()
    revoked = LogEntry.objects.get(
        content_type__model="consent", object_id=consent.pk, action=LogEntry.Action.UPDATE
    )
    assert revoked.actor == admin
    assert "revoked_at" in revoked.changes_dict


def test_it_refuses_an_export_after_the_consent_expired(client, admin, participant, records):
    today = _today(participant)
    _consent(
        participant,
        admin,
        signed_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    client.force_login(admin)
    response = _export(client, participant)
    assert response.status_code == 400
    assert "expired on" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_it_accepts_a_consent_on_its_last_day(admin, participant, records):
    today = _today(participant)
    _consent(participant, admin, signed_on=today - timedelta(days=30), expires_on=today)
    export = services.participant_records_export(
        participant=participant, recipient=CLINIC, by=admin, sessions=sessions_for(admin)
    )
    assert export.disclosure.pk


def test_it_refuses_a_recipient_the_consent_does_not_name(admin, participant, records):
    _consent(participant, admin)
    with pytest.raises(ServiceError, match="no consent to disclose records to County Court"):
        services.participant_records_export(
            participant=participant,
            recipient="County Court",
            by=admin,
            sessions=sessions_for(admin),
        )
    assert not Disclosure.objects.exists()


def test_it_uses_a_newer_consent_when_an_older_one_was_revoked(admin, participant, records):
    old = _consent(participant, admin)
    services.consent_revoke(consent=old, revoked_by=admin, note="By phone to the front desk")
    new = _consent(participant, admin, disclose_to=CLINIC.upper())
    export = services.participant_records_export(
        participant=participant, recipient=CLINIC, by=admin, sessions=sessions_for(admin)
    )
    assert export.consent == new


# --- The export form offers only consents in force -------------------------------------------


def _form_page(client, participant):
    return client.get(reverse("participant_records_export", args=[participant.pk]))


def test_it_offers_only_recipients_of_consents_in_force(client, admin, participant):
    today = _today(participant)
    _consent(participant, admin)
    revoked = _consent(participant, admin, disclose_to="County Court")
    services.consent_revoke(consent=revoked, revoked_by=admin, note="In writing")
    _consent(
        participant,
        admin,
        disclose_to="Old Clinic",
        signed_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    _consent(participant, admin, disclose_to="Future Clinic", signed_on=today + timedelta(days=2))
    client.force_login(admin)
    form = _form_page(client, participant).context["form"]
    assert form.fields["recipient"].choices == [(CLINIC, CLINIC)]


def test_it_says_why_when_every_consent_has_expired(client, admin, participant):
    today = _today(participant)
    expired = today - timedelta(days=1)
    _consent(participant, admin, signed_on=today - timedelta(days=400), expires_on=expired)
    client.force_login(admin)
    body = html.unescape(_form_page(client, participant).content.decode())
    assert f"The consent to disclose to {CLINIC} expired on {expired:%-d %B %Y}." in body


def test_it_says_why_when_the_consent_was_revoked(client, admin, participant):
    consent = _consent(participant, admin)
    services.consent_revoke(consent=consent, revoked_by=admin, note="By phone")
    client.force_login(admin)
    body = html.unescape(_form_page(client, participant).content.decode())
    assert f"The consent to disclose to {CLINIC} was revoked on " in body


def test_it_links_to_record_a_consent_when_none_is_in_force(client, admin, participant):
    consent = _consent(participant, admin)
    services.consent_revoke(consent=consent, revoked_by=admin, note="By phone")
    client.force_login(admin)
    body = _form_page(client, participant).content.decode()
    assert f'href="{reverse("consent_record", args=[participant.pk])}"' in body


def test_it_shows_no_export_form_when_no_consent_is_in_force(client, admin, participant):
    consent = _consent(participant, admin)
    services.consent_revoke(consent=consent, revoked_by=admin, note="By phone")
    client.force_login(admin)
    body = _form_page(client, participant).content.decode()
    assert 'name="recipient"' not in body


def test_it_refuses_a_posted_recipient_whose_consent_was_revoked(
    client, admin, participant, records
):
    _consent(participant, admin)
    revoked = _consent(participant, admin, disclose_to="County Court")
    services.consent_revoke(consent=revoked, revoked_by=admin, note="In writing")
    client.force_login(admin)
    response = _export(client, participant, recipient="County Court")
    assert response.status_code == 400
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("size", [1, 12])
def test_it_shows_the_export_form_in_bounded_queries(
    client, admin, participant, django_assert_max_num_queries, size
):
    for i in range(size):
        _consent(participant, admin, disclose_to=f"Clinic {i}")
    client.force_login(admin)
    with django_assert_max_num_queries(14):
        response = _form_page(client, participant)
    assert len(response.context["form"].fields["recipient"].choices) == size


# --- Recording and revoking -----------------------------------------------------------------


def test_it_records_a_consent(client, admin, participant):
    client.force_login(admin)
    today = _today(participant)
    response = client.post(
        reverse("consent_record", args=[participant.pk]),
        {
            "disclose_what": "Attendance and session dates",
            "disclose_to": "County Drug Court",
            "purpose": "Court-ordered treatment compliance",
            "signed_on": today.isoformat(),
            "expires_on": (today + timedelta(days=180)).isoformat(),
        },
        follow=True,
    )
    consent = Consent.objects.get()
    assert (consent.disclose_to, consent.recorded_by) == ("County Drug Court", admin)
    body = response.content.decode()
    assert "County Drug Court" in body and "In force" in body
    assert LogEntry.objects.filter(
        content_type__model="consent", object_id=consent.pk, action=LogEntry.Action.CREATE
    ).exists()


def test_it_says_what_to_fix_in_a_consent(client, admin, participant):
    client.force_login(admin)
    today = _today(participant)
    response = client.post(
        reverse("consent_record", args=[participant.pk]),
        {
            "disclose_what": "Attendance",
            "disclose_to": "Clinic",
            "purpose": "Care",
            "signed_on": (today + timedelta(days=2)).isoformat(),
            "expires_on": today.isoformat(),
        },
    )
    body = response.content.decode()
    assert "A consent cannot be signed in the future" in body
    assert "The expiry date is before the date it was signed." in body
    assert not Consent.objects.exists()


def test_it_refuses_to_revoke_twice(admin, participant):
    consent = _consent(participant, admin)
    services.consent_revoke(consent=consent, revoked_by=admin, note="In writing")
    with pytest.raises(ServiceError, match="already revoked"):
        services.consent_revoke(consent=consent, revoked_by=admin, note="Again")


# --- Who may see and do what ----------------------------------------------------------------------


def test_it_lets_the_participants_therapists_read_the_registry_only(
    client, admin, therapist, outsider, participant
):
    consent = _consent(participant, admin)
    client.force_login(therapist)
    body = client.get(reverse("participant_consents", args=[participant.pk])).content.decode()
    assert CLINIC in body
    assert "Record a consent" not in body and "Revoke" not in body
    for url in (
        reverse("consent_record", args=[participant.pk]),
        reverse("consent_revoke", args=[consent.pk]),
        reverse("participant_records_export", args=[participant.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"note": "x", "recipient": CLINIC}).status_code == 404, url
    consent.refresh_from_db()
    assert consent.revoked_at is None
    client.force_login(outsider)
    assert client.get(reverse("participant_consents", args=[participant.pk])).status_code == 404


def test_it_keeps_another_sites_administrator_out(client, admin, other_admin, participant):
    consent = _consent(participant, admin)
    client.force_login(other_admin)
    assert client.get(reverse("participant_consents", args=[participant.pk])).status_code == 404
    assert (
        client.post(reverse("consent_revoke", args=[consent.pk]), {"note": "x"}).status_code == 404
    )
    body = client.get(reverse("consent_list")).content.decode()
    assert participant.short_name not in body


def test_it_lists_participants_with_their_consents_in_force(client, admin, participant):
    _consent(participant, admin)
    client.force_login(admin)
    page = client.get(reverse("consent_list")).context["page"]
    (row,) = [p for p in page.object_list if p.pk == participant.pk]
    assert (row.valid, row.recorded) == (1, 1)
