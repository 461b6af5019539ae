from django.urls import path

from ..views import progress_reports as views

REPORT = "<int:participant_id>/reports/<int:report_id>/"

urlpatterns = [
    path(
        "<int:participant_id>/reports/new/", views.progress_report_new, name="progress_report_new"
    ),
    path(REPORT, views.progress_report, name="progress_report"),
    path(f"{REPORT}sign/", views.progress_report_sign, name="progress_report_sign"),
    path(f"{REPORT}print/", views.progress_report_print, name="progress_report_print"),
    path(f"{REPORT}addenda/", views.progress_report_addendum, name="progress_report_addendum"),
    path(f"{REPORT}discard/", views.progress_report_discard, name="progress_report_discard"),
]
