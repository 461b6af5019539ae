from django.contrib.auth import views as auth_views
from django.urls import path

from ..forms.accounts import LoginForm
from ..views import csp_reports, health, home

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico before reading the page's icon link.
    path("favicon.ico", home.favicon, name="favicon"),
    # Browsers' reports of what the Content-Security-Policy blocked (settings.CSP_REPORT_PATH).
    path("csp-report/", csp_reports.csp_report, name="csp_report"),
]
