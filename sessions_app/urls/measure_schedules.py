from django.urls import path

from ..views import measure_schedules

urlpatterns = [
    path("<int:group_id>/measures/", measure_schedules.group_measures, name="group_measures"),
    path(
        "<int:group_id>/measures/<int:schedule_id>/remove/",
        measure_schedules.group_measure_remove,
        name="group_measure_remove",
    ),
]
