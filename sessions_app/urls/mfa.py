"""Two-step sign-in: the second step, one's own security page, administrators' resets."""

from django.urls import path

from ..views import mfa as views

urlpatterns = [
    path("login/verify/", views.second_step, name="mfa_verify"),
    path("account/two-step/", views.security, name="mfa_security"),
    path("account/two-step/qr.svg", views.qr_code, name="mfa_qr"),
    path("account/two-step/recovery-codes/", views.recovery_codes, name="mfa_recovery_codes"),
    path("staff/two-step/", views.staff_list, name="mfa_staff"),
    path("staff/two-step/<int:user_id>/reset/", views.staff_reset, name="mfa_reset"),
]
