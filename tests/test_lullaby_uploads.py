"""Recordings: what an upload must be, where it is kept, and who may hear it.

MEDIA_ROOT is a temporary folder in every test (conftest.py), so nothing lands in the
repository.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from sessions_app.models import Take
from sessions_app.services import lullaby as services
from sessions_app.services.errors import ServiceError
from tests import factories as f
from tests.test_settings import _settings

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
HTML = b"<!doctype html><script>alert(1)</script>"

GOOD = {
    "take.wav": f.wav_bytes(),
    "take.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "frames.mp3": b"\xff\xfb\x90\x64" + b"\x00" * 64,
    "take.flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 64,
    "take.ogg": b"OggS\x00\x02" + b"\x00" * 64,
    "take.m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + b"\x00" * 64,
}


def _upload(name: str, content: bytes, content_type: str = "audio/wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _take_url(project, recording=None) -> str:
    recording = recording or project.recording_sessions.get()
    return reverse("lullaby_take_new", args=[project.pk, recording.pk])


# --- What an upload must be -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD))
def test_it_accepts_audio_files(client, therapist, project, name):
    client.force_login(therapist)
    response = client.post(_take_url(project), {"audio": _upload(name, GOOD[name])})
    assert response.status_code == 302
    take = Take.objects.get(number=2)
    assert take.audio.name.endswith("." + name.rsplit(".", 1)[1])


def test_it_stores_a_take_under_media_root_with_a_random_name(client, therapist, project):
    client.force_login(therapist)
    client.post(_take_url(project), {"audio": _upload("Tess sings for Eli.wav", GOOD["take.wav"])})
    take = Take.objects.get(number=2)
    path = Path(take.audio.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert path.parent.name == "recordings"
    assert "Tess" not in path.name and "Eli" not in path.name
    assert path.read_bytes() == GOOD["take.wav"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("lyrics.pdf", PDF), ("take.exe", b"MZ\x90\x00"), ("take", GOOD["take.wav"])],
)
def test_it_refuses_files_without_an_audio_extension(client, therapist, project, name, content):
    client.force_login(therapist)
    response = client.post(_take_url(project), {"audio": _upload(name, content)})
    assert response.status_code == 200
    assert "Upload an audio file" in response.content.decode()
    assert project.recording_sessions.get().takes.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("take.mp3", PDF),
        ("take.wav", HTML),
        ("take.flac", GOOD["take.wav"]),  # real audio, but not what the name says
        ("take.m4a", b"\x00" * 64),
        ("take.mp3", b"\xff\xf1\x50\x80" + b"\x00" * 16),  # AAC (ADTS), not MPEG audio
    ],
)
def test_it_refuses_files_whose_content_is_not_the_audio_they_claim(
    client, therapist, project, name, content
):
    client.force_login(therapist)
    response = client.post(_take_url(project), {"audio": _upload(name, content)})
    assert response.status_code == 200
    assert "does not contain" in response.content.decode()
    assert project.recording_sessions.get().takes.count() == 1


def test_it_refuses_files_over_the_size_limit(client, therapist, project, settings):
    settings.LULLABY_MAX_UPLOAD_MB = 1
    big = GOOD["take.wav"] + b"\x80" * (1024 * 1024)
    client.force_login(therapist)
    response = client.post(_take_url(project), {"audio": _upload("take.wav", big)})
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert project.recording_sessions.get().takes.count() == 1


def test_it_checks_uploads_in_the_service_too(therapist, project):
    recording = project.recording_sessions.get()
    with pytest.raises(ServiceError, match="does not contain"):
        services.take_add(by=therapist, recording_session=recording, audio=_upload("take.mp3", PDF))
    assert recording.takes.count() == 1


def test_it_reads_the_size_limit_from_the_environment(tmp_path):
    names = ["LULLABY_MAX_UPLOAD_MB"]
    assert _settings(tmp_path, names) == {"LULLABY_MAX_UPLOAD_MB": 50}
    assert _settings(tmp_path, names, LULLABY_MAX_UPLOAD_MB="12") == {"LULLABY_MAX_UPLOAD_MB": 12}


# --- Who may hear it --------------------------------------------------------------------


def test_it_serves_audio_privately_to_the_projects_therapist(client, therapist, project):
    client.force_login(therapist)
    take = project.final_take
    response = client.get(reverse("lullaby_take_audio", args=[project.pk, take.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.wav_bytes()
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="lullaby-take-1.wav"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    download = client.get(
        reverse("lullaby_take_audio", args=[project.pk, take.pk]), {"download": "1"}
    )
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "name",
    ["admin", "other_admin", "co_therapist", "outsider", "other_artist", "other_participant"],
)
def test_it_answers_404_for_audio_to_everyone_else(client, cast, project, name):
    client.force_login(cast[name])
    url = reverse("lullaby_take_audio", args=[project.pk, project.final_take_id])
    assert client.get(url).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in_for_audio(client, project):
    url = reverse("lullaby_take_audio", args=[project.pk, project.final_take_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lets_the_participant_hear_only_the_final_take_while_sharing_is_allowed(
    client, therapist, participant, project
):
    final = project.final_take
    other = f.TakeFactory(recording_session=final.recording_session)
    other.audio.save("other.wav", ContentFile(GOOD["take.wav"]))
    client.force_login(participant.user)
    assert client.get(reverse("lullaby_take_audio", args=[project.pk, final.pk])).status_code == 200
    assert client.get(reverse("lullaby_take_audio", args=[project.pk, other.pk])).status_code == 404
    services.consent_record(by=therapist, project=project, kind="share", granted=False)
    assert client.get(reverse("lullaby_take_audio", args=[project.pk, final.pk])).status_code == 404
    body = client.get(reverse("lullaby_own_project", args=[project.pk])).content.decode()
    assert reverse("lullaby_take_audio", args=[project.pk, final.pk]) not in body
    assert "once you have agreed to share" in body


def test_it_never_serves_recordings_from_a_public_url(client, therapist, project):
    name = project.final_take.audio.name
    assert name.startswith("recordings/")
    audio_url = reverse("lullaby_take_audio", args=[project.pk, project.final_take_id])
    assert not audio_url.startswith("/media/")
    client.force_login(therapist)
    for url in (f"/media/{name}", f"/{name}", f"/static/{name}"):
        assert client.get(url).status_code == 404, url
    with pytest.raises(Resolver404):
        resolve(f"/media/{name}")
