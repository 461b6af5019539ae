"""When a reminder may reach a participant: their quiet hours, in their own time zone.

Quiet hours are wall-clock times where the participant is (`Participant.tz`), so
21:00–08:00 stays 21:00–08:00 across DST. A reminder due inside them waits until they
end, unless that would be after the session starts: then it goes just before they
begin, the evening before, so it still arrives in time.
"""

from datetime import UTC, date, datetime, time, timedelta

from ..models import Participant

# "Just before" quiet hours begin.
QUIET_MARGIN = timedelta(minutes=5)


def wall_clock(day: date, at: time, tz) -> datetime:
    """The UTC instant of `at` on `day` in `tz`. A time skipped by a spring-forward
    change comes out as the same time after the gap (02:30 → 03:30), and a repeated
    one as its first occurrence: both fine for the edge of someone's night."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def is_quiet(participant: Participant, instant: datetime) -> bool:
    return participant.in_quiet_hours(instant.astimezone(participant.tz).time())


def quiet_end_after(participant: Participant, instant: datetime) -> datetime:
    """The first end of the participant's quiet hours after `instant`."""
    tz = participant.tz
    day = instant.astimezone(tz).date()
    for offset in (0, 1, 2):
        end = wall_clock(day + timedelta(days=offset), participant.quiet_hours_end, tz)
        if end > instant:
            return end
    raise AssertionError("quiet hours end within two days")  # pragma: no cover


def quiet_start_before(participant: Participant, instant: datetime) -> datetime:
    """The last start of the participant's quiet hours at or before `instant`."""
    tz = participant.tz
    day = instant.astimezone(tz).date()
    for offset in (0, 1, 2):
        start = wall_clock(day - timedelta(days=offset), participant.quiet_hours_start, tz)
        if start <= instant:
            return start
    raise AssertionError("quiet hours start within two days")  # pragma: no cover


def quiet_fit(
    due: datetime, *, participant: Participant, deadline: datetime | None = None
) -> datetime | None:
    """When a reminder planned for `due` may go out, or None if no moment fits.

    `deadline` is when the message stops being useful (the session's start); None for
    messages that can wait (a reflection invitation).
    """
    if not is_quiet(participant, due):
        return due
    end = quiet_end_after(participant, due)
    if deadline is None or end < deadline:
        return end
    earlier = quiet_start_before(participant, due) - QUIET_MARGIN
    if earlier >= deadline or is_quiet(participant, earlier):
        return None
    return earlier
