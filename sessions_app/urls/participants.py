from django.urls import path

from ..views import participants

urlpatterns = [
    path("<int:participant_id>/", participants.participant_detail, name="participant_detail"),
]
