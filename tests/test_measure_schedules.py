"""A group's questionnaire schedule, the requests it makes and their invitations."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sessions_app.models import MeasureRequest, MeasureSchedule, Participant, Reminder
from sessions_app.services import measure_requests as mr
from sessions_app.services.groups import enrollment_discharge, participant_enroll
from sessions_app.services.reminders import delivery_problem
from tests import factories as f


def _schedule(group, instrument="ucla3", when="enrolment", every_weeks=None):
    return MeasureSchedule.objects.create(
        group=group, instrument=instrument, when=when, every_weeks=every_weeks
    )


def _today(group):
    return timezone.localdate(timezone.now(), group.site.tz)


def test_the_groups_therapist_adds_a_questionnaire(client, group, therapist):
    client.force_login(therapist)
    client.post(
        reverse("group_measures", args=[group.pk]),
        {"instrument": "phq9", "when": "every_weeks", "every_weeks": "4"},
    )
    assert group.measure_schedules.get().every_weeks == 4


def test_a_periodic_questionnaire_needs_its_weeks(client, group, therapist):
    client.force_login(therapist)
    response = client.post(
        reverse("group_measures", args=[group.pk]), {"instrument": "phq9", "when": "every_weeks"}
    )
    assert "Give a number of weeks from 1 to 52." in response.content.decode()


def test_the_same_questionnaire_twice_is_refused_with_a_reason(client, group, therapist):
    _schedule(group)
    client.force_login(therapist)
    response = client.post(
        reverse("group_measures", args=[group.pk]), {"instrument": "ucla3", "when": "enrolment"}
    )
    assert "already gives this questionnaire" in response.content.decode()


def test_the_therapist_removes_one(client, group, therapist):
    schedule = _schedule(group)
    client.force_login(therapist)
    client.post(reverse("group_measure_remove", args=[group.pk, schedule.pk]), {"remove": "yes"})
    assert not MeasureSchedule.objects.exists()


def test_outsiders_get_404(client, group, outsider):
    client.force_login(outsider)
    assert client.get(reverse("group_measures", args=[group.pk])).status_code == 404


def test_enrolment_asks_for_the_questionnaire_due_on_the_start_date(group):
    _schedule(group)
    person = f.ParticipantFactory(site=group.site)
    today = _today(group)
    participant_enroll(group=group, participant=person, start_date=today)
    assert list(MeasureRequest.objects.values_list("participant", "due_on")) == [(person.pk, today)]


def test_planning_twice_makes_one_request(group):
    _schedule(group)
    person = f.ParticipantFactory(site=group.site)
    enrollment = participant_enroll(group=group, participant=person, start_date=_today(group))
    mr.measure_requests_plan_for_enrollment(enrollment=enrollment)
    assert MeasureRequest.objects.count() == 1


def test_it_asks_every_n_weeks_from_the_start(group):
    _schedule(group, instrument="phq9", when="every_weeks", every_weeks=2)
    today = _today(group)
    enrollment = f.EnrollmentFactory(group=group, start_date=today - timedelta(weeks=4))
    mr.measure_requests_plan_for_enrollment(enrollment=enrollment, today=today)
    # Two weeks ago would lapse at once: only today's is asked.
    assert list(MeasureRequest.objects.values_list("due_on", flat=True)) == [today]


def test_discharge_asks_for_the_questionnaire_due_on_the_end_date(group):
    _schedule(group, when="discharge")
    today = _today(group)
    enrollment = f.EnrollmentFactory(group=group, start_date=today - timedelta(weeks=8))
    enrollment_discharge(enrollment=enrollment, end_date=today, status="completed", reason="")
    assert list(MeasureRequest.objects.values_list("reason", "due_on")) == [("discharge", today)]


def test_requests_left_open_fourteen_days_expire(participant):
    now = timezone.now()
    old = MeasureRequest.objects.create(
        participant=participant,
        instrument="ucla3",
        reason="periodic",
        due_on=timezone.localdate(now) - timedelta(days=14),
    )
    mr.measure_requests_expire(now=now)
    old.refresh_from_db()
    assert old.status == "expired"


def test_one_invitation_goes_for_questionnaires_due_the_same_day(group):
    _schedule(group, instrument="ucla3")
    _schedule(group, instrument="phq9")
    person = f.ParticipantFactory(site=group.site)
    participant_enroll(group=group, participant=person, start_date=_today(group))
    assert Reminder.objects.filter(kind="measure", participant=person).count() == 1


def test_nobody_without_reminders_is_invited(group):
    _schedule(group)
    person = f.ParticipantFactory(site=group.site, reminders_opt_in=False)
    participant_enroll(group=group, participant=person, start_date=_today(group))
    assert not Reminder.objects.filter(kind="measure").exists()


def test_an_invitation_with_nothing_left_to_answer_is_skipped(group):
    _schedule(group)
    person = f.ParticipantFactory(site=group.site)
    participant_enroll(group=group, participant=person, start_date=_today(group))
    MeasureRequest.objects.update(status="answered")
    invitation = Reminder.objects.get(kind="measure")
    problem = delivery_problem(invitation, now=timezone.now() + timedelta(days=1))
    assert problem == "Nothing is left to answer."


def test_an_invitation_waits_for_the_end_of_quiet_hours(group):
    _schedule(group)
    person = f.ParticipantFactory(site=group.site)
    participant_enroll(group=group, participant=person, start_date=_today(group))
    invitation = Reminder.objects.get(kind="measure")
    now = timezone.now()
    local = now.astimezone(person.tz)
    Participant.objects.filter(pk=person.pk).update(
        quiet_hours_start=(local - timedelta(hours=1)).time().replace(microsecond=0),
        quiet_hours_end=(local + timedelta(hours=1)).time().replace(microsecond=0),
    )
    invitation.refresh_from_db()
    assert delivery_problem(invitation, now=now) > now
