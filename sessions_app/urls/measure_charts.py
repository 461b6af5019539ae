"""Measures as charts, figures and exports."""

from django.urls import path

from ..views import measure_charts

urlpatterns = [
    path(
        "participants/<int:participant_id>/measures/",
        measure_charts.participant_measures,
        name="participant_measures",
    ),
    path(
        "participants/<int:participant_id>/measures.csv",
        measure_charts.participant_measures_csv,
        name="participant_measures_csv",
    ),
    path(
        "groups/<int:group_id>/outcomes/",
        measure_charts.group_measures_chart,
        name="group_measures_chart",
    ),
    path("reports/outcomes/", measure_charts.report_outcomes, name="report_outcomes"),
]
