from django.urls import path

from ..views import music

urlpatterns = [
    path("", music.song_list, name="song_list"),
    path("new/", music.song_new, name="song_new"),
    path("<int:song_id>/", music.song_detail, name="song_detail"),
    path("<int:song_id>/edit/", music.song_edit, name="song_edit"),
]
