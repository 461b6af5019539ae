"""The best hand-written SQL for each report the benchmark times, giving the same numbers
as the page: what a page's SQL time is compared with (benchmarks/against_sql.py).

Interface: one function per report, called with a DB-API cursor (Django's or psycopg's,
on PostgreSQL) and keyword-only parameters, each returning the rows of numbers it read
(a list of tuples; tests compare them with the selectors' figures):

    site_report(cursor, *, site_ids, start, end)
        the site page: each group's figures for the period, each therapist's over their
        groups, the total, and the trend month by month
    therapist_report(cursor, *, therapist_id, site_ids, start, end)
        the therapist page: each of their groups at the sites, the total, the trend
    group_report(cursor, *, group_id, start, end, now, threshold)
        the group page: its total and trend, and each participant's figures for the
        period with their signals in this group
    slipping_away(cursor, *, site_ids, today, now, threshold)
        the slipping-away list, most urgent first

`start` and `end` are dates (both included) in each site's own zone; `now` an aware
datetime; `today` a date; `threshold` a rate from 0 to 1. REPORTS maps each name to its
function.

Figures rows are (kind, key, held, cancelled, scheduled, enrolled, present, late,
left_early, excused, absent) with kind "group", "therapist", "total" or "month" (key a
first-of-month date for months; enrolled is 0 for months, which show no enrolment).
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from sessions_app.selectors.reports import (
    SLIPPING_ABSENCES_IN_A_ROW,
    SLIPPING_LOOKBACK_DAYS,
    SLIPPING_MIN_SESSIONS_FOR_RATE,
    Period,
    trend_period,
)

# One pass over the sessions of the period and of its trend's months (each in its
# site's zone), with each session's attendance as counted on the session by triggers;
# then sums by group, by therapist (a session counts for each facilitator), in total,
# and by month. Enrolled: distinct participants over the groups of each row.
_FIGURES = """
WITH bounds AS (
    SELECT st.id AS site_id, st.time_zone AS zone,
           %(start)s::date::timestamp AT TIME ZONE st.time_zone AS lo,
           (%(end)s::date + 1)::timestamp AT TIME ZONE st.time_zone AS hi,
           %(t_start)s::date::timestamp AT TIME ZONE st.time_zone AS t_lo,
           (%(t_end)s::date + 1)::timestamp AT TIME ZONE st.time_zone AS t_hi
    FROM sessions_app_site st
    WHERE st.id = ANY(%(site_ids)s)
),
scope AS (
    SELECT g.id, g.site_id FROM sessions_app_group g
    WHERE g.site_id = ANY(%(site_ids)s)
      AND (%(group_ids)s::bigint[] IS NULL OR g.id = ANY(%(group_ids)s::bigint[]))
),
sessions AS MATERIALIZED (
    SELECT s.group_id, s.status,
           s.starts_at >= b.lo AND s.starts_at < b.hi AS in_period,
           s.starts_at >= b.t_lo AND s.starts_at < b.t_hi AS in_trend,
           date_trunc('month', s.starts_at AT TIME ZONE b.zone)::date AS month,
           CASE WHEN s.status <> 'cancelled' THEN s.tally_present ELSE 0 END AS present,
           CASE WHEN s.status <> 'cancelled' THEN s.tally_late ELSE 0 END AS late,
           CASE WHEN s.status <> 'cancelled' THEN s.tally_left_early ELSE 0 END AS left_early,
           CASE WHEN s.status <> 'cancelled' THEN s.tally_excused ELSE 0 END AS excused,
           CASE WHEN s.status <> 'cancelled' THEN s.tally_absent ELSE 0 END AS absent
    FROM scope g
    JOIN bounds b ON b.site_id = g.site_id
    JOIN sessions_app_session s ON s.group_id = g.id
     AND s.starts_at >= LEAST(b.lo, b.t_lo) AND s.starts_at < GREATEST(b.hi, b.t_hi)
),
by_group AS (
    SELECT group_id,
           COUNT(*) FILTER (WHERE status = 'held') AS held,
           COUNT(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           COUNT(*) FILTER (WHERE status = 'scheduled') AS scheduled,
           SUM(present) AS present, SUM(late) AS late, SUM(left_early) AS left_early,
           SUM(excused) AS excused, SUM(absent) AS absent
    FROM sessions WHERE in_period GROUP BY group_id
),
enrolled AS (
    SELECT e.group_id, f.therapist_id, COUNT(DISTINCT e.participant_id) AS n,
           GROUPING(e.group_id, f.therapist_id) AS level
    FROM sessions_app_enrollment e
    JOIN scope g ON g.id = e.group_id
    LEFT JOIN sessions_app_facilitation f ON f.group_id = e.group_id
    WHERE e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date >= %(start)s)
    GROUP BY GROUPING SETS ((e.group_id), (f.therapist_id), ())
),
therapists AS (
    SELECT f.therapist_id,
           SUM(held) AS held, SUM(cancelled) AS cancelled, SUM(scheduled) AS scheduled,
           SUM(present) AS present, SUM(late) AS late, SUM(left_early) AS left_early,
           SUM(excused) AS excused, SUM(absent) AS absent
    FROM by_group JOIN sessions_app_facilitation f USING (group_id)
    GROUP BY f.therapist_id
)
SELECT 'group', bg.group_id::text, bg.held, bg.cancelled, bg.scheduled, COALESCE(e.n, 0),
       bg.present, bg.late, bg.left_early, bg.excused, bg.absent
