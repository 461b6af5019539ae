from django.contrib.auth import views as auth_views
from django.urls import path

from .views import groups, health, home, meetings, participants

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    path("groups/<int:group_id>/", groups.group_detail, name="group_detail"),
    path("sessions/<int:session_id>/", meetings.session_detail, name="session_detail"),
    path(
        "participants/<int:participant_id>/",
        participants.participant_detail,
        name="participant_detail",
    ),
]
