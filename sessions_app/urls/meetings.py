from django.urls import path

from ..views import meetings

urlpatterns = [
    path("<int:session_id>/", meetings.session_detail, name="session_detail"),
    path("<int:session_id>/move/", meetings.session_move, name="session_move"),
    path("<int:session_id>/cancel/", meetings.session_cancel, name="session_cancel"),
    path("<int:session_id>/restore/", meetings.session_restore, name="session_restore"),
]
