"""URLs, one module per area of the domain."""

from django.urls import include, path

urlpatterns = [
    path("", include("sessions_app.urls.core")),
    path("groups/", include("sessions_app.urls.groups")),
    path("sessions/", include("sessions_app.urls.meetings")),
    path("sessions/", include("sessions_app.urls.attendance")),
    path("sessions/", include("sessions_app.urls.notes")),
    path("sessions/", include("sessions_app.urls.planning")),
    path("songs/", include("sessions_app.urls.music")),
    path("participants/", include("sessions_app.urls.participants")),
]
