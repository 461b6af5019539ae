from django.urls import path

from ..views import groups

urlpatterns = [
    path("", groups.group_list, name="group_list"),
    path("new/", groups.group_create, name="group_create"),
    path("<int:group_id>/", groups.group_detail, name="group_detail"),
    path("<int:group_id>/edit/", groups.group_edit, name="group_edit"),
    path("<int:group_id>/roster/", groups.group_roster, name="group_roster"),
    path("<int:group_id>/enroll/", groups.group_enroll, name="group_enroll"),
    path(
        "<int:group_id>/enrollments/<int:enrollment_id>/discharge/",
        groups.enrollment_discharge,
        name="enrollment_discharge",
    ),
    path("<int:group_id>/facilitators/", groups.group_facilitators, name="group_facilitators"),
    path(
        "<int:group_id>/facilitators/remove/",
        groups.group_facilitator_remove,
        name="group_facilitator_remove",
    ),
    path("<int:group_id>/skip/", groups.group_skip_date, name="group_skip_date"),
]
