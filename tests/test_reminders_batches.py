"""Sending in batches: one connection per batch, each row's outcome on its own row, and
a batch cut short anywhere leaves one row in doubt at most (the rest only queued)."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.utils import timezone

from benchmarks.smtp_sink import SmtpSink
from sessions_app.messaging import delivery
from sessions_app.models import Participant, Reminder
from sessions_app.services import reminders
from tests import factories as f

Status = Reminder.Status
REFUSED = "refused@example.org"


class RefusingOneBackend(LocmemEmailBackend):
    """Like the test outbox, but the mail server refuses one address for good."""

    def send_messages(self, messages):
        if messages[0].to == [REFUSED]:
            raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 No such mailbox")})
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """What a kill -9 looks like from inside: nothing after it runs."""


@pytest.fixture
def batch(group, participant):
    """Five reminders of a session three hours away for five enrolled people, due now."""
    start = timezone.now() + timedelta(hours=3)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    people = [participant] + [f.ParticipantFactory(site=group.site) for _ in range(4)]
    for person in people[1:]:
        f.EnrollmentFactory(group=group, participant=person)
    rows = [
        f.ReminderFactory(session=session, participant=person, due_at=timezone.now())
        for person in people
    ]
    return sorted(r.pk for r in rows)


def _statuses(ids: list[int]) -> list[str]:
    return [Reminder.objects.get(pk=pk).status for pk in ids]


def test_it_sends_a_batch_over_one_smtp_connection(batch, settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        outcomes = reminders.reminders_send(reminder_ids=batch)

    assert outcomes == dict.fromkeys(batch, "sent")
    assert _statuses(batch) == ["sent"] * 5
    assert sink.connections == 1
    assert sorted(sink.reminders) == batch


def test_one_refused_address_fails_alone_and_the_rest_go_out(batch, settings):
    settings.EMAIL_BACKEND = "tests.test_reminders_batches.RefusingOneBackend"
    third = Reminder.objects.get(pk=batch[2])
    Participant.objects.filter(pk=third.participant_id).update(email=REFUSED)

    outcomes = reminders.reminders_send(reminder_ids=batch)

    assert [outcomes[pk] for pk in batch] == ["sent", "sent", "failed", "sent", "sent"]
    third.refresh_from_db()
    assert third.last_error == "Mail server answered 550: 5.1.1 No such mailbox"
    assert len(mail.outbox) == 4


def test_an_unreachable_mail_server_is_tried_once_per_batch(batch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with mock.patch(
        "smtplib.SMTP.connect", side_effect=ConnectionRefusedError(111, "refused")
    ) as c:
        outcomes = reminders.reminders_send(reminder_ids=batch)

    assert c.call_count == 1
    assert set(outcomes.values()) == {"retry"}
    errors = set(Reminder.objects.filter(pk__in=batch).values_list("last_error", flat=True))
    assert errors == {"Attempt 1 of 5: Mail server: ConnectionRefusedError: [Errno 111] refused"}
    assert _statuses(batch) == ["pending"] * 5


def test_a_crash_mid_batch_leaves_one_row_in_doubt_and_the_rest_queued(batch, settings):
    Reminder.objects.filter(pk__in=batch).update(status=Status.SENDING, claimed_at=None)
    sent = []

    def deliver(message):
        if len(sent) == 2:
            raise WorkerKilled
        sent.append(message.reference)

    with (
        mock.patch.object(delivery.Channels, "deliver", side_effect=deliver),
        pytest.raises(WorkerKilled),
    ):
        reminders.reminders_send(reminder_ids=batch)

    rows = {r.pk: r for r in Reminder.objects.filter(pk__in=batch)}
    assert [rows[pk].status for pk in batch] == ["sent"] * 2 + ["sending"] * 3
    assert rows[batch[2]].claimed_at is not None  # the one in doubt
    assert [rows[pk].claimed_at for pk in batch[3:]] == [None, None]  # never begun

    # After the timeouts the sweep settles them: one interrupted, two queued again.
    later = timezone.now() + timedelta(
        seconds=max(
            settings.REMINDER_SENDING_TIMEOUT_SECONDS, settings.REMINDER_REQUEUE_AFTER_SECONDS
        )
        + 1
    )
    assert reminders.reminders_sweep(now=later) == (1, 2)
    assert _statuses(batch) == ["sent", "sent", "interrupted", "pending", "pending"]


def test_a_redelivered_batch_sends_only_what_is_left(batch):
    Reminder.objects.filter(pk__in=batch).update(status=Status.SENDING, claimed_at=None)
    Reminder.objects.filter(pk__in=batch[:2]).update(status=Status.SENT, sent_at=timezone.now())
    Reminder.objects.filter(pk=batch[2]).update(claimed_at=timezone.now())

    outcomes = reminders.reminders_send(reminder_ids=batch)

    assert [outcomes[pk] for pk in batch] == ["not-ours"] * 3 + ["sent"] * 2
    sent = sorted(m.extra_headers["Message-ID"].split("@")[0] for m in mail.outbox)
    assert sent == sorted(f"<reminder-{pk}" for pk in batch[3:])


def test_skips_and_deferrals_are_checked_for_the_whole_batch(batch, group):
    first, second = Reminder.objects.filter(pk__in=batch[:2]).select_related("participant")
    Participant.objects.filter(pk=first.participant_id).update(reminders_stopped_at=timezone.now())
    now = timezone.now()
    local = now.astimezone(second.participant.tz)
    Participant.objects.filter(pk=second.participant_id).update(
        quiet_hours_start=(local - timedelta(hours=1)).time(),
        quiet_hours_end=(local + timedelta(minutes=30)).time(),
    )

    outcomes = reminders.reminders_send(reminder_ids=batch, now=now)

    assert [outcomes[pk] for pk in batch] == ["skipped", "deferred", "sent", "sent", "sent"]
    assert _statuses(batch) == ["skipped", "pending", "sent", "sent", "sent"]
    assert len(mail.outbox) == 3


def test_a_batch_takes_two_statements_plus_one_a_row(batch, django_assert_max_num_queries):
    # The check (the rows under lock, their enrollments), then per row one statement
    # claiming it and recording the previous row's outcome, and one for the last outcome.
    # (The test's own transaction adds a savepoint pair around the check.)
    n = len(batch)
    with django_assert_max_num_queries(2 + 2 + n + 1) as queries:
        reminders.reminders_send(reminder_ids=batch)
    statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2 + n + 1
    assert _statuses(batch) == ["sent"] * 5


def test_rows_a_batch_has_no_time_left_for_go_back_to_pending(batch, settings):
    Reminder.objects.filter(pk__in=batch).update(status=Status.SENDING, claimed_at=None)
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # the budget is spent before the first row

    outcomes = reminders.reminders_send(reminder_ids=batch)

    assert set(outcomes.values()) == {"put-back"}
    assert _statuses(batch) == ["pending"] * 5
    assert mail.outbox == []


def test_it_sends_a_batch_where_the_database_cannot_update_inside_with(batch, monkeypatch):
    # SQLite, the local demo's database, runs the outcome and the claim one after the other.
    monkeypatch.setattr(reminders, "_step_in_one_statement", lambda: False)

    reminders.reminders_send(reminder_ids=batch)

    assert _statuses(batch) == ["sent"] * 5
