"""Dispatch: the minute tick claims due rows and queues them in batches of ids; a batch
sends each row once over one connection, records the outcome on the row, retries
transient errors with backoff and settles rows a dead worker left behind. No worker
here: see test_reminders_reliability.py for that."""

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from sessions_app.messaging import delivery, sms
from sessions_app.messaging.compose import Composer
from sessions_app.models import Participant, Reminder
from sessions_app.services import reminders
from sessions_app.services.errors import ServiceError
from sessions_app.tasks import reminders_dispatch
from tests import factories as f

Status = Reminder.Status

# What the fake mail servers below answer; tests set it.
SMTP_REPLY: dict = {}


class RefusingBackend(BaseEmailBackend):
    """A mail server answering every message with SMTP_REPLY's code."""

    def send_messages(self, messages):
        raise smtplib.SMTPResponseException(SMTP_REPLY["code"], SMTP_REPLY["text"])


class UnreachableBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def upcoming(group, participant):
    """`participant`'s 2-hour reminder of a session two hours away: due now."""
    start = timezone.now() + timedelta(hours=2, minutes=5)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    return f.ReminderFactory(
        session=session,
        participant=participant,
        slot=120,
        due_at=timezone.now() - timedelta(minutes=1),
    )


def _batches(enqueue: mock.Mock) -> list[list[int]]:
    """The id lists of the send tasks a mocked `broker.enqueue` was asked to queue."""
    return [
        args[0]
        for call in enqueue.call_args_list
        if call.args[0] == reminders.SEND_TASK
        for args in call.args[1]
    ]


