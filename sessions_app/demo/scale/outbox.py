"""The reminder outbox as a year of dispatch would have left it: sent, failed, skipped,
cancelled and interrupted rows in the past, pending ones ahead, a few mid-send."""

import itertools
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from .loader import Loader
from .records import ATTENDED, Record, session_created
from .world import Person, SessionRow, World

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
    loader.copy("sessions_app_reminder", COLUMNS, _Outbox(world, record, rng).rows())
    _measure_messages(loader, world.now)
    _one_being_sent(loader, world.now)


# The measures' messages, written from the rows `measures` loaded (after it, in one
# statement each, with ids after the reminders'): an invitation per request to people
# who take reminders, due at ten on its day; each alert's email to the lead therapist of
# the participant's groups; each escalated alert's to the site's administrators.
MEASURE_MESSAGES = """
INSERT INTO sessions_app_reminder
    (id, kind, channel, participant_id, staff_user_id, session_id, slot, due_at, status,
     attempts, last_error, claimed_at, sent_at, created_at, updated_at)
SELECT (SELECT coalesce(max(id), 0) FROM sessions_app_reminder) + row_number() OVER (),
       kind, channel, participant_id, staff_user_id, NULL, slot, due_at,
       CASE WHEN due_at > %(now)s THEN 'pending' ELSE 'sent' END,
       CASE WHEN due_at > %(now)s THEN 0 ELSE 1 END, '',
       CASE WHEN due_at > %(now)s THEN NULL ELSE due_at + interval '5 seconds' END,
       CASE WHEN due_at > %(now)s THEN NULL ELSE due_at + interval '8 seconds' END,
       due_at - interval '1 day', least(due_at + interval '8 seconds', %(now)s)
FROM (
    SELECT 'measure' AS kind, p.reminder_channel AS channel, p.id AS participant_id,
           NULL::bigint AS staff_user_id, to_char(r.due_on, 'YYYYMMDD')::int AS slot,
           (r.due_on + time '10:00') AT TIME ZONE s.time_zone AS due_at
      FROM sessions_app_measurerequest r
      JOIN sessions_app_participant p ON p.id = r.participant_id
      JOIN sessions_app_site s ON s.id = p.site_id
     WHERE p.reminders_opt_in AND p.reminder_channel <> 'none'
    UNION ALL
    SELECT DISTINCT ON (a.id) 'alert', 'email', NULL, f.therapist_id, a.id, a.raised_at
      FROM sessions_app_safetyalert a
      JOIN sessions_app_enrollment e ON e.participant_id = a.participant_id
      JOIN sessions_app_facilitation f ON f.group_id = e.group_id AND f.role = 'lead'
    UNION ALL
    SELECT DISTINCT ON (a.id, us.user_id) 'escalated', 'email', NULL, us.user_id, a.id,
           a.escalated_at
      FROM sessions_app_safetyalert a
      JOIN sessions_app_participant p ON p.id = a.participant_id
      JOIN sessions_app_user_sites us ON us.site_id = p.site_id
     WHERE a.escalated_at IS NOT NULL
) AS messages
ON CONFLICT DO NOTHING
"""


def _measure_messages(loader: Loader, now: datetime) -> None:
    loader.execute(MEASURE_MESSAGES, {"now": now})


