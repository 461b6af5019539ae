"""The Redis connection the web process uses for health and heartbeat."""

import redis
from django.conf import settings


def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
