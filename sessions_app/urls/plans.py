from django.urls import path

from ..views import plans

urlpatterns = [
    path("<int:participant_id>/treatment/", plans.treatment_record, name="treatment_record"),
    path("<int:participant_id>/assessments/new/", plans.assessment_new, name="assessment_new"),
    path(
        "<int:participant_id>/assessments/<int:assessment_id>/",
        plans.assessment_detail,
        name="assessment",
    ),
    path("<int:participant_id>/plans/start/", plans.plan_start, name="treatment_plan_start"),
    path("<int:participant_id>/plans/<int:plan_id>/", plans.plan_detail, name="treatment_plan"),
    path(
        "<int:participant_id>/plans/<int:plan_id>/discard/",
        plans.plan_discard,
        name="treatment_plan_discard",
    ),
]
