"""Report pages against the best hand-written SQL giving the same numbers.

The SQL lives in benchmarks/report_sql.py, one function per report, taking a cursor and
keyword parameters. Each is called with the parameters it names, from those the page was
opened with (site_ids, group_id, therapist_id, start, end) and those every report knows
(today, now, threshold). A function that is missing, or asks for a parameter nobody
knows, gives "n/a" rather than a wrong figure.
"""

import importlib
import inspect
import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone


def sql_function(name: str) -> Callable | None:
    try:
        module = importlib.import_module("benchmarks.report_sql")
    except ImportError:
        return None
    return getattr(module, name, None)


def sql_seconds(name: str, params: dict, *, repeat: int) -> float | None:
    """Median seconds of the hand-written SQL for one report, or None when there is none."""
    function = sql_function(name)
    if function is None:
        return None
    now = timezone.now()
    known = {
        "today": timezone.localdate(now),
        "now": now,
        "threshold": settings.SLIPPING_RATE_THRESHOLD,
        **params,
    }
    wanted = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty
    ]
    if any(p.name not in known for p in wanted):
        return None
    kwargs = {
        name: value
        for name, value in known.items()
        if name in inspect.signature(function).parameters
    }
    with connection.cursor() as cursor:
        function(cursor, **kwargs)  # warm-up: caches, plans
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            function(cursor, **kwargs)
            times.append(time.perf_counter() - began)
    return statistics.median(times)
