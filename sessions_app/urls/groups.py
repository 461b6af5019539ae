from django.urls import path

from ..views import groups

urlpatterns = [
    path("<int:group_id>/", groups.group_detail, name="group_detail"),
]
