"""URLs, one module per area of the domain."""

from django.urls import include, path

urlpatterns = [
    path("", include("sessions_app.urls.core")),
    path("signed-in/", include("sessions_app.urls.idle")),  # idle logoff, kept drafts
    path("", include("sessions_app.urls.mfa")),  # two-step sign-in
    path("groups/", include("sessions_app.urls.groups")),
    path("groups/", include("sessions_app.urls.measure_schedules")),  # measure schedules
    path("alerts/", include("sessions_app.urls.safety")),  # safety alerts
    path("sessions/", include("sessions_app.urls.meetings")),
    path("sessions/", include("sessions_app.urls.attendance")),
    path("sessions/", include("sessions_app.urls.notes")),
    path("sessions/", include("sessions_app.urls.planning")),
    path("sessions/", include("sessions_app.urls.kiosk")),  # check-in at the door
    path("songs/", include("sessions_app.urls.music")),
    path("participants/", include("sessions_app.urls.participants")),
    path("participants/", include("sessions_app.urls.plans")),  # assessments, plans
    # Progress reports and discharge summaries.
    path("participants/", include("sessions_app.urls.progress_reports")),
    path("lullaby/", include("sessions_app.urls.lullaby")),  # lullaby projects, recording logs
    path("lullaby/programs/", include("sessions_app.urls.programs")),  # sharing sessions
    path("song/", include("sessions_app.urls.family")),  # the family's private link
    # Participants' own pages and signed links; reflections; calendar feeds.
    path("", include("sessions_app.urls.participant_pages")),
    path("", include("sessions_app.urls.reflections")),
    path("", include("sessions_app.urls.calendar_feeds")),
    path("reminders/", include("sessions_app.urls.reminders")),  # reminder outbox
    path("", include("sessions_app.urls.admin_reports")),  # reports, audit, consents
    path("", include("sessions_app.urls.access")),  # emergency access, first looks
    path("", include("sessions_app.urls.measure_charts")),  # measures: charts, outcomes
]
