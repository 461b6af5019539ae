"""Settings of the server `make bench` measures: the app's own settings, plus the two floor
pages (ROOT_URLCONF) and a header with each request's number of SQL queries.

Nothing here changes how the app's pages behave; see benchmarks/pages.py.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.urls"
# First, so that it counts the queries of every other middleware too (sessions, audit).
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]
