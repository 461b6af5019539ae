from django.urls import path

from ..views import idle

urlpatterns = [
    path("keepalive/", idle.keepalive, name="idle_keepalive"),
    path("expire/", idle.expire, name="idle_expire"),
]
