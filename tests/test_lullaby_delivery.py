"""The lullaby's way home: sharing levels, the family's private link, the spoken
dedication, melody ideas from a phone, sharing-session programs, and audio that
answers range requests."""

import html
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import (
    FamilyLinkVisit,
    LullabyProject,
    ProjectConsent,
    Reminder,
    SharingProgram,
    Track,
)
from sessions_app.selectors.lullaby import Audience, sharing_in_force
from sessions_app.selectors.programs import program_songs
from sessions_app.services import family_links, programs
from sessions_app.services import lullaby as services
from sessions_app.services.errors import ServiceError
from sessions_app.views.audio import byte_range
from tests import factories as f

Level = ProjectConsent.Level


def _body(response) -> str:
    return html.unescape(response.content.decode())


def _share(project, level, granted=True, **kw):
    return services.consent_record(
        by=project.therapist, project=project, kind="share", level=level, granted=granted, **kw
    )


def _issue(project, **kw):
    kw.setdefault("recipient_name", "Eli")
    kw.setdefault("recipient_relationship", "son")
    return family_links.family_link_issue(by=project.therapist, project=project, **kw)


def _token(issued) -> str:
    return family_links.family_link_token(issued.link)


# --- Range requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),  # open-ended
        ("bytes=-5", (95, 99)),  # suffix: the last five bytes
        ("bytes=-500", (0, 99)),  # a suffix longer than the file: all of it
        ("bytes=90-500", (90, 99)),  # an end past the file is cut to it
        ("bytes=100-", False),  # starts past the end: 416
        ("bytes=-0", False),
        ("bytes=9-3", None),  # not a valid range: ignored
        ("bytes=0-1,5-9", None),  # several ranges: the whole file
        ("items=0-9", None),
        ("", None),
    ],
)
def test_it_reads_a_range_header(header, expected):
    assert byte_range(header, 100) == expected


@pytest.fixture
def audio_url(project):
    return reverse("lullaby_take_audio", args=[project.pk, project.final_take_id])


@pytest.fixture
def audio_bytes(project) -> bytes:
    with project.final_take.audio.open("rb") as handle:
        return handle.read()


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_sends_the_whole_take_and_says_it_takes_ranges(
    client, therapist, audio_url, audio_bytes
):
    client.force_login(therapist)
    response = client.get(audio_url)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert _content(response) == audio_bytes
    assert "no-store" in response["Cache-Control"]


def test_it_answers_a_byte_range_with_206(client, therapist, audio_url, audio_bytes):
    client.force_login(therapist)
    response = client.get(audio_url, HTTP_RANGE="bytes=4-11")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 4-11/{len(audio_bytes)}"
    assert response["Content-Length"] == "8"
    assert _content(response) == audio_bytes[4:12]
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]


def test_it_answers_an_open_ended_range(client, therapist, audio_url, audio_bytes):
    client.force_login(therapist)
    response = client.get(audio_url, HTTP_RANGE="bytes=100-")
    assert response.status_code == 206
    assert _content(response) == audio_bytes[100:]


def test_it_answers_a_suffix_range(client, therapist, audio_url, audio_bytes):
    client.force_login(therapist)
    response = client.get(audio_url, HTTP_RANGE="bytes=-16")
    size = len(audio_bytes)
    assert response["Content-Range"] == f"bytes {size - 16}-{size - 1}/{size}"
    assert _content(response) == audio_bytes[-16:]


