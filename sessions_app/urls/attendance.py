from django.urls import path

from ..views import attendance

urlpatterns = [
    path("<int:session_id>/attendance/", attendance.roll_call, name="roll_call"),
]
