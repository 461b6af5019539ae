"""Calendar subscription feeds (a secret token in the URL, no login) and the
therapist's calendar page.

Tokens are `secrets.token_urlsafe`, whose alphabet is exactly a slug's: anything else in
that place (a NUL byte, which PostgreSQL refuses in a query) is no token and answers 404
before any lookup.
"""

from django.urls import path

from ..views import calendar_feeds as views

urlpatterns = [
    path(
        "calendar/t/<slug:token>.ics", views.calendar_feed_therapist, name="calendar_feed_therapist"
    ),
    path(
        "calendar/p/<slug:token>.ics",
        views.calendar_feed_participant,
        name="calendar_feed_participant",
    ),
    path("account/calendar/", views.therapist_calendar, name="therapist_calendar"),
]
