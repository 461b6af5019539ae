"""A Celery task that does nothing but count itself, for benchmarks/reminders.py.

The worker loads it with `-I benchmarks.noop`; it is not part of the app."""

import os

import redis
from celery import shared_task

_client = None


@shared_task(ignore_result=True)
def noop(key: str) -> None:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    _client.incr(key)
