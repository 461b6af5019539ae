"""A participant's own pages: signed links from reminders, their page, reflections.

Reached by a participant's login or by a link session (see `sessions_app.links`);
never through the staff pages.
"""

from django.urls import path

from ..views import participant_pages as views

urlpatterns = [
    path("p/<str:token>/", views.participant_link, name="participant_link"),
    path("me/", views.participant_home, name="participant_home"),
    path("me/reminders/", views.participant_reminders, name="participant_reminders"),
    path("me/reminders/stop/", views.participant_reminders_stop, name="participant_reminders_stop"),
    path("me/calendar/", views.participant_calendar, name="participant_calendar"),
    path("me/leave/", views.participant_leave, name="participant_leave"),
    path("me/sessions/<int:session_id>/rsvp/", views.participant_rsvp, name="participant_rsvp"),
    path("me/questions/", views.participant_questions, name="participant_questions"),
    path(
        "me/questions/<int:request_id>/",
        views.participant_measure_answer,
        name="participant_measure_answer",
    ),
    path(
        "me/sessions/<int:session_id>/check-in/",
        views.participant_checkin,
        name="participant_checkin",
    ),
    path(
        "me/sessions/<int:session_id>/reflection/",
        views.participant_reflection,
        name="participant_reflection",
    ),
]
