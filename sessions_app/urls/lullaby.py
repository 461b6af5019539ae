from django.urls import path

from ..views import lullaby

urlpatterns = [
    path("", lullaby.project_board_view, name="lullaby_board"),
    path("new/", lullaby.project_new, name="lullaby_project_new"),
    path("<int:project_id>/", lullaby.project_detail, name="lullaby_project"),
    path("<int:project_id>/edit/", lullaby.project_edit, name="lullaby_project_edit"),
    path("<int:project_id>/stage/", lullaby.project_stage, name="lullaby_stage"),
    path("<int:project_id>/consent/", lullaby.project_consent, name="lullaby_consent"),
    path("<int:project_id>/delivery/", lullaby.project_delivery, name="lullaby_delivery"),
    path("<int:project_id>/drafts/new/", lullaby.draft_new, name="lullaby_draft_new"),
    path("<int:project_id>/drafts/compare/", lullaby.draft_compare, name="lullaby_draft_compare"),
    path("<int:project_id>/drafts/<int:draft_id>/", lullaby.draft_detail, name="lullaby_draft"),
    path("<int:project_id>/recordings/new/", lullaby.recording_new, name="lullaby_recording_new"),
    path(
        "<int:project_id>/recordings/<int:recording_id>/",
        lullaby.recording_detail,
        name="lullaby_recording",
    ),
    path(
        "<int:project_id>/recordings/<int:recording_id>/takes/new/",
        lullaby.take_new,
        name="lullaby_take_new",
    ),
    path("<int:project_id>/takes/<int:take_id>/edit/", lullaby.take_edit, name="lullaby_take_edit"),
    path(
        "<int:project_id>/takes/<int:take_id>/final/", lullaby.take_final, name="lullaby_take_final"
    ),
    path(
        "<int:project_id>/takes/<int:take_id>/audio/", lullaby.take_audio, name="lullaby_take_audio"
    ),
    path("<int:project_id>/tracks/new/", lullaby.track_new, name="lullaby_track_new"),
    path(
        "<int:project_id>/tracks/<int:track_id>/audio/",
        lullaby.track_audio,
        name="lullaby_track_audio",
    ),
    path("<int:project_id>/family/new/", lullaby.family_link_new, name="lullaby_family_link_new"),
    path(
        "<int:project_id>/family/<int:link_id>/revoke/",
        lullaby.family_link_revoke,
        name="lullaby_family_link_revoke",
    ),
    path(
        "<int:project_id>/family/<int:link_id>/reissue/",
        lullaby.family_link_reissue,
        name="lullaby_family_link_reissue",
    ),
    path("<int:project_id>/log/", lullaby.recording_log, name="lullaby_log"),
    # The participant's own, read-only page for their project (login or link session).
    path("<int:project_id>/yours/", lullaby.own_project, name="lullaby_own_project"),
    path("<int:project_id>/yours/ideas/", lullaby.own_idea_new, name="lullaby_own_idea_new"),
]
