from django.urls import path

from ..views import programs

urlpatterns = [
    path("", programs.program_list, name="lullaby_programs"),
    path("<int:program_id>/", programs.program_detail, name="lullaby_program"),
    path("<int:program_id>/songs/", programs.program_edit, name="lullaby_program_edit"),
]
