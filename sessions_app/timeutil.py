"""Wall-clock times at a site and the UTC instants stored in the database."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from .services.errors import ServiceError


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` at a place in `tz`.

    A wall-clock time skipped by a DST change (02:30 on a spring-forward night) does not
    exist there: refuse it rather than guess. A repeated one (01:30 on a fall-back night)
    is taken as the first of the two, as people mean before the clocks go back.
    """
    local = datetime.combine(day, at, tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ServiceError(
            f"{at:%H:%M} does not exist on {day:%-d %B %Y} in {tz.key}: the clocks change "
            "that night. Choose another time."
        )
    return local.astimezone(UTC)


class SiteLocalDateTime(datetime):
    """A datetime already in a site's zone, which templates show as it is.

    Django's `date` and `time` filters convert every aware datetime to the current time
    zone (the server's); this one opts out, so `{{ session.local_starts_at|time }}` shows
    the time on the clock in the room whatever zone the server runs in.
    """

    convert_to_local_time = False


def at_site(moment: datetime, tz: ZoneInfo) -> SiteLocalDateTime:
    local = moment.astimezone(tz)
    return SiteLocalDateTime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=local.tzinfo,
        fold=local.fold,
    )
