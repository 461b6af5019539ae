"""Access given outside the usual paths, and the trail it leaves.

- every page that names a participant writes an access entry (a test over the URLconf);
- a refusal of a record that exists is an audit entry administrators can list;
- a therapist's enrolment that gives them a first look at someone is for an administrator
  to confirm or undo;
- emergency ("break-glass") access: a therapist at the participant's site, outside their
  groups, opens the record by saying why; it lapses, is marked in the trail, reviewed by
  administrators and shown to the participant's own therapists.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from sessions_app.audit import AUDITED_PAGES, EMERGENCY, NOT_AUDITED, REFUSED
from sessions_app.models import EmergencyAccess, Enrollment, Participant
from sessions_app.services import access as access_services
from sessions_app.services import groups as group_services
from sessions_app.services.errors import ServiceError
from tests import factories as f

REASON = "In crisis at the door after group; her therapist is on leave this week."


def _url_names(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":  # Django's admin: administrators only, its own log
                continue
            yield from _url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield entry.name


def _access_entries(model, pk=None, **filters):
    qs = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, content_type=ContentType.objects.get_for_model(model)
    ).filter(**filters)
    return qs.filter(object_id=pk) if pk is not None else qs


# --- Every page is audited or declared non-clinical ---------------------------------------


def test_it_knows_of_every_url_whether_it_is_audited():
    names = set(_url_names(get_resolver().url_patterns))
    unknown = names - set(AUDITED_PAGES) - set(NOT_AUDITED)
    assert not unknown, (
        f"{sorted(unknown)}: add each to audit.AUDITED_PAGES, or to audit.NOT_AUDITED with "
        "the reason it shows no participant's name or clinical data"
    )
    assert not set(AUDITED_PAGES) & set(NOT_AUDITED)
    assert not (set(AUDITED_PAGES) | set(NOT_AUDITED)) - names, "names of no URL"


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("group_detail", "group"),
        ("group_roster", "group"),
        ("report_group", "group"),
        ("consent_list", None),
    ],
)
def test_it_logs_views_of_pages_that_list_participants(
    client, admin, group, participant, name, model
):
    client.force_login(admin)
    args = [group.pk] if model == "group" else []
    assert client.get(reverse(name, args=args)).status_code == 200
    entry = LogEntry.objects.get(
        action=LogEntry.Action.ACCESS, additional_data__page=name, actor=admin
    )
    assert entry.additional_data["what"] == "view"
    assert entry.object_id == (group.pk if model == "group" else None)


# --- Refusals --------------------------------------------------------------------------------


def test_it_records_a_refusal_of_a_record_that_exists(client, outsider, participant):
    client.force_login(outsider)
    url = reverse("participant_detail", args=[participant.pk])
    assert client.get(url).status_code == 404
    entry = _access_entries(Participant, participant.pk).get()
    assert entry.actor == outsider
    assert entry.additional_data["what"] == REFUSED
    assert entry.additional_data["path"] == url


def test_it_only_logs_a_request_for_a_record_that_does_not_exist(client, outsider, caplog):
    client.force_login(outsider)
    with caplog.at_level("INFO", logger="refrain.access"):
        assert client.get(reverse("participant_detail", args=[987654])).status_code == 404
    assert not LogEntry.objects.filter(additional_data__what=REFUSED).exists()
    assert "987654" in caplog.text


def test_it_lets_the_sites_administrator_list_refusals(client, admin, outsider, participant):
    client.force_login(outsider)
    client.get(reverse("participant_consents", args=[participant.pk]))
    client.force_login(admin)
    response = client.get(reverse("audit_log"), {"action": REFUSED})
    entries = response.context["page"].entries
    assert [(e.actor, e.object_id) for e in entries] == [(outsider, participant.pk)]
    assert "Refused" in response.content.decode()


# --- First looks through enrolment ---------------------------------------------------------


@pytest.fixture
def newcomer(site):
    """Someone at `site` nobody has enrolled yet."""
    return f.ParticipantFactory(site=site, first_name="Jordan", last_name="Vega")


def _enroll(client, group, participant):
    return client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": participant.pk, "start_date": timezone.localdate().isoformat()},
    )


def test_it_marks_an_enrolment_that_gives_a_therapist_a_first_look(
    client, therapist, group, newcomer
):
    client.force_login(therapist)
    assert client.get(reverse("participant_detail", args=[newcomer.pk])).status_code == 404
    assert _enroll(client, group, newcomer).status_code == 302
    enrollment = Enrollment.objects.get(participant=newcomer)
    assert (enrollment.first_look, enrollment.enrolled_by) == (True, therapist)


def test_it_does_not_mark_enrolling_someone_already_in_care(
    client, therapist, site, group, participant
):
    second = f.GroupFactory(site=site, lead=therapist, name="Friday Drumming")
    client.force_login(therapist)
    assert _enroll(client, second, participant).status_code == 302
    assert not Enrollment.objects.get(group=second).first_look


def test_it_refuses_an_enrolment_the_permissions_do_not_allow(therapist, group, other_participant):
    with pytest.raises(ServiceError):
        group_services.participant_enroll(
            group=group,
            participant=other_participant,
            start_date=timezone.localdate(),
            by=therapist,
        )
    assert not Enrollment.objects.filter(group=group, participant=other_participant).exists()


def test_it_shows_first_looks_to_the_sites_administrator_who_can_undo_one(
    client, admin, other_admin, therapist, group, newcomer
):
    client.force_login(therapist)
    _enroll(client, group, newcomer)
    enrollment = Enrollment.objects.get(participant=newcomer)

    client.force_login(other_admin)
    assert "Vega" not in client.get(reverse("first_look_review")).content.decode()

    client.force_login(admin)
    page = client.get(reverse("first_look_review")).content.decode()
    assert "Jordan Vega" in page and str(therapist) in page
    response = client.post(
        reverse("first_look_decide", args=[enrollment.pk]), {"decision": "undo"}, follow=True
    )
    assert "Enrolment of Jordan Vega in Tuesday Songwriting undone." in response.content.decode()
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()
    client.force_login(therapist)
    assert client.get(reverse("participant_detail", args=[newcomer.pk])).status_code == 404


def test_it_confirms_a_first_look_off_the_queue(client, admin, therapist, group, newcomer):
    client.force_login(therapist)
    _enroll(client, group, newcomer)
    enrollment = Enrollment.objects.get(participant=newcomer)
    client.force_login(admin)
    client.post(reverse("first_look_decide", args=[enrollment.pk]), {"decision": "confirm"})
    enrollment.refresh_from_db()
    assert enrollment.access_reviewed_by == admin
    assert not client.get(reverse("first_look_review")).context["page"].object_list


def test_it_will_not_undo_an_enrolment_with_attendance(client, admin, therapist, group, newcomer):
    client.force_login(therapist)
    _enroll(client, group, newcomer)
    enrollment = Enrollment.objects.get(participant=newcomer)
    start = timezone.now() + timedelta(days=1)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.AttendanceFactory(session=session, participant=newcomer)
    with pytest.raises(ServiceError, match="discharge them"):
        access_services.first_look_undo(enrollment=enrollment, by=admin)
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


# --- Emergency access -------------------------------------------------------------------------


@pytest.fixture
def colleague(site):
    """A therapist who works at `site` but runs none of its groups."""
    return f.TherapistFactory(username="colleague", sites=[site], last_name="Okafor")


def _open(client, participant, reason=REASON, understood="on"):
    data = {"reason": reason}
    if understood:
        data["understood"] = understood
    return client.post(reverse("emergency_access_open", args=[participant.pk]), data)


def test_it_lets_a_colleague_at_the_site_find_and_open_a_record_by_saying_why(
    client, colleague, participant
):
    client.force_login(colleague)
    url = reverse("participant_detail", args=[participant.pk])
    assert client.get(url).status_code == 404
    found = client.get(reverse("emergency_access_find"), {"q": participant.last_name})
    assert reverse("emergency_access_open", args=[participant.pk]) in found.content.decode()

    assert _open(client, participant).url == url
    page = client.get(url)
    assert page.status_code == 200
    assert "Emergency access" in page.content.decode()
    access = EmergencyAccess.objects.get()
    assert (access.therapist, access.reason) == (colleague, REASON)
    assert access.expires_at - access.started_at == timedelta(hours=24)


def test_it_offers_emergency_access_to_a_colleague_whose_own_group_is_still_empty(
    client, colleague, participant, site
):
    # A group with nobody enrolled in it yet must not hide everyone else at the site.
    f.GroupFactory(site=site, lead=colleague)
    client.force_login(colleague)
    found = client.get(reverse("emergency_access_find"), {"q": participant.last_name})
    assert reverse("emergency_access_open", args=[participant.pk]) in found.content.decode()


def test_it_asks_for_a_reason_and_keeps_what_was_typed(client, colleague, participant):
    client.force_login(colleague)
    response = _open(client, participant, reason="crisis", understood="")
    assert response.status_code == 200
    body = response.content.decode()
    assert "at least 20 characters" in body or "This field is required" in body
    assert ">crisis</textarea>" in body.replace("\n", "")
    assert not EmergencyAccess.objects.exists()


def test_it_marks_every_page_seen_under_emergency_access_in_the_trail(
    client, colleague, participant
):
    client.force_login(colleague)
    _open(client, participant)
    client.get(reverse("participant_detail", args=[participant.pk]))
    client.get(reverse("participant_consents", args=[participant.pk]))
    access = EmergencyAccess.objects.get()
    opened = _access_entries(Participant, participant.pk, additional_data__what=EMERGENCY).get()
    assert opened.additional_data["reason"] == REASON
    views = _access_entries(Participant, participant.pk, additional_data__what="view")
    assert views.count() == 2
    assert all(v.additional_data["emergency"] == access.pk for v in views)


def test_it_does_not_mark_a_therapists_own_participants(client, therapist, participant):
    client.force_login(therapist)
    client.get(reverse("participant_detail", args=[participant.pk]))
    entry = _access_entries(Participant, participant.pk, additional_data__what="view").get()
    assert "emergency" not in entry.additional_data


def test_it_closes_the_record_when_the_access_lapses_or_is_ended(
    client, colleague, participant, settings
):
    client.force_login(colleague)
    _open(client, participant)
    access = EmergencyAccess.objects.get()
    url = reverse("participant_detail", args=[participant.pk])
    EmergencyAccess.objects.filter(pk=access.pk).update(
        started_at=timezone.now() - timedelta(hours=25),
        expires_at=timezone.now() - timedelta(hours=1),
    )
    assert client.get(url).status_code == 404

    _open(client, participant)
    assert client.get(url).status_code == 200
    client.post(reverse("emergency_access_end", args=[EmergencyAccess.objects.first().pk]))
    assert client.get(url).status_code == 404


def test_it_offers_no_emergency_access_outside_the_therapists_sites(client, outsider, participant):
    client.force_login(outsider)
    found = client.get(reverse("emergency_access_find"), {"q": participant.last_name})
    assert found.context["found"] == []
    assert client.get(reverse("emergency_access_open", args=[participant.pk])).status_code == 404
    assert _open(client, participant).status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_it_keeps_emergency_access_to_therapists(client, admin, artist, participant):
    for user in (admin, artist):
        client.force_login(user)
        assert client.get(reverse("emergency_access_find")).status_code == 404


def test_it_shows_the_access_on_the_administrators_review_page(
    client, admin, other_admin, colleague, participant
):
    client.force_login(colleague)
    _open(client, participant)
    access = EmergencyAccess.objects.get()

    client.force_login(other_admin)
    assert REASON not in client.get(reverse("emergency_access_review")).content.decode()

    client.force_login(admin)
    assert client.get(reverse("home")).context["to_review"].emergency == 1
    page = client.get(reverse("emergency_access_review")).content.decode()
    assert REASON in page and "Okafor" in page
    client.post(reverse("emergency_access_reviewed", args=[access.pk]), {"note": "Checked."})
    access.refresh_from_db()
    assert (access.reviewed_by, access.review_note, access.ended_by) == (admin, "Checked.", admin)
    assert REASON not in client.get(reverse("emergency_access_review")).content.decode()
    shown = client.get(reverse("emergency_access_review"), {"show": "all"}).content.decode()
    assert REASON in shown


def test_it_shows_the_participants_own_therapist_that_it_happened(
    client, therapist, colleague, participant
):
    client.force_login(colleague)
    _open(client, participant)
    client.force_login(therapist)
    assert REASON in client.get(reverse("home")).content.decode()
    page = client.get(reverse("participant_detail", args=[participant.pk])).content.decode()
    assert "Emergency access to this record" in page and REASON in page


def test_it_shows_the_holder_their_open_access_on_their_home(client, colleague, participant):
    client.force_login(colleague)
    _open(client, participant)
    access = EmergencyAccess.objects.get()
    home = client.get(reverse("home"))
    assert home.context["emergencies"].held == [access]


def test_it_leaves_the_holders_own_access_off_the_list_of_others(client, colleague, participant):
    client.force_login(colleague)
    _open(client, participant)
    assert client.get(reverse("home")).context["emergencies"].to_their_people == []


def test_it_drops_an_ended_access_from_the_holders_home(client, colleague, participant):
    client.force_login(colleague)
    _open(client, participant)
    client.post(reverse("emergency_access_end", args=[EmergencyAccess.objects.get().pk]))
    assert client.get(reverse("home")).context["emergencies"].held == []


def test_it_shows_emergency_access_on_the_home_in_bounded_queries(
    client, therapist, colleague, participant, site, django_assert_max_num_queries
):
    now = timezone.now()
    client.force_login(colleague)
    _open(client, participant)
    elsewhere = f.ParticipantFactory(site=site)
    EmergencyAccess.objects.create(
        therapist=therapist,
        participant=elsewhere,
        reason=REASON,
        started_at=now,
        expires_at=now + timedelta(hours=1),
    )
    client.force_login(therapist)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("home")).content.decode()
    assert "You have emergency access to" in body
    assert REASON in body


def test_it_never_opens_a_record_twice_at_once(colleague, participant):
    first = access_services.emergency_access_open(
        therapist=colleague, participant=participant, reason=REASON
    )
    again = access_services.emergency_access_open(
        therapist=colleague, participant=participant, reason=REASON + " Again."
    )
    assert first.pk == again.pk