class _Outbox:
    """Rows in the order planning writes them: per session, per person on its roster,
    then the therapists' agendas."""

    def __init__(self, world: World, record: Record, rng: random.Random) -> None:
        self.world, self.rng, self.now = world, rng, world.now
        self.since = max(self.now - HISTORY, min(s.starts_at for s in world.sessions))
        # (session id, participant id) -> when roll call recorded them as there
        self.attended = {
            (row[1].id, row[2].id): row[6]
            for row in record.attendance
            if row[3] in ATTENDED and row[1].starts_at >= self.since
        }
        self.ids = itertools.count(1)

    def rows(self) -> Iterator[tuple]:
        for session in self.world.sessions:
            if session.starts_at < self.since:
                continue
            for stint in session.roster:
                if stint.person.reminder_channel is not None:
                    yield from self._for_person(session, stint.person)
        yield from self._agendas()

    def _for_person(self, session: SessionRow, person: Person) -> Iterator[tuple]:
        """1. "upcoming" at each of the group's reminder times, 2. the notice of the
        session's change, 3. the reflection invitation after a session they attended.
        Nothing is written for times after they pressed "stop"."""
        channel, stopped = person.reminder_channel, person.stopped_at
        planned = session_created(session)
        for minutes in session.group.reminder_minutes:
            due = session.starts_at - timedelta(minutes=minutes)
            if stopped and due >= stopped:
                continue
            if session.status == "cancelled" and due >= session.change[1]:
                status = "cancelled"  # called off before it went out
            else:
                status = self._outcome(due)
            yield self._row(
                "upcoming", channel, person.id, None, session, minutes, due, status, planned
            )
        if session.change and self.since <= session.change[1] < session.starts_at:
            changed_at = session.change[1]
            if not (stopped and changed_at >= stopped):
                kind = "cancelled" if session.change[0] == "cancelled" else "moved"
                status = self._outcome(changed_at)
                yield self._row(
                    kind, channel, person.id, None, session, 1, changed_at, status, changed_at
                )
        recorded_at = self.attended.get((session.id, person.id))
        if recorded_at is not None and not (stopped and session.ends_at >= stopped):
            due = max(session.ends_at + REFLECTION_DELAY, recorded_at)
            status = (
                "pending" if due > self.now else self.rng.choices(("sent", "failed"), (98, 2))[0]
            )
            yield self._row(
                "reflection", channel, person.id, None, session, 0, due, status, recorded_at
            )

    def _agendas(self) -> Iterator[tuple]:
        """Each therapist's daily agenda: one email per local date with sessions, due at
        seven at the site of their first one that day (or an hour before it starts)."""
        firsts: dict[tuple[int, date], SessionRow] = {}
        horizon = self.now + timedelta(hours=36)
        for session in self.world.sessions:
            if session.status == "cancelled" or not self.since <= session.starts_at < horizon:
                continue
            group = session.group
            day = session.starts_at.astimezone(group.site.tz).date()
            for therapist_id in (group.lead_id, *group.co_ids):
                first = firsts.get((therapist_id, day))
                if first is None or session.starts_at < first.starts_at:
                    firsts[therapist_id, day] = session
        for (therapist_id, day), first in sorted(
            firsts.items(), key=lambda kv: (kv[1].starts_at, kv[0][0])
        ):
            seven = datetime.combine(day, AGENDA_HOUR, tzinfo=first.group.site.tz)
            due = min(seven, first.starts_at - timedelta(hours=1))
            slot = int(f"{day:%Y%m%d}")
            status = self._outcome(due)
            yield self._row(
                "agenda",
                "email",
                None,
                therapist_id,
                None,
                slot,
                due,
                status,
                due - timedelta(hours=30),
            )

    def _outcome(self, due: datetime) -> str:
        if due > self.now:
            return "pending"
        if due > self.now - timedelta(minutes=2):
            return "sending"
        return self.rng.choices(*zip(*OUTCOMES, strict=True))[0]

    def _row(
        self,
        kind: str,
        channel: str,
        person_id: int | None,
        staff_id: int | None,
        session: SessionRow | None,
        slot: int,
        due: datetime,
        status: str,
        created: datetime,
    ) -> tuple:
        rng, now = self.rng, self.now
        sent_at = claimed_at = None
        attempts = 0
        if status in ("sent", "failed", "interrupted", "sending"):
            claimed_at = due + timedelta(seconds=rng.randint(1, 50))
            attempts = 5 if status == "failed" else rng.choice((1, 1, 1, 1, 2))
        if status == "sent":
            sent_at = claimed_at + timedelta(seconds=rng.randint(1, 5))
        created = min(created, due)
        updated = (
            created if status == "pending" else min(max(created, sent_at or claimed_at or due), now)
        )
        return (
            next(self.ids),
            kind,
            channel,
            person_id,
            staff_id,
            session.id if session else None,
            slot,
            due,
            status,
            attempts,
            ERRORS.get((status, channel), ""),
            claimed_at,
            sent_at,
            created,
            updated,
        )


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
