"""The reminder outbox as a year of dispatch would have left it: sent, failed, skipped,
cancelled and interrupted rows in the past, pending ones ahead, a few mid-send."""

import itertools
import random
from datetime import date, datetime, time, timedelta

from .loader import Loader
from .records import ATTENDED, Record
from .world import SessionRow, World

# Reminders were switched on this long before now (or at the start of the history).
HISTORY = timedelta(days=365)
REFLECTION_DELAY = timedelta(minutes=15)
AGENDA_HOUR = time(7)
# What became of a reminder that fell due, as dispatch would have recorded it.
OUTCOMES = (("sent", 930), ("failed", 25), ("skipped", 30), ("interrupted", 5), ("cancelled", 10))
ERRORS = {
    ("failed", "sms"): "SMS provider answered 503: Service Unavailable",
    ("failed", "email"): "SMTP 451 4.3.0 Temporary failure, try again later",
    ("skipped", "sms"): "The participant's quiet hours last until the session starts.",
    ("skipped", "email"): "The participant no longer wants reminders this way.",
    ("interrupted", "sms"): (
        "The worker stopped while sending this reminder, so it may or may not have gone "
        "out. It is not resent automatically: retry it if it should go."
    ),
}
ERRORS["interrupted", "email"] = ERRORS["interrupted", "sms"]
COLUMNS = (
    "id",
    "kind",
    "channel",
    "participant_id",
    "staff_user_id",
    "session_id",
    "slot",
    "due_at",
    "status",
    "attempts",
    "last_error",
    "claimed_at",
    "sent_at",
    "created_at",
    "updated_at",
)


def write_reminders(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    now = world.now
    since = max(now - HISTORY, min(s.starts_at for s in world.sessions))
    attended = {
        (row[1].id, row[2].id): row[6]
        for row in record.attendance
        if row[3] in ATTENDED and row[1].starts_at >= since
    }
    ids = itertools.count(1)

    def row(kind, channel, person_id, staff_id, session_id, slot, due, status, created):
        sent_at = claimed_at = None
        attempts, error = 0, ""
        if status in ("sent", "failed", "interrupted", "sending"):
            claimed_at = due + timedelta(seconds=rng.randint(1, 50))
            attempts = 5 if status == "failed" else rng.choice((1, 1, 1, 1, 2))
        if status == "sent":
            sent_at = claimed_at + timedelta(seconds=rng.randint(1, 5))
        error = ERRORS.get((status, channel), "")
        updated = max(created, sent_at or claimed_at or (due if status != "pending" else created))
        return (
            next(ids),
            kind,
            channel,
            person_id,
            staff_id,
            session_id,
            slot,
            due,
            status,
            attempts,
            error,
            claimed_at,
            sent_at,
            min(created, due),
            min(updated, now) if status != "pending" else created,
        )

    def outcome(due: datetime) -> str:
        if due > now:
            return "pending"
        if due > now - timedelta(minutes=2):
            return "sending"
        return rng.choices(*zip(*OUTCOMES, strict=True))[0]

    def rows():
        for session in world.sessions:
            if session.starts_at < since:
                continue
            created = session_planned(session)
            for stint in session.roster:
                person = stint.person
                channel = person.reminder_channel
                if channel is None:
                    continue
                stopped = person.stopped_at
                for minutes in session.group.reminder_minutes:
                    due = session.starts_at - timedelta(minutes=minutes)
                    if stopped and due >= stopped:
                        continue
                    if session.status == "cancelled" and due >= session.change[1]:
                        status = "cancelled"
                    else:
                        status = outcome(due)
                    yield row(
                        "upcoming", channel, person.id, None, session.id, minutes, due, status,
                        created,
                    )  # fmt: skip
                if (
                    session.change
                    and session.change[1] >= since
                    and session.starts_at > now - HISTORY
                ):
                    changed_at = session.change[1]
                    if session.starts_at > changed_at and not (stopped and changed_at >= stopped):
                        kind = "cancelled" if session.change[0] == "cancelled" else "moved"
                        yield row(
                            kind, channel, person.id, None, session.id, 1, changed_at,
                            outcome(changed_at), changed_at,
                        )  # fmt: skip
                recorded_at = attended.get((session.id, person.id))
                if recorded_at is not None and not (stopped and session.ends_at >= stopped):
                    due = max(session.ends_at + REFLECTION_DELAY, recorded_at)
                    status = "pending" if due > now else rng.choices(("sent", "failed"), (98, 2))[0]
                    yield row(
                        "reflection", channel, person.id, None, session.id, 0, due, status,
                        recorded_at,
                    )  # fmt: skip
        yield from _agendas(world, since, row, outcome)

    loader.copy("sessions_app_reminder", COLUMNS, rows())
    _one_being_sent(loader, now)


def _one_being_sent(loader: Loader, now: datetime) -> None:
    """A reminder mid-send is there at any moment in a live outbox, but only by luck in
    a small data set: if none fell due in the last minutes, the latest one sent is
    still being sent."""
    if loader.execute("SELECT 1 FROM sessions_app_reminder WHERE status = 'sending' LIMIT 1"):
        return
    loader.execute(
        "UPDATE sessions_app_reminder SET status = 'sending', sent_at = NULL, "
        "claimed_at = %s, updated_at = %s WHERE id = (SELECT id FROM sessions_app_reminder "
        "WHERE status = 'sent' AND due_at <= %s ORDER BY due_at DESC, id DESC LIMIT 1)",
        [now - timedelta(seconds=30), now - timedelta(seconds=30), now],
    )


def session_planned(session: SessionRow) -> datetime:
    return max(session.group.created_at, session.starts_at - timedelta(weeks=12))


def _agendas(world: World, since: datetime, row, outcome):
    """Each therapist's daily agenda: one email per local date with sessions, due at
    seven at the site of their first one that day (or an hour before it starts)."""
    firsts: dict[tuple[int, date], SessionRow] = {}
    horizon = world.now + timedelta(hours=36)
    for session in world.sessions:
        if session.status == "cancelled" or not since <= session.starts_at < horizon:
            continue
        group = session.group
        day = session.starts_at.astimezone(group.site.tz).date()
        for therapist_id in (group.lead_id, *group.co_ids):
            first = firsts.get((therapist_id, day))
            if first is None or session.starts_at < first.starts_at:
                firsts[therapist_id, day] = session
    for (therapist_id, day), first in sorted(firsts.items(), key=lambda kv: kv[1].starts_at):
        seven = datetime.combine(day, AGENDA_HOUR, tzinfo=first.group.site.tz)
        due = min(seven, first.starts_at - timedelta(hours=1))
        slot = int(f"{day:%Y%m%d}")
        created = due - timedelta(hours=30)
        yield row("agenda", "email", None, therapist_id, None, slot, due, outcome(due), created)
