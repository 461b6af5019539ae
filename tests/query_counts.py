"""Counting a page's queries, to show that it does not grow with the data.

Pages are compared with themselves at two sizes rather than held to a fixed number:
"bounded" means the same number of queries for 1 row and for 30.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    """Queries of one GET of `url`, after a first GET has warmed per-process caches
    (content types, and the like)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