FROM by_group bg LEFT JOIN enrolled e ON e.level = 1 AND e.group_id = bg.group_id
UNION ALL
SELECT 'therapist', t.therapist_id::text, t.held, t.cancelled, t.scheduled, COALESCE(e.n, 0),
       t.present, t.late, t.left_early, t.excused, t.absent
FROM therapists t LEFT JOIN enrolled e ON e.level = 2 AND e.therapist_id = t.therapist_id
UNION ALL
SELECT 'total', NULL, SUM(held), SUM(cancelled), SUM(scheduled),
       (SELECT n FROM enrolled WHERE level = 3),
       SUM(present), SUM(late), SUM(left_early), SUM(excused), SUM(absent)
FROM by_group
UNION ALL
SELECT 'month', month::text,
       COUNT(*) FILTER (WHERE status = 'held'), COUNT(*) FILTER (WHERE status = 'cancelled'),
       COUNT(*) FILTER (WHERE status = 'scheduled'), 0,
       SUM(present), SUM(late), SUM(left_early), SUM(excused), SUM(absent)
FROM sessions WHERE in_trend GROUP BY month
"""

# Each participant's attendance in scope, the start of the last session they came to
# beside every row (a window over the participant's rows), then one GROUP BY. Everyone's
# rows are read only over the lookback window; the whole history only of those who
# came to none of it ("lapsed"), since their last session is older than the window.
_SIGNALS = """
WITH {prelude}
who AS MATERIALIZED (
    {who}
),
recent AS MATERIALIZED (
    SELECT a.participant_id, a.status, s.starts_at
    FROM sessions_app_session s
    JOIN sessions_app_group g ON g.id = s.group_id
    JOIN sessions_app_attendance a ON a.session_id = s.id
    WHERE s.starts_at >= %(since)s
      AND g.site_id = ANY(%(site_ids)s) AND s.status <> 'cancelled'
      AND (%(group_id)s::bigint IS NULL OR s.group_id = %(group_id)s::bigint)
      AND a.participant_id IN (SELECT participant_id FROM who)
),
lapsed AS MATERIALIZED (
    SELECT participant_id FROM who
    EXCEPT
    SELECT participant_id FROM recent WHERE status IN ('present', 'late', 'left_early')
),
older AS (
    SELECT h.*
    FROM lapsed l
    CROSS JOIN LATERAL (
        SELECT a.participant_id, a.status, s.starts_at
        FROM sessions_app_attendance a
        JOIN sessions_app_session s ON s.id = a.session_id
        JOIN sessions_app_group g ON g.id = s.group_id
        WHERE a.participant_id = l.participant_id
          AND s.starts_at < %(since)s
          AND g.site_id = ANY(%(site_ids)s) AND s.status <> 'cancelled'
          AND (%(group_id)s::bigint IS NULL OR s.group_id = %(group_id)s::bigint)
        OFFSET 0
    ) h
),
seen AS (
    SELECT rows.*,
           MAX(starts_at) FILTER (WHERE status IN ('present', 'late', 'left_early'))
               OVER (PARTITION BY participant_id) AS last_at
    FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) AS rows
),
signals AS (
    SELECT participant_id,
           COUNT(*) FILTER (
               WHERE status = 'absent' AND (last_at IS NULL OR starts_at > last_at)
           ) AS absences,
           COUNT(*) FILTER (
               WHERE status IN ('present', 'late', 'left_early') AND starts_at >= %(since)s
           ) AS attended,
           COUNT(*) FILTER (WHERE status = 'absent' AND starts_at >= %(since)s) AS absent,
           MAX(last_at) AS last_at
    FROM seen GROUP BY participant_id
)
"""

# Put together from the constants above only; every value is a query parameter.
_SLIPPING = (
    _SIGNALS.format(  # noqa: S608
        prelude="",
        who="""
        SELECT e.participant_id FROM sessions_app_enrollment e
        JOIN sessions_app_group eg ON eg.id = e.group_id
        WHERE eg.site_id = ANY(%(site_ids)s)
          AND e.start_date <= %(today)s AND (e.end_date IS NULL OR e.end_date >= %(today)s)
        """,
    )
    + """
SELECT sg.participant_id, sg.absences, sg.attended, sg.absent, sg.last_at
FROM signals sg
JOIN sessions_app_participant p ON p.id = sg.participant_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN sg.attended + sg.absent > 0
                THEN sg.attended::float8 / (sg.attended + sg.absent) END AS rate
) r
WHERE sg.absences >= %(in_a_row)s
   OR (sg.attended + sg.absent >= %(min_sessions)s AND r.rate < %(threshold)s)
ORDER BY sg.absences DESC, r.rate ASC NULLS LAST, sg.last_at ASC NULLS FIRST,
         p.last_name, p.first_name, p.id
