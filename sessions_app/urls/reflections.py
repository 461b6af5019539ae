"""Staff pages for reflections and for participants' links and calendar."""

from django.urls import path

from ..views import reflections as views

urlpatterns = [
    path(
        "sessions/<int:session_id>/reflections/<int:participant_id>/",
        views.reflection_enter,
        name="reflection_enter",
    ),
    path(
        "participants/<int:participant_id>/reflections/",
        views.participant_chart,
        name="participant_chart",
    ),
    path(
        "participants/<int:participant_id>/links/revoke/",
        views.participant_links_revoke,
        name="participant_links_revoke",
    ),
    path(
        "participants/<int:participant_id>/calendar/reset/",
        views.participant_feed_reset,
        name="participant_feed_reset",
    ),
]
