from django.urls import path

from ..views import notes

urlpatterns = [
    path("<int:session_id>/note/", notes.note_edit, name="note_edit"),
    path("<int:session_id>/note/sign/", notes.note_sign, name="note_sign"),
    path("<int:session_id>/note/review/", notes.note_review, name="note_review"),
    path("<int:session_id>/note/addenda/", notes.note_addendum, name="note_addendum"),
    path("<int:session_id>/note/print/", notes.note_print, name="note_print"),
    path(
        "<int:session_id>/note/print/<int:participant_id>/",
        notes.note_print_participant,
        name="note_print_participant",
    ),
]
