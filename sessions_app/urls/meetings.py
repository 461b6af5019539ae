from django.urls import path

from ..views import meetings

urlpatterns = [
    path("<int:session_id>/", meetings.session_detail, name="session_detail"),
]
