"""Check-in at the door: a session's kiosk, run by its therapists (sessions_app/kiosk.py)."""

from django.urls import path

from ..views import kiosk

urlpatterns = [
    path("<int:session_id>/kiosk/start/", kiosk.kiosk_start, name="kiosk_start"),
    path("<int:session_id>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("<int:session_id>/kiosk/exit/", kiosk.kiosk_exit, name="kiosk_exit"),
    path("<int:session_id>/kiosk/<int:participant_id>/", kiosk.kiosk_answer, name="kiosk_answer"),
]