"""
)

_GROUP_PEOPLE = (
    _SIGNALS.format(  # noqa: S608
        prelude="""bounds AS (
    SELECT %(start)s::date::timestamp AT TIME ZONE st.time_zone AS lo,
           (%(end)s::date + 1)::timestamp AT TIME ZONE st.time_zone AS hi
    FROM sessions_app_group g JOIN sessions_app_site st ON st.id = g.site_id
    WHERE g.id = %(group_id)s
),""",
        who="""
        SELECT e.participant_id FROM sessions_app_enrollment e
        WHERE e.group_id = %(group_id)s
          AND e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date >= %(start)s)
        UNION
        SELECT a.participant_id FROM sessions_app_attendance a
        JOIN sessions_app_session s ON s.id = a.session_id
        JOIN bounds b ON true
        WHERE s.group_id = %(group_id)s AND s.status <> 'cancelled'
          AND s.starts_at >= b.lo AND s.starts_at < b.hi
        """,
    )
    + """,
period AS (
    SELECT a.participant_id,
           COUNT(*) FILTER (WHERE a.status = 'present') AS present,
           COUNT(*) FILTER (WHERE a.status = 'late') AS late,
           COUNT(*) FILTER (WHERE a.status = 'left_early') AS left_early,
           COUNT(*) FILTER (WHERE a.status = 'excused') AS excused,
           COUNT(*) FILTER (WHERE a.status = 'absent') AS absent
    FROM sessions_app_attendance a
    JOIN sessions_app_session s ON s.id = a.session_id
    JOIN bounds b ON true
    WHERE s.group_id = %(group_id)s AND s.status <> 'cancelled'
      AND s.starts_at >= b.lo AND s.starts_at < b.hi
    GROUP BY a.participant_id
)
SELECT sg.participant_id, COALESCE(pe.present, 0), COALESCE(pe.late, 0),
       COALESCE(pe.left_early, 0), COALESCE(pe.excused, 0), COALESCE(pe.absent, 0),
       sg.absences, sg.attended, sg.absent, sg.last_at
FROM signals sg LEFT JOIN period pe USING (participant_id)
"""
)


def _figures(cursor, *, site_ids, start, end, group_ids=None) -> list[tuple]:
    months = trend_period(Period(start, end))
    cursor.execute(
        _FIGURES,
        {
            "site_ids": list(site_ids),
            "group_ids": None if group_ids is None else list(group_ids),
            "start": start,
            "end": end,
            "t_start": months.start,
            "t_end": months.end,
        },
    )
    return cursor.fetchall()


def site_report(cursor, *, site_ids: Sequence[int], start: date, end: date) -> list[tuple]:
    return _figures(cursor, site_ids=site_ids, start=start, end=end)


def therapist_report(
    cursor, *, therapist_id: int, site_ids: Sequence[int], start: date, end: date
) -> list[tuple]:
    cursor.execute(
        "SELECT f.group_id FROM sessions_app_facilitation f"
        " JOIN sessions_app_group g ON g.id = f.group_id"
        " WHERE f.therapist_id = %s AND g.site_id = ANY(%s)",
        [therapist_id, list(site_ids)],
    )
    group_ids = [row[0] for row in cursor.fetchall()]
    return _figures(cursor, site_ids=site_ids, start=start, end=end, group_ids=group_ids)


def group_report(
    cursor, *, group_id: int, start: date, end: date, now: datetime, threshold: float
) -> list[tuple]:
    """The group's figures and trend rows, then one row per participant: (participant,
    present, late, left_early, excused, absent, absences in a row, recently attended,
    recently absent, last attended at). `threshold` is applied by the page to these."""
    cursor.execute("SELECT site_id FROM sessions_app_group WHERE id = %s", [group_id])
    (site_id,) = cursor.fetchone()
    figures = _figures(cursor, site_ids=[site_id], start=start, end=end, group_ids=[group_id])
    cursor.execute(
        _GROUP_PEOPLE,
        {
            "group_id": group_id,
            "site_ids": [site_id],
            "start": start,
            "end": end,
            "since": now - timedelta(days=SLIPPING_LOOKBACK_DAYS),
        },
    )
    return figures + cursor.fetchall()


def slipping_away(
    cursor, *, site_ids: Sequence[int], today: date, now: datetime, threshold: float
) -> list[tuple]:
    """(participant, absences in a row, recently attended, recently absent, last
    attended at), most urgent first."""
    cursor.execute(
        _SLIPPING,
        {
            "site_ids": list(site_ids),
            "group_id": None,
            "today": today,
            "since": now - timedelta(days=SLIPPING_LOOKBACK_DAYS),
            "in_a_row": SLIPPING_ABSENCES_IN_A_ROW,
            "min_sessions": SLIPPING_MIN_SESSIONS_FOR_RATE,
            "threshold": threshold,
        },
    )
    return cursor.fetchall()


REPORTS: dict[str, Callable[..., list[tuple]]] = {
    "site_report": site_report,
    "therapist_report": therapist_report,
    "group_report": group_report,
    "slipping_away": slipping_away,
}
