"""Calendar subscription feeds (a secret token in the URL, no login) and the
therapist's calendar page."""

from django.urls import path

from ..views import calendar_feeds as views

urlpatterns = [
    path(
        "calendar/t/<str:token>.ics", views.calendar_feed_therapist, name="calendar_feed_therapist"
    ),
    path(
        "calendar/p/<str:token>.ics",
        views.calendar_feed_participant,
        name="calendar_feed_participant",
    ),
    path("account/calendar/", views.therapist_calendar, name="therapist_calendar"),
]
