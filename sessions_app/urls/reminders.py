from django.urls import path

from ..views import reminders

urlpatterns = [
    path("failures/", reminders.reminder_failures, name="reminder_failures"),
    path("<int:reminder_id>/retry/", reminders.reminder_retry, name="reminder_retry"),
]