def test_it_answers_416_past_the_end(client, therapist, audio_url, audio_bytes):
    client.force_login(therapist)
    response = client.get(audio_url, HTTP_RANGE=f"bytes={len(audio_bytes)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(audio_bytes)}"


def test_it_refuses_a_range_to_whoever_may_not_hear(client, admin, audio_url):
    # An administrator reads the project but never gets the voice, ranges or not.
    client.force_login(admin)
    assert client.get(audio_url, HTTP_RANGE="bytes=0-9").status_code == 404


# --- Sharing levels --------------------------------------------------------------------


def test_it_keeps_each_level_as_its_own_append_only_history(project):
    _share(project, Level.SESSION_STAGE, stage_name="Lantern")
    _share(project, Level.SESSION_STAGE, granted=False)
    rows = ProjectConsent.objects.filter(project=project, level=Level.SESSION_STAGE)
    assert [r.granted for r in rows.order_by("recorded_at", "pk")] == [True, False]
    # The family's level is untouched by the other's change of mind.
    assert sharing_in_force(project=project, audience=Audience.FAMILY) is not None


def test_a_session_level_with_the_name_shows_the_first_name(project):
    _share(project, Level.SESSION_NAMED)
    sharing = sharing_in_force(project=project, audience=Audience.SESSION)
    assert sharing.name_shown == project.participant.first_name


def test_a_stage_name_level_shows_the_stage_name(project):
    _share(project, Level.SESSION_STAGE, stage_name="Night Owl")
    sharing = sharing_in_force(project=project, audience=Audience.SESSION)
    assert (sharing.level, sharing.name_shown) == (Level.SESSION_STAGE, "Night Owl")


def test_withdrawing_the_named_level_falls_back_to_the_stage_name(project):
    _share(project, Level.SESSION_STAGE, stage_name="Night Owl")
    _share(project, Level.SESSION_NAMED)
    _share(project, Level.SESSION_NAMED, granted=False)
    assert sharing_in_force(project=project, audience=Audience.SESSION).name_shown == "Night Owl"


def test_the_family_level_alone_reaches_no_concert(project):
    assert sharing_in_force(project=project, audience=Audience.SESSION) is None
    assert sharing_in_force(project=project, audience=Audience.PUBLIC) is None


@pytest.mark.parametrize("name", ["Eli's Mum", "Little {first}", "Harbor Lullabies"])
def test_it_refuses_a_stage_name_that_gives_someone_away(project, name):
    name = name.format(first=project.participant.first_name)
    with pytest.raises(ServiceError) as refused:
        _share(project, Level.PUBLIC, stage_name=name)
    assert "must not contain" in str(refused.value.messages)


def test_the_consent_form_records_a_level_with_its_stage_name(client, therapist, project):
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_consent", args=[project.pk]),
        {"kind": "share", "level": "public", "granted": "yes", "stage_name": ""},
    )
    assert "Give the stage name" in _body(response)
    client.post(
        reverse("lullaby_consent", args=[project.pk]),
        {"kind": "share", "level": "public", "granted": "yes", "stage_name": "Night Owl"},
    )
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert "public ✓ as Night Owl" in " ".join(body.split())


# --- The family link -------------------------------------------------------------------


def test_it_issues_an_unguessable_signed_link(project):
    issued = _issue(project)
    token = _token(issued)
    assert issued.url == reverse("family_song", args=[token])
    assert len(issued.link.nonce) >= 20
    assert family_links.family_link_find(token) == issued.link
    assert family_links.family_link_find(token[:-2] + "xx") is None


def test_it_answers_404_to_a_token_that_is_not_ours(client, db):
    assert client.get(reverse("family_song", args=["made-up:token"])).status_code == 404


def test_the_family_opens_the_song_without_an_account(client, project):
    issued = _issue(project, include_lyrics=True)
    response = client.get(issued.url)
    body = _body(response)
    assert response.status_code == 200
    assert "A song for Eli" in body
    assert "Hush now, little bird" in body  # the lyrics, as chosen
    assert reverse("family_song_audio", args=[_token(issued)]) in body


def test_the_family_page_says_nothing_about_where_the_song_was_made(client, project):
    body = _body(client.get(_issue(project).url)).lower()
    for word in ("refrain", "therap", "treatment", "recovery", "harbor", "group", "session"):
        assert word not in body, word
    assert project.participant.last_name.lower() not in body


def test_the_family_page_is_never_kept_indexed_or_referred(client, project):
    response = client.get(_issue(project).url)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "media-src 'self'" in response["Content-Security-Policy"]


