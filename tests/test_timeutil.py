from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat

from sessions_app import dates
from sessions_app.services.errors import ServiceError
from sessions_app.timeutil import local_to_utc

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 3), datetime(2026, 3, 3, 15, tzinfo=UTC)),  # EST
        (date(2026, 3, 10), datetime(2026, 3, 10, 14, tzinfo=UTC)),  # EDT after 8 March
        (date(2026, 11, 3), datetime(2026, 11, 3, 15, tzinfo=UTC)),  # EST after 1 November
    ],
)
def test_it_keeps_ten_oclock_at_ten_across_dst(day, expected):
    assert local_to_utc(day, time(10, 0), NY) == expected


def test_it_refuses_a_time_skipped_by_spring_forward():
    with pytest.raises(ServiceError, match="does not exist"):
        local_to_utc(date(2026, 3, 8), time(2, 30), NY)


def test_it_takes_the_first_of_a_repeated_time():
    assert local_to_utc(date(2026, 11, 1), time(1, 30), NY) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_it_handles_zones_without_dst():
    phoenix = ZoneInfo("America/Phoenix")
    assert local_to_utc(date(2026, 7, 1), time(10, 0), phoenix) == datetime(
        2026, 7, 1, 17, tzinfo=UTC
    )


def test_it_shows_a_sessions_local_time_through_template_filters(group, settings):
    from django.template import Context, Template

    from tests import factories as f

    settings.TIME_ZONE = "UTC"
    # 10:00 in New York on 17 November is 15:00 UTC.
    start = datetime(2026, 11, 17, 15, tzinfo=UTC)
    session = f.SessionFactory(group=group, starts_at=start, ends_at=start.replace(hour=16))
    rendered = Template(
        '{{ s.local_starts_at|date:"D j M" }}, {{ s.local_starts_at|time:"H:i" }}'
        '–{{ s.local_ends_at|time:"H:i" }}'
    ).render(Context({"s": session}))
    assert rendered == "Tue 17 Nov, 10:00–11:00"


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 3, 8, 9, 5, tzinfo=NY), datetime(2026, 11, 1, 0, 0, tzinfo=NY)],
)
def test_it_writes_the_clock_as_the_date_filter_does(moment):
    assert dates.clock(moment) == dateformat.format(moment, "H:i")
