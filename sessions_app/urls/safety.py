from django.urls import path

from ..views import safety

urlpatterns = [
    path("", safety.safety_alerts, name="safety_alerts"),
    path("<int:alert_id>/", safety.safety_alert, name="safety_alert"),
]