def test_opening_marks_the_song_delivered_and_staff_see_when(client, therapist, project):
    issued = _issue(project)
    client.get(issued.url)
    project.refresh_from_db()
    assert project.delivery_method == LullabyProject.DeliveryMethod.LINK
    assert project.stage == LullabyProject.Stage.DELIVERED
    assert list(issued.link.visits.values_list("kind", flat=True)) == ["opened"]
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert "first opened by the family" in body


def test_a_download_is_recorded_once_with_its_time_only(client, project):
    issued = _issue(project)
    url = reverse("family_song_audio", args=[_token(issued)]) + "?download=1"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.get(url, HTTP_RANGE="bytes=100-")  # the rest, by a download manager
    visits = FamilyLinkVisit.objects.filter(link=issued.link)
    assert list(visits.values_list("kind", flat=True)) == ["downloaded"]


def test_the_family_player_can_seek(client, project):
    issued = _issue(project)
    response = client.get(
        reverse("family_song_audio", args=[_token(issued)]), HTTP_RANGE="bytes=10-19"
    )
    assert response.status_code == 206
    assert response["Content-Length"] == "10"


def test_an_expired_link_is_no_longer_available(client, project, settings):
    issued = _issue(project, now=timezone.now() - timedelta(days=settings.FAMILY_LINK_DAYS + 1))
    response = client.get(issued.url)
    assert response.status_code == 410
    assert "no longer available" in _body(response)


def test_a_revoked_link_is_no_longer_available(client, project):
    issued = _issue(project)
    family_links.family_link_revoke(by=project.therapist, link=issued.link)
    assert client.get(issued.url).status_code == 410
    audio = reverse("family_song_audio", args=[_token(issued)])
    assert client.get(audio).status_code == 410


def test_withdrawing_consent_closes_live_links_at_once(client, project):
    issued = _issue(project)
    assert client.get(issued.url).status_code == 200
    _share(project, Level.FAMILY, granted=False)
    response = client.get(issued.url)
    assert response.status_code == 410
    assert "This song is no longer available" in _body(response)


def test_reissuing_revokes_the_old_link(project):
    old = _issue(project)
    new = family_links.family_link_reissue(by=project.therapist, link=old.link)
    old.link.refresh_from_db()
    assert old.link.revoked_at is not None
    assert new.link.revoked_at is None and new.link.recipient_name == "Eli"


def test_only_the_projects_therapist_issues_a_link(project, artist):
    with pytest.raises(ServiceError):
        family_links.family_link_issue(
            by=artist, project=project, recipient_name="Eli", recipient_relationship="son"
        )


def test_the_project_notes_a_download_made_before_the_withdrawal(client, therapist, project):
    issued = _issue(project)
    client.get(reverse("family_song_audio", args=[_token(issued)]) + "?download=1")
    _share(project, Level.FAMILY, granted=False)
    client.force_login(therapist)
    body = " ".join(_body(client.get(reverse("lullaby_project", args=[project.pk]))).split())
    today = timezone.localtime().date()
    assert f"the family downloaded the song on {today:%-d %B %Y}, before the consent" in body


def test_the_link_page_shows_the_url_once_and_sends_it_through_the_outbox(
    client, therapist, project
):
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_family_link_new", args=[project.pk]),
        {
            "recipient_name": "Eli",
            "recipient_relationship": "son",
            "send_by": "email",
            "send_to": "eli@example.org",
        },
    )
    link = project.family_links.get()
    assert response.status_code == 200
    assert family_links.family_link_url(link) in _body(response)
    message = Reminder.objects.get(family_link=link)
    assert (message.kind, message.channel, message.status) == ("family", "email", "pending")
    # The project page lists the link but never its URL again.
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert family_links.family_link_url(link) not in body


