from django.urls import path

from ..views import family

# No login: the signed token is the key (see services.family_links).
urlpatterns = [
    path("<str:token>/", family.family_song, name="family_song"),
    path("<str:token>/song/", family.family_song_audio, name="family_song_audio"),
    path("<str:token>/words/", family.family_dedication_audio, name="family_dedication_audio"),
]
