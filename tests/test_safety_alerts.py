"""Safety alerts: an email behind login to the group's therapists, acknowledgement and
follow-up, escalation to administrators, and who sees what."""

import html
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sessions_app.messaging.compose import compose
from sessions_app.models import Reminder, SafetyAlert
from sessions_app.services.measures import response_record
from sessions_app.services.safety import alerts_escalate

PHQ9_ITEM9 = {f"q{n}": 0 for n in range(1, 9)} | {"q9": 2}


def _alert(participant) -> SafetyAlert:
    return response_record(
        participant=participant, instrument="phq9", answers=PHQ9_ITEM9, via="link"
    ).alerts[0]


def test_it_writes_an_email_to_each_therapist_of_the_group(participant, therapist, co_therapist):
    alert = _alert(participant)
    rows = Reminder.objects.filter(kind="alert", slot=alert.pk)
    assert {r.staff_user for r in rows} == {therapist, co_therapist}


def test_the_email_says_only_that_someone_needs_follow_up(participant, therapist, settings):
    settings.SITE_URL = "https://refrain.example.org"
    alert = _alert(participant)
    message = compose(Reminder.objects.get(kind="alert", staff_user=therapist))
    assert message.subject == "A participant needs follow-up today"
    assert message.body == (
        f"Hi {therapist.first_name or therapist.username},\n\n"
        "A participant you work with needs follow-up today. Please sign in to see who and "
        "to record what was done:\n"
        f"  https://refrain.example.org/alerts/{alert.pk}/\n"
    )


def test_the_therapists_home_shows_the_alert(client, participant, therapist):
    alert = _alert(participant)
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("home")).content.decode())
    assert "Needs follow-up today" in page
    assert f'data-alert="{alert.pk}"' in page


def test_it_records_who_acknowledged_and_when(client, participant, therapist):
    alert = _alert(participant)
    client.force_login(therapist)
    client.post(reverse("safety_alert", args=[alert.pk]), {"action": "acknowledge"})
    alert.refresh_from_db()
    assert alert.acknowledged_by == therapist


def test_it_records_the_follow_up(client, participant, therapist):
    alert = _alert(participant)
    client.force_login(therapist)
    url = reverse("safety_alert", args=[alert.pk])
    client.post(url, {"action": "acknowledge"})
    client.post(url, {"action": "follow_up", "follow_up": "Called her; safety plan reviewed."})
    alert.refresh_from_db()
    assert (alert.followed_up_by, alert.follow_up) == (
        therapist,
        "Called her; safety plan reviewed.",
    )


def test_the_follow_up_needs_words(client, participant, therapist):
    alert = _alert(participant)
    client.force_login(therapist)
    url = reverse("safety_alert", args=[alert.pk])
    client.post(url, {"action": "acknowledge"})
    response = client.post(url, {"action": "follow_up", "follow_up": "   "})
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.followed_up_at is None


def test_outsiders_get_404(client, participant, outsider):
    alert = _alert(participant)
    client.force_login(outsider)
    assert client.get(reverse("safety_alert", args=[alert.pk])).status_code == 404


def test_administrators_get_404_before_it_is_escalated(client, participant, admin):
    alert = _alert(participant)
    client.force_login(admin)
    assert client.get(reverse("safety_alert", args=[alert.pk])).status_code == 404


def test_it_escalates_an_alert_nobody_acknowledged_in_time(participant, admin, settings):
    settings.SAFETY_ALERT_ESCALATE_MINUTES = 60
    alert = _alert(participant)
    assert alerts_escalate(now=alert.raised_at + timedelta(minutes=59)) == 0
    assert alerts_escalate(now=alert.raised_at + timedelta(minutes=60)) == 1
    assert Reminder.objects.get(kind="escalated", slot=alert.pk).staff_user == admin


def test_it_escalates_once(participant, admin):
    alert = _alert(participant)
    later = alert.raised_at + timedelta(hours=3)
    alerts_escalate(now=later)
    assert alerts_escalate(now=later + timedelta(minutes=5)) == 0


def test_it_does_not_escalate_an_acknowledged_alert(participant, therapist, admin):
    alert = _alert(participant)
    SafetyAlert.objects.filter(pk=alert.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=therapist
    )
    assert alerts_escalate(now=alert.raised_at + timedelta(hours=3)) == 0


def test_the_escalation_email_says_nothing_clinical(participant, admin, settings):
    settings.SITE_URL = "https://refrain.example.org"
    alert = _alert(participant)
    alerts_escalate(now=alert.raised_at + timedelta(hours=3))
    message = compose(Reminder.objects.get(kind="escalated", slot=alert.pk))
    assert message.body == (
        f"Hi {admin.first_name or admin.username},\n\n"
        "A participant at your site needs follow-up today, and nobody has acknowledged it "
        "yet. Please sign in to see who and to make sure someone follows up:\n"
        f"  https://refrain.example.org/alerts/{alert.pk}/\n"
    )


def test_administrators_see_who_and_when_but_not_why(client, participant, admin):
    alert = _alert(participant)
    alerts_escalate(now=alert.raised_at + timedelta(hours=3))
    client.force_login(admin)
    page = html.unescape(client.get(reverse("safety_alert", args=[alert.pk])).content.decode())
    assert participant.full_name in page
    assert not re.search(r"PHQ|self-harm|item 9|data-reason", page)


def test_the_therapist_sees_why(client, participant, therapist):
    alert = _alert(participant)
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("safety_alert", args=[alert.pk])).content.decode())
    assert "Thoughts of self-harm (PHQ-9 item 9)" in page


def test_the_alert_list_shows_escalated_alerts_to_administrators(client, participant, admin):
    alert = _alert(participant)
    alerts_escalate(now=alert.raised_at + timedelta(hours=3))
    client.force_login(admin)
    page = client.get(reverse("safety_alerts")).content.decode()
    assert f'data-alert="{alert.pk}"' in page