def test_the_link_form_says_what_to_fix(client, therapist, project):
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_family_link_new", args=[project.pk]),
        {"recipient_name": "Eli", "recipient_relationship": "son", "send_by": "sms"},
    )
    assert "Type the address or number" in _body(response)
    assert not project.family_links.exists()


def test_revoking_cancels_a_message_not_yet_sent(project):
    issued = _issue(project, send_by="sms", send_to="+1 555 555 0199")
    family_links.family_link_revoke(by=project.therapist, link=issued.link)
    assert issued.link.messages.get().status == Reminder.Status.CANCELLED


def test_the_outbox_sends_the_family_message_with_the_link(project, settings):
    from django.core import mail

    from sessions_app.services.reminders import reminder_send

    settings.SITE_URL = "https://songs.example.org"
    issued = _issue(project, send_by="email", send_to="eli@example.org")
    assert reminder_send(reminder_id=issued.link.messages.get().pk) == "sent"
    sent = mail.outbox[0]
    assert sent.to == ["eli@example.org"]
    assert f"https://songs.example.org{issued.url}" in sent.body


def test_the_outbox_skips_the_message_once_consent_is_withdrawn(project):
    from sessions_app.services.reminders import reminder_send

    issued = _issue(project, send_by="email", send_to="eli@example.org")
    _share(project, Level.FAMILY, granted=False)
    message = issued.link.messages.get()
    assert reminder_send(reminder_id=message.pk) == "skipped"
    message.refresh_from_db()
    assert message.last_error == "The consent to share with the family is not in force."


def test_the_staff_link_page_is_audited_and_the_family_page_is_not(client, therapist, project):
    client.force_login(therapist)
    client.get(reverse("lullaby_family_link_new", args=[project.pk]))
    assert LogEntry.objects.filter(additional_data__about="family link").exists()
    client.logout()
    issued = _issue(project)
    before = LogEntry.objects.count()
    client.get(issued.url)
    client.get(reverse("family_song_audio", args=[_token(issued)]) + "?download=1")
    assert LogEntry.objects.count() == before
    assert issued.link.visits.count() == 2


# --- The spoken dedication and melody ideas ---------------------------------------------


def _wav(name="memo.wav", seconds=0.05):
    return SimpleUploadedFile(name, f.wav_bytes(seconds=seconds), content_type="audio/wav")


def test_the_dedication_goes_to_the_family_when_chosen(client, project, artist):
    services.track_add(by=artist, project=project, kind="dedication", audio=_wav("d.wav"))
    issued = _issue(project, include_dedication=True)
    body = _body(client.get(issued.url))
    assert "A few words for you" in body
    words = client.get(reverse("family_dedication_audio", args=[_token(issued)]))
    assert words.status_code == 200


def test_the_dedication_stays_out_when_not_chosen(client, project, artist):
    services.track_add(by=artist, project=project, kind="dedication", audio=_wav("d.wav"))
    issued = _issue(project)
    assert "A few words for you" not in _body(client.get(issued.url))
    assert client.get(reverse("family_dedication_audio", args=[_token(issued)])).status_code == 404


def test_the_participant_adds_a_melody_idea_from_their_page(
    client, participant, therapist, project
):
    client.force_login(participant.user)
    page = _body(client.get(reverse("lullaby_own_project", args=[project.pk])))
    assert 'accept="audio/*" capture' in page
    response = client.post(
        reverse("lullaby_own_idea_new", args=[project.pk]),
        {"kind": "idea", "audio": _wav(), "notes": "the chorus tune"},
    )
    assert response.status_code == 302
    idea = Track.objects.get(project=project)
    assert (idea.kind, idea.from_participant, idea.notes) == ("idea", True, "the chorus tune")
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert reverse("lullaby_track_audio", args=[project.pk, idea.pk]) in body


def test_a_melody_idea_is_checked_like_a_take(client, participant, project):
    client.force_login(participant.user)
    fake = SimpleUploadedFile("memo.wav", b"%PDF-1.4 not audio", content_type="audio/wav")
    response = client.post(
        reverse("lullaby_own_idea_new", args=[project.pk]), {"kind": "idea", "audio": fake}
    )
    assert "does not contain wav audio" in _body(response)
    assert not Track.objects.exists()


