from django.urls import path

from ..views import planning

urlpatterns = [
    path("<int:session_id>/plan/", planning.session_plan, name="session_plan"),
    path("<int:session_id>/plan/add/", planning.plan_item_add, name="plan_item_add"),
    path("<int:session_id>/plan/copy/", planning.plan_copy, name="plan_copy"),
    path("<int:session_id>/plan/order/", planning.plan_reorder, name="plan_reorder"),
    path("<int:session_id>/plan/songs/", planning.plan_song_choices, name="plan_song_choices"),
    path(
        "<int:session_id>/plan/<int:item_id>/edit/",
        planning.plan_item_edit,
        name="plan_item_edit",
    ),
    path(
        "<int:session_id>/plan/<int:item_id>/delete/",
        planning.plan_item_delete,
        name="plan_item_delete",
    ),
    path(
        "<int:session_id>/plan/<int:item_id>/move/",
        planning.plan_item_move,
        name="plan_item_move",
    ),
]
