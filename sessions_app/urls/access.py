from django.urls import path

from ..views import access

urlpatterns = [
    path("emergency/", access.emergency_access_find, name="emergency_access_find"),
    path(
        "emergency/participants/<int:participant_id>/",
        access.emergency_access_open,
        name="emergency_access_open",
    ),
    path(
        "emergency/<int:access_id>/end/", access.emergency_access_end, name="emergency_access_end"
    ),
    path("access/emergency/", access.emergency_access_review, name="emergency_access_review"),
    path(
        "access/emergency/<int:access_id>/reviewed/",
        access.emergency_access_reviewed,
        name="emergency_access_reviewed",
    ),
    path("access/first-looks/", access.first_look_review, name="first_look_review"),
    path(
        "access/first-looks/<int:enrollment_id>/",
        access.first_look_decide,
        name="first_look_decide",
    ),
]