def test_a_melody_idea_is_short(client, participant, project):
    client.force_login(participant.user)
    response = client.post(
        reverse("lullaby_own_idea_new", args=[project.pk]),
        {"kind": "idea", "audio": _wav(seconds=301)},
    )
    assert "a melody idea is up to 5 minutes" in _body(response)


def test_the_participant_plays_their_own_idea_by_ranges(client, participant, project):
    track = f.TrackFactory(project=project)
    track.audio.save("idea.wav", ContentFile(f.wav_bytes()), save=True)
    client.force_login(participant.user)
    url = reverse("lullaby_track_audio", args=[project.pk, track.pk])
    assert client.get(url, HTTP_RANGE="bytes=0-3").status_code == 206


# --- Sharing-session programs ----------------------------------------------------------


@pytest.fixture
def concert(project, therapist, site):
    _share(project, Level.SESSION_STAGE, stage_name="Night Owl")
    return f.SharingProgramFactory(site=site, created_by=therapist)


def test_the_program_lists_a_song_under_its_stage_name(client, therapist, project, concert):
    programs.program_songs_set(by=therapist, program=concert, projects=[project])
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_program", args=[concert.pk])))
    assert project.title in body and "Night Owl" in body
    assert project.participant.first_name not in body
    assert "For Eli" not in body  # no dedication that would say who sings


def test_the_program_never_offers_a_family_only_song(therapist, project, site):
    program = f.SharingProgramFactory(site=site, created_by=therapist)
    with pytest.raises(ServiceError):
        programs.program_songs_set(by=therapist, program=program, projects=[project])


def test_withdrawing_consent_takes_the_song_off_the_program(therapist, project, concert):
    programs.program_songs_set(by=therapist, program=concert, projects=[project])
    _share(project, Level.SESSION_STAGE, granted=False)
    assert program_songs(program=concert) == []


def test_a_named_level_prints_the_first_name_and_dedication(client, therapist, project, concert):
    _share(project, Level.SESSION_NAMED)
    programs.program_songs_set(by=therapist, program=concert, projects=[project])
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_program", args=[concert.pk])))
    assert project.participant.first_name in body
    assert "For Eli, son" in body


def test_the_program_is_picked_and_printed_from_the_pages(client, therapist, project, site):
    _share(project, Level.SESSION_STAGE, stage_name="Night Owl")
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_programs"),
        {"title": "Winter sharing", "event_on": timezone.localdate().isoformat(), "site": site.pk},
    )
    program = SharingProgram.objects.get(title="Winter sharing")
    assert response["Location"] == reverse("lullaby_program_edit", args=[program.pk])
    form = _body(client.get(response["Location"]))
    assert "Night Owl" in form
    client.post(response["Location"], {"projects": [project.pk]})
    printed = _body(client.get(reverse("lullaby_program", args=[program.pk])))
    assert re.search(r"<ol class=\"songs\">.*Night Owl", printed, re.S)
    assert "program_print.css" in printed


# --- The demo ---------------------------------------------------------------------------


def test_the_demo_has_a_song_opened_twice_and_one_for_a_concert_only(db, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    delivered = LullabyProject.objects.get(stage="delivered")
    link = delivered.family_links.get()
    assert link.visits.filter(kind="opened").count() == 2
    assert delivered.delivery_method == LullabyProject.DeliveryMethod.LINK
    concert_only = next(
        p
        for p in LullabyProject.objects.all()
        if sharing_in_force(project=p, audience=Audience.SESSION) is not None
    )
    sharing = sharing_in_force(project=concert_only, audience=Audience.SESSION)
    assert (sharing.level, sharing.name_shown) == (Level.SESSION_STAGE, "Sunflower")
    assert sharing_in_force(project=concert_only, audience=Audience.FAMILY) is None
