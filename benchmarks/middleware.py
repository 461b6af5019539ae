"""The number of SQL queries of each request, and the time they took, in response headers
the harness reads."""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

QUERY_HEADER = "X-Bench-Queries"
SQL_TIME_HEADER = "X-Bench-SQL-Ms"  # milliseconds the database took, round trips included


class QueryCountMiddleware:
    """Puts the number of SQL queries a request ran in a response header, and the time
    they took in another.

    Queries a streaming response runs while it is being sent are not counted: by then
    the headers are gone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count, seconds = 0, 0.0

        def counting(execute, sql, params, many, context):
            nonlocal count, seconds
            count += 1
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                seconds += time.perf_counter() - began

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response[QUERY_HEADER] = str(count)
        response[SQL_TIME_HEADER] = f"{seconds * 1000:.3f}"
        return response