def _tick(django_capture_on_commit_callbacks, **kwargs) -> tuple[reminders.DispatchResult, list]:
    """Run one tick; return its result and the reminder ids it queued after commit."""
    with (
        mock.patch("sessions_app.broker.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = reminders.reminders_dispatch_due(**kwargs)
    return result, [pk for batch in _batches(enqueue) for pk in batch]


def _send(reminder: Reminder, **kwargs) -> str:
    outcome = reminders.reminder_send(reminder_id=reminder.pk, **kwargs)
    reminder.refresh_from_db()
    return outcome


# --- The tick ------------------------------------------------------------------------------


def test_it_claims_due_rows_and_queues_them_after_commit(
    upcoming, participant, django_capture_on_commit_callbacks
):
    later = f.ReminderFactory(
        session=upcoming.session,
        participant=participant,
        slot=60,
        due_at=timezone.now() + timedelta(minutes=5),
    )

    result, queued = _tick(django_capture_on_commit_callbacks)

    assert (result.claimed, queued) == (1, [upcoming.pk])
    upcoming.refresh_from_db()
    later.refresh_from_db()
    assert (upcoming.status, upcoming.claimed_at) == (Status.SENDING, None)
    assert later.status == Status.PENDING


def test_it_queues_nothing_when_the_claim_rolls_back(upcoming):
    # No on-commit callback runs outside a committed transaction: nothing is queued.
    with mock.patch("sessions_app.broker.enqueue") as enqueue:
        reminders.reminders_dispatch_due()
    enqueue.assert_not_called()


def test_the_send_task_takes_reminder_ids_only(upcoming, django_capture_on_commit_callbacks):
    with (
        mock.patch("sessions_app.broker.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.reminders_dispatch_due()
    enqueue.assert_called_once()
    assert enqueue.call_args.args == ("sessions_app.tasks.reminders_send", [[[upcoming.pk]]])


def test_a_claim_is_queued_in_batches_of_the_send_batch_size(
    upcoming, participant, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_SEND_BATCH_SIZE = 2
    more = [
        f.ReminderFactory(
            session=upcoming.session, participant=participant, slot=slot, due_at=timezone.now()
        )
        for slot in (30, 45, 60, 90)
    ]
    with (
        mock.patch("sessions_app.broker.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.reminders_dispatch_due()
    ids = sorted([upcoming.pk, *(r.pk for r in more)])
    assert _batches(enqueue) == [ids[0:2], ids[2:4], ids[4:]]


def test_the_batch_task_is_registered_under_the_name_services_queue():
    from config import celery_app

    assert reminders.SEND_TASK in celery_app.tasks
    assert reminders.DISPATCH_TASK in celery_app.tasks


def test_a_full_batch_runs_the_tick_again_at_once(
    upcoming, participant, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_BATCH_SIZE = 1
    f.ReminderFactory(
        session=upcoming.session, participant=participant, slot=60, due_at=timezone.now()
    )
    with (
        mock.patch("sessions_app.broker.enqueue"),
        mock.patch.object(reminders_dispatch, "apply_async") as again,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders_dispatch()
    again.assert_called_once_with()


def test_a_broker_down_leaves_claimed_rows_to_be_queued_again(
    upcoming, settings, caplog, django_capture_on_commit_callbacks
):
    with (
        mock.patch("config.celery_app.send_task", side_effect=ConnectionError("down")),
        caplog.at_level("WARNING", logger="refrain.broker"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.reminders_dispatch_due()
    assert "could not queue 1 reminder batches (ConnectionError)" in caplog.text

    # Nothing was sent, so after REQUEUE_AFTER the row is simply pending again.
    later = timezone.now() + timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS + 1)
    _, queued = _tick(django_capture_on_commit_callbacks, now=later)
    assert queued == [upcoming.pk]


# --- One send ------------------------------------------------------------------------------


def test_it_sends_a_due_reminder_once(upcoming, django_capture_on_commit_callbacks):
    _tick(django_capture_on_commit_callbacks)

    assert _send(upcoming) == "sent"
    assert (upcoming.status, upcoming.attempts, upcoming.last_error) == (Status.SENT, 1, "")
    assert upcoming.sent_at is not None and upcoming.claimed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [upcoming.participant.email]

    # Celery delivers the task again (acks late, a lost worker): nothing more goes out.
    assert _send(upcoming) == "not-ours"
    assert len(mail.outbox) == 1


def test_a_redelivered_task_does_not_send_a_row_already_claimed(upcoming):
    Reminder.objects.filter(pk=upcoming.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    assert _send(upcoming) == "not-ours"
    assert mail.outbox == []


def test_two_send_tasks_for_one_row_send_it_once(transactional_db, group, participant):
    start = timezone.now() + timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    row = f.ReminderFactory(session=session, participant=participant, due_at=timezone.now())
    barrier, outcomes = threading.Barrier(2), []

    def send():
        barrier.wait()
        try:
            outcomes.append(reminders.reminder_send(reminder_id=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["not-ours", "sent"]
    assert len(mail.outbox) == 1


def test_two_ticks_at_once_claim_different_rows(transactional_db, group, participant):
    start = timezone.now() + timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    people = [f.ParticipantFactory(site=group.site) for _ in range(40)]
    Reminder.objects.bulk_create(
        Reminder(kind="upcoming", channel="email", participant=p, session=session, due_at=start)
        for p in people
    )
    barrier = threading.Barrier(2)
    now = start

    def tick():
        barrier.wait()
        try:
            reminders.reminders_dispatch_due(now=now)
        finally:
            connection.close()

    # Patched once for both threads: what each tick would queue after its commit.
    with mock.patch("sessions_app.broker.enqueue") as enqueue:
        threads = [threading.Thread(target=tick) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    ids = [pk for batch in _batches(enqueue) for pk in batch]
    assert len(ids) == len(set(ids)) == 40


def test_it_sends_a_text_message(upcoming, participant, django_capture_on_commit_callbacks):
    Participant.objects.filter(pk=participant.pk).update(
        reminder_channel="sms", phone="+15555550123"
    )
    Reminder.objects.filter(pk=upcoming.pk).update(channel="sms")
    _tick(django_capture_on_commit_callbacks)

    assert _send(upcoming) == "sent"
    assert [(m["to"], m["reference"]) for m in sms.outbox] == [
        ("+15555550123", f"reminder-{upcoming.pk}")
    ]
    assert mail.outbox == []


def test_an_email_carries_one_click_unsubscribe(upcoming, settings):
    settings.SITE_URL = "https://refrain.example.org"
    _send(upcoming)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe"].startswith("<https://refrain.example.org/p/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"] == f"<reminder-{upcoming.pk}@refrain.example.org>"


# --- Failures ------------------------------------------------------------------------------


def test_a_transient_error_retries_with_backoff_then_fails(upcoming, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders_dispatch.RefusingBackend"
    SMTP_REPLY.update(code=451, text=b"4.3.0 Try again later")
    settings.REMINDER_MAX_ATTEMPTS = 4
    settings.REMINDER_RETRY_SECONDS = 60

    waits = []
    for attempt in range(1, 5):
        before = timezone.now()
        outcome = _send(upcoming, now=max(before, upcoming.due_at))
        if attempt < 4:
            assert outcome == "retry"
            assert upcoming.status == Status.PENDING
            waits.append(round((upcoming.due_at - before).total_seconds() / 60))
        else:
            assert outcome == "failed"
    assert waits == [1, 2, 4]
    assert upcoming.status == Status.FAILED
    assert upcoming.attempts == 4
    assert upcoming.last_error == "Mail server answered 451: 4.3.0 Try again later"


def test_the_backoff_is_capped(upcoming, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders_dispatch.UnreachableBackend"
    settings.REMINDER_MAX_ATTEMPTS = 20
    settings.REMINDER_RETRY_MAX_SECONDS = 300
    Reminder.objects.filter(pk=upcoming.pk).update(attempts=12)
    before = timezone.now()
    assert _send(upcoming) == "retry"
    assert timedelta(seconds=299) < upcoming.due_at - before <= timedelta(seconds=301)
    assert "ConnectionRefusedError" in upcoming.last_error
    assert upcoming.last_error.startswith("Attempt 13 of 20: ")


def test_a_permanent_error_fails_at_once(upcoming, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders_dispatch.RefusingBackend"
    SMTP_REPLY.update(code=550, text=b"5.1.1 No such mailbox")
    assert _send(upcoming) == "failed"
    assert (upcoming.status, upcoming.attempts) == (Status.FAILED, 1)
    assert upcoming.last_error == "Mail server answered 550: 5.1.1 No such mailbox"


def test_a_broken_template_ends_failed_with_the_error_not_lost(upcoming, settings):
    settings.REMINDER_MAX_ATTEMPTS = 1
    with mock.patch.object(Composer, "compose", side_effect=KeyError("oops")):
        assert _send(upcoming) == "failed"
    assert upcoming.last_error == "KeyError: 'oops'"


# --- Sweeping up after a dead worker ---------------------------------------------------------


def test_a_row_left_mid_send_is_interrupted_and_not_resent(
    upcoming, settings, django_capture_on_commit_callbacks
):
    claimed = timezone.now() - timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 5)
    Reminder.objects.filter(pk=upcoming.pk).update(status=Status.SENDING, claimed_at=claimed)

    result, queued = _tick(django_capture_on_commit_callbacks)

    upcoming.refresh_from_db()
    assert (result.interrupted, queued) == (1, [])
    assert upcoming.status == Status.INTERRUPTED
    assert "may or may not have gone out" in upcoming.last_error
    assert _send(upcoming) == "not-ours"
    assert mail.outbox == []


def test_a_row_being_sent_is_left_alone(upcoming, django_capture_on_commit_callbacks):
    Reminder.objects.filter(pk=upcoming.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(seconds=30)
    )
    result, queued = _tick(django_capture_on_commit_callbacks)
    upcoming.refresh_from_db()
    assert (result.interrupted, result.requeued, queued) == (0, 0, [])
    assert upcoming.status == Status.SENDING


def test_a_slow_send_finishing_after_the_sweep_is_recorded_sent(upcoming, settings):
    def slow(message):
        # Meanwhile the sweep took the row for dead.
        later = timezone.now() + timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT_SECONDS + 1)
        reminders.reminders_sweep(now=later)

    with mock.patch.object(delivery.Channels, "deliver", side_effect=slow):
        assert _send(upcoming) == "sent"
    assert upcoming.status == Status.SENT


# --- Checked again at send time ------------------------------------------------------------


def test_it_skips_a_reminder_the_participant_stopped_meanwhile(upcoming, participant):
    Participant.objects.filter(pk=participant.pk).update(reminders_stopped_at=timezone.now())
    assert _send(upcoming) == "skipped"
    assert upcoming.status == Status.SKIPPED
    assert upcoming.last_error == "The participant no longer wants reminders this way."
    assert mail.outbox == []


def test_it_skips_a_reminder_of_a_session_cancelled_meanwhile(upcoming):
    upcoming.session.status, upcoming.session.cancel_reason = "cancelled", "Snow"
    upcoming.session.save()
    assert _send(upcoming) == "skipped"
    assert upcoming.last_error == "The session is cancelled now."


def test_it_skips_a_reminder_of_a_session_already_started(upcoming):
    late = upcoming.session.starts_at + timedelta(minutes=1)
    assert _send(upcoming, now=late) == "skipped"
    assert upcoming.last_error == "The session had already started."


def test_it_holds_a_reminder_until_quiet_hours_end(upcoming, participant):
    now = upcoming.due_at
    local = now.astimezone(participant.tz)
    Participant.objects.filter(pk=participant.pk).update(
        quiet_hours_start=(local - timedelta(hours=1)).time(),
        quiet_hours_end=(local + timedelta(minutes=30)).time(),
    )
    assert _send(upcoming, now=now) == "deferred"
    assert upcoming.status == Status.PENDING
    assert upcoming.attempts == 0
    assert upcoming.due_at.astimezone(participant.tz).time() == (
        (local + timedelta(minutes=30)).time()
    )
    assert mail.outbox == []


def test_it_skips_a_reminder_whose_quiet_hours_outlast_the_session(upcoming, participant):
    now = upcoming.due_at
    local = now.astimezone(participant.tz)
    Participant.objects.filter(pk=participant.pk).update(
        quiet_hours_start=(local - timedelta(hours=1)).time(),
        quiet_hours_end=(local + timedelta(hours=5)).time(),
    )
    assert _send(upcoming, now=now) == "skipped"
    assert upcoming.last_error == "The participant's quiet hours last until the session starts."


def test_it_sends_the_day_agenda_to_a_therapist(group, therapist, co_therapist, other_group):
    now = timezone.now()
    start = now + timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    f.SessionFactory(group=other_group, starts_at=start, ends_at=start + timedelta(hours=1))
    day = session.local_date
    row = Reminder.objects.create(
        kind="agenda",
        channel="email",
        staff_user=therapist,
        slot=int(f"{day:%Y%m%d}"),
        due_at=now,
    )

    assert _send(row) == "sent"
    message = mail.outbox[0]
    assert message.to == [therapist.email]
    assert message.subject == f"Your sessions on {day:%a %-d %b}"
    assert f"/sessions/{session.pk}/" in message.body
    assert session.local_starts_at.strftime("%H:%M") in message.body
    assert "Mesa" not in message.body  # another therapist's group


def test_an_agenda_for_a_day_without_sessions_is_skipped(therapist):
    row = Reminder.objects.create(
        kind="agenda", channel="email", staff_user=therapist, slot=20260303, due_at=timezone.now()
    )
    assert _send(row) == "skipped"
    assert row.last_error == "No sessions left that day."


# --- Retrying by hand ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["failed", "interrupted"])
def test_staff_can_retry_a_failed_or_interrupted_reminder(
    upcoming, admin, status, django_capture_on_commit_callbacks
):
    Reminder.objects.filter(pk=upcoming.pk).update(
        status=status, attempts=5, last_error="Mail server answered 451"
    )
    with (
        mock.patch("sessions_app.broker.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.reminder_retry(reminder=upcoming, user=admin)
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.attempts) == (Status.PENDING, 0)
    assert upcoming.due_at <= timezone.now()
    enqueue.assert_called_once_with(reminders.DISPATCH_TASK, [[]], what="reminder dispatch")

    assert _send(upcoming) == "sent"
    assert upcoming.last_error == ""


@pytest.mark.parametrize("status", ["pending", "sending", "sent", "cancelled", "skipped"])
def test_only_failed_or_interrupted_reminders_can_be_retried(upcoming, admin, status):
    Reminder.objects.filter(pk=upcoming.pk).update(status=status, sent_at=timezone.now())
    with pytest.raises(ServiceError):
        reminders.reminder_retry(reminder=upcoming, user=admin)


def test_beat_ticks_every_minute_and_plans_agendas():
    from config import celery_app

    schedule = {e["task"]: e for e in celery_app.conf.beat_schedule.values()}
    tick = schedule["sessions_app.tasks.reminders_dispatch"]
    assert tick["schedule"] == 60.0
    assert tick["options"]["expires"] <= 60
    assert "sessions_app.tasks.reminders_plan_agendas" in schedule
    # JSON all the way: the tasks carry nothing a JSON encoder cannot.
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
