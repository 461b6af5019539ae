"""The number of SQL queries of each request, in a response header the harness reads."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

QUERY_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Puts the number of SQL queries a request ran in a response header.

    Queries a streaming response runs while it is being sent are not counted: by then
    the header is gone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counting(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response[QUERY_HEADER] = str(count)
        return response
