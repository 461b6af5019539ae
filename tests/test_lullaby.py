"""Lullaby projects: a participant writes and records a song for someone they love.

The fixed cast (conftest.py) plus `project`: `participant`'s project with `therapist`
and the teaching artist `artist`, with consent to record and to share, a draft and a
recording session whose one take (with audio) is the final take.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sessions_app import links
from sessions_app.forms.lullaby import DurationField
from sessions_app.models import (
    LullabyProject,
    LyricDraft,
    RecordingSession,
    StageChange,
    Take,
    User,
)
from sessions_app.selectors.lullaby import drafts_compare
from sessions_app.services import lullaby as services
from sessions_app.services.errors import ServiceError
from tests import factories as f

# Yesterday in UTC is a past date at every site, whatever the hour.
TODAY = timezone.now().date() - timedelta(days=1)


def _wav(name: str = "take.wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f.wav_bytes(), content_type="audio/wav")


def _body(response) -> str:
    return response.content.decode()


@pytest.fixture
def bare_project(participant, therapist, artist):
    """`participant`'s project with nothing in it yet: no consent, drafts or recordings."""
    return f.LullabyProjectFactory(participant=participant, therapist=therapist, artists=[artist])


@pytest.fixture
def other_project(other_participant, outsider, other_artist):
    return f.LullabyProjectFactory(
        participant=other_participant, therapist=outsider, artists=[other_artist]
    )


# --- The whole story, as the therapist -------------------------------------------------


def test_it_takes_a_song_from_first_idea_to_delivery(client, therapist, participant, artist):
    client.force_login(therapist)

    # Start a project for a participant in one of the therapist's groups.
    response = client.post(
        reverse("lullaby_project_new"),
        {
            "participant": participant.pk,
            "recipient_name": "Eli",
            "recipient_relationship": "son",
            "title": "Little Lantern",
            "teaching_artists": [artist.pk],
        },
    )
    project = LullabyProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("lullaby_project", args=[project.pk])
    assert project.therapist == therapist
    assert list(project.teaching_artists.all()) == [artist]
    assert project.stage == LullabyProject.Stage.GETTING_STARTED

    # Consent to be recorded.
    client.post(
        reverse("lullaby_consent", args=[project.pk]),
        {"kind": "record", "granted": "yes", "note": "Form signed"},
    )

    # Three drafts, compared.
    for text in (
        "Little lantern close your eyes",
        "Little lantern close your eyes\nthe moon keeps watch tonight",
        "Little lantern shut your eyes\nthe moon keeps watch for me",
    ):
        client.post(reverse("lullaby_draft_new", args=[project.pk]), {"text": text, "notes": ""})
    assert list(project.drafts.values_list("number", flat=True)) == [1, 2, 3]
    compare = _body(
        client.get(reverse("lullaby_draft_compare", args=[project.pk]), {"a": 2, "b": 3})
    )
    assert "<del>close</del>" in compare
    assert "<ins>shut</ins>" in compare
    assert "<del>tonight</del>" in compare
    assert "<ins>for me</ins>" in compare

    # A recording session with two takes, one with audio; the second becomes final.
    response = client.post(
        reverse("lullaby_recording_new", args=[project.pk]),
        {"recorded_on": TODAY.isoformat(), "place": "Studio B", "engineer": "Jamie"},
    )
    recording = RecordingSession.objects.get()
    assert response.status_code == 302
    url = reverse("lullaby_take_new", args=[project.pk, recording.pk])
    client.post(url, {"duration": "3:05", "rating": "3", "notes": "Nervous start"})
    client.post(url, {"duration": "2:58", "rating": "5", "notes": "The one", "audio": _wav()})
    first, second = recording.takes.order_by("number")
    assert (first.number, first.duration_seconds, second.number) == (1, 185, 2)
    assert second.audio
    client.post(reverse("lullaby_take_final", args=[project.pk, second.pk]))
    project.refresh_from_db()
    assert project.final_take == second
    assert project.stage == LullabyProject.Stage.RECORDING

    # The printable recording log.
    log = _body(client.get(reverse("lullaby_log", args=[project.pk])))
    assert "the moon keeps watch for me" in log  # the latest draft
    assert "Nervous start" in log and "The one" in log
    assert "★ Final take." in log
    assert "Studio B" in log
    assert "Not delivered yet" in log

    # Consent to share, then the delivery.
    client.post(
        reverse("lullaby_consent", args=[project.pk]),
        {"kind": "share", "granted": "yes", "share_with": "her son Eli"},
    )
    response = client.post(
        reverse("lullaby_delivery", args=[project.pk]),
        {"delivered_on": TODAY.isoformat(), "method": "cd", "delivered_to": "Eli, at a visit"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == LullabyProject.Stage.DELIVERED
    assert (project.delivered_on, project.delivery_method) == (TODAY, "cd")
    stages = list(project.stage_changes.order_by("changed_at").values_list("stage", flat=True))
    assert stages == ["getting_started", "recording", "delivered"]
    log = _body(client.get(reverse("lullaby_log", args=[project.pk])))
    assert "Eli, at a visit" in log
    assert "Given, with her son Eli" in log


# --- Consent ----------------------------------------------------------------------------


def test_it_refuses_a_recording_session_without_consent_to_record(client, therapist, bare_project):
    with pytest.raises(ServiceError, match="no consent to record"):
        services.recording_session_add(by=therapist, project=bare_project, recorded_on=TODAY)
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_recording_new", args=[bare_project.pk]), {"recorded_on": TODAY}
    )
    assert response.status_code == 200
    assert "no consent to record" in _body(response)
    assert not RecordingSession.objects.exists()


def test_it_refuses_recording_once_consent_is_withdrawn(therapist, project):
    services.consent_record(by=therapist, project=project, kind="record", granted=False)
    with pytest.raises(ServiceError, match="withdrawn"):
        services.recording_session_add(by=therapist, project=project, recorded_on=TODAY)
    with pytest.raises(ServiceError, match="withdrawn"):
        services.take_add(by=therapist, recording_session=project.recording_sessions.get())
    # Given again: the latest row counts.
    services.consent_record(by=therapist, project=project, kind="record", granted=True)
    services.recording_session_add(by=therapist, project=project, recorded_on=TODAY)
    assert project.recording_sessions.count() == 2


def test_it_refuses_a_take_without_consent_to_record(therapist, bare_project):
    recording = f.RecordingSessionFactory(project=bare_project)
    with pytest.raises(ServiceError, match="no consent to record"):
        services.take_add(by=therapist, recording_session=recording, audio=_wav())
    assert not Take.objects.exists()


def test_it_refuses_delivery_without_consent_to_share(client, therapist, project):
    services.consent_record(by=therapist, project=project, kind="share", granted=False)
    with pytest.raises(ServiceError, match="withdrawn"):
        services.delivery_record(
            by=therapist, project=project, delivered_on=TODAY, method="file", delivered_to="Eli"
        )
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_delivery", args=[project.pk]),
        {"delivered_on": TODAY.isoformat(), "method": "file", "delivered_to": "Eli"},
    )
    assert response.status_code == 200
    assert "cannot be delivered yet" in _body(response)
    project.refresh_from_db()
    assert project.delivered_on is None
    assert project.stage == LullabyProject.Stage.RECORDING


def test_it_refuses_delivery_when_consent_to_share_was_never_given(therapist, bare_project):
    f.ProjectConsentFactory(project=bare_project, kind="record")
    take = f.TakeFactory(recording_session=f.RecordingSessionFactory(project=bare_project))
    services.take_choose_final(by=therapist, project=bare_project, take=take)
    with pytest.raises(ServiceError, match="no consent to share"):
        services.delivery_record(
            by=therapist, project=bare_project, delivered_on=TODAY, method="cd", delivered_to="E"
        )


def test_it_refuses_to_mark_delivered_or_shared_without_a_delivery(therapist, project):
    for stage in ("delivered", "shared"):
        with pytest.raises(ServiceError, match="delivery"):
            services.project_stage_set(by=therapist, project=project, stage=stage)


def test_it_refuses_delivery_without_a_final_take(therapist, project):
    project.final_take = None
    project.save()
    with pytest.raises(ServiceError, match="final take"):
        services.delivery_record(
            by=therapist, project=project, delivered_on=TODAY, method="cd", delivered_to="Eli"
        )


def test_it_keeps_every_consent_change_with_its_date(client, therapist, bare_project):
    client.force_login(therapist)
    url = reverse("lullaby_consent", args=[bare_project.pk])
    client.post(url, {"kind": "share", "granted": "yes", "share_with": "her son Eli"})
    client.post(url, {"kind": "share", "granted": "no", "note": "Wants to wait"})
    client.post(url, {"kind": "share", "granted": "yes", "share_with": "Eli and his gran"})
    rows = list(bare_project.consents.order_by("recorded_at", "pk"))
    assert [(r.granted, r.share_with) for r in rows] == [
        (True, "her son Eli"),
        (False, ""),
        (True, "Eli and his gran"),
    ]
    body = _body(client.get(url))
    assert "Wants to wait" in body and "her son Eli" in body and "Eli and his gran" in body
    assert body.count(f"{timezone.now():%Y}") >= 3  # each change with its date


def test_it_asks_with_whom_the_recording_may_be_shared(client, therapist, bare_project):
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_consent", args=[bare_project.pk]), {"kind": "share", "granted": "yes"}
    )
    assert response.status_code == 200
    assert "Say with whom" in _body(response)
    assert not bare_project.consents.exists()


# --- Drafts -----------------------------------------------------------------------------


def test_it_numbers_drafts_and_refuses_an_unchanged_one(therapist, bare_project):
    one = services.draft_add(by=therapist, project=bare_project, text="Hush now")
    two = services.draft_add(by=therapist, project=bare_project, text="Hush now, my love")
    assert (one.number, two.number) == (1, 2)
    with pytest.raises(ServiceError, match="same as draft 2"):
        services.draft_add(by=therapist, project=bare_project, text="Hush now, my love\n")
    assert LyricDraft.objects.get(pk=one.pk).text == "Hush now"


def test_it_marks_word_changes_and_keeps_the_lines(therapist, bare_project):
    old = services.draft_add(
        by=therapist, project=bare_project, text="hold on to me\nthe river is wide"
    )
    new = services.draft_add(
        by=therapist, project=bare_project, text="hold on to me\nthe water is wide\nand slow"
    )
    diff = drafts_compare(old=old, new=new)
    assert ("removed", "river") in [(s.kind, s.text) for s in diff.left]
    assert ("added", "water") in [(s.kind, s.text) for s in diff.right]
    assert "".join(s.text for s in diff.left) == old.text
    assert "".join(s.text for s in diff.right) == new.text
    assert (diff.words_removed, diff.words_added) == (1, 3)


def test_it_compares_any_two_drafts_side_by_side(client, therapist, bare_project):
    for text in ("one two", "one three", "four three"):
        services.draft_add(by=therapist, project=bare_project, text=text)
    client.force_login(therapist)
    url = reverse("lullaby_draft_compare", args=[bare_project.pk])
    body = _body(client.get(url, {"a": 1, "b": 3}))
    assert "<del>one two</del>" in body
    assert "<ins>four three</ins>" in body
    # Struck through and underlined, with words for screen readers: not colour alone.
    assert "struck through" in body and "underlined" in body
    default = _body(client.get(url))  # the latest two
    assert "<del>one</del>" in default and "<ins>four</ins>" in default


# --- Recordings and the final take -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("3:25", 205), ("0:07", 7), ("12:00", 720), ("1:02:03", 3723)]
)
def test_it_reads_durations_as_minutes_and_seconds(text, seconds):
    assert DurationField().clean(text) == seconds


@pytest.mark.parametrize("text", ["3.25", "3:75", "325", "three minutes", "1:75:00"])
def test_it_refuses_durations_it_cannot_read(text):
    with pytest.raises(Exception, match="minutes"):
        DurationField().clean(text)


def test_it_chooses_only_a_take_of_this_project_as_final(client, therapist, project, other_project):
    stranger = f.TakeFactory(recording_session=f.RecordingSessionFactory(project=other_project))
    with pytest.raises(ServiceError, match="another project"):
        services.take_choose_final(by=therapist, project=project, take=stranger)
    client.force_login(therapist)
    response = client.post(reverse("lullaby_take_final", args=[project.pk, stranger.pk]))
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.final_take != stranger


def test_it_numbers_takes_and_moves_the_project_to_recording(therapist, bare_project):
    f.ProjectConsentFactory(project=bare_project, kind="record")
    recording = services.recording_session_add(
        by=therapist, project=bare_project, recorded_on=TODAY
    )
    takes = [
        services.take_add(by=therapist, recording_session=recording, duration_seconds=100 + n)
        for n in range(3)
    ]
    assert [t.number for t in takes] == [1, 2, 3]
    bare_project.refresh_from_db()
    assert bare_project.stage == LullabyProject.Stage.RECORDING


def test_it_refuses_a_recording_session_in_the_future(therapist, project):
    with pytest.raises(ServiceError, match="once it has happened"):
        services.recording_session_add(
            by=therapist, project=project, recorded_on=TODAY + timedelta(days=3)
        )


# --- The board and the project page ----------------------------------------------------


def test_it_shows_the_therapists_projects_by_stage(client, therapist, project, other_project):
    lyrics = f.LullabyProjectFactory(
        therapist=therapist, participant=project.participant, title="Sunflower", stage="lyrics"
    )
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_board")))
    assert body.index("Lyrics") < body.index("Sunflower") < body.index("Recording")
    assert body.index("Recording") < body.index(project.title)
    assert reverse("lullaby_project", args=[lyrics.pk]) in body
    assert reverse("lullaby_project", args=[other_project.pk]) not in body


def test_it_shows_stage_changes_as_a_timeline(client, therapist, bare_project):
    services.project_stage_set(by=therapist, project=bare_project, stage="letter")
    services.project_stage_set(by=therapist, project=bare_project, stage="lyrics")
    StageChange.objects.filter(project=bare_project, stage="letter").update(
        changed_at=timezone.now() - timedelta(days=40)
    )
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_project", args=[bare_project.pk])))
    local = (timezone.now() - timedelta(days=40)).astimezone(bare_project.participant.site.tz)
    assert f"reached {local:%-d %b %Y}" in body
    assert "now, since" in body
    assert "not reached" in body


def test_it_starts_projects_only_for_participants_the_therapist_may_see(
    client, therapist, other_participant
):
    client.force_login(therapist)
    response = client.post(
        reverse("lullaby_project_new"),
        {
            "participant": other_participant.pk,
            "recipient_name": "Ann",
            "recipient_relationship": "x",
        },
    )
    assert response.status_code == 200
    assert not LullabyProject.objects.exists()
    with pytest.raises(ServiceError, match="one of your groups"):
        services.project_start(
            by=therapist,
            participant=other_participant,
            recipient_name="Ann",
            recipient_relationship="niece",
        )


def test_it_lets_only_therapists_start_projects(client, admin, artist):
    for user in (admin, artist):
        client.force_login(user)
        assert client.get(reverse("lullaby_project_new")).status_code == 404


def test_it_hides_the_project_from_the_co_therapist_and_outsiders(client, cast, project):
    for name in ("co_therapist", "outsider", "other_admin", "other_artist", "other_participant"):
        client.force_login(cast[name])
        for url in (
            reverse("lullaby_project", args=[project.pk]),
            reverse("lullaby_log", args=[project.pk]),
            reverse("lullaby_draft_compare", args=[project.pk]),
        ):
            assert client.get(url).status_code == 404, (name, url)
        assert project.title not in _body(client.get(reverse("lullaby_board"), follow=True))


def test_it_shows_an_administrator_the_project_read_only(client, admin, project):
    client.force_login(admin)
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert project.title in body
    assert reverse("lullaby_draft_new", args=[project.pk]) not in body
    assert reverse("lullaby_take_audio", args=[project.pk, project.final_take_id]) not in body
    assert (
        client.post(reverse("lullaby_draft_new", args=[project.pk]), {"text": "x"}).status_code
        == 404
    )
    assert client.get(reverse("lullaby_log", args=[project.pk])).status_code == 200


# --- The participant --------------------------------------------------------------------


def test_it_shows_a_participant_their_own_project_and_log(client, participant, project):
    client.force_login(participant.user)
    body = _body(client.get(reverse("lullaby_own_project", args=[project.pk])))
    assert project.title in body
    assert "Hush now, little bird" in body
    assert reverse("lullaby_take_audio", args=[project.pk, project.final_take_id]) in body
    # Read-only but for one thing: a melody idea from their phone.
    forms = re.findall(r"<form[^>]*>", body.split("</nav>", 1)[1])
    assert forms == [
        '<form method="post" action="'
        + reverse("lullaby_own_idea_new", args=[project.pk])
        + '" enctype="multipart/form-data" novalidate class="card card-body">'
    ]
    log = client.get(reverse("lullaby_log", args=[project.pk]))
    assert log.status_code == 200
    assert participant.full_name in _body(log)


def test_it_refuses_a_participants_posts(client, participant, project):
    client.force_login(participant.user)
    take = project.final_take
    for name, args, data in (
        ("lullaby_draft_new", [project.pk], {"text": "mine now"}),
        ("lullaby_consent", [project.pk], {"kind": "share", "granted": "no"}),
        ("lullaby_delivery", [project.pk], {"delivered_on": TODAY, "method": "cd"}),
        ("lullaby_take_final", [project.pk, take.pk], {}),
        ("lullaby_stage", [project.pk], {"stage": "lyrics"}),
        ("lullaby_project", [project.pk], {}),
    ):
        assert client.post(reverse(name, args=args), data).status_code == 404, name
    for name in ("lullaby_own_project", "lullaby_log"):
        assert client.post(reverse(name, args=[project.pk])).status_code == 405, name
    assert project.drafts.count() == 1
    assert project.consents.count() == 2


def test_it_answers_404_to_another_participant(client, other_participant, project):
    client.force_login(other_participant.user)
    for name in ("lullaby_own_project", "lullaby_log"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 404
    url = reverse("lullaby_take_audio", args=[project.pk, project.final_take_id])
    assert client.get(url).status_code == 404


def test_it_shows_the_project_to_a_participant_with_a_link_session(client, participant, project):
    session = client.session
    session[links.SESSION_KEY] = {"p": participant.pk, "v": participant.link_version}
    session.save()
    assert client.get(reverse("lullaby_own_project", args=[project.pk])).status_code == 200
    assert client.get(reverse("lullaby_log", args=[project.pk])).status_code == 200
    # Revoking the participant's links ends it.
    links.links_revoke(participant=participant)
    response = client.get(reverse("lullaby_own_project", args=[project.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_keeps_staff_off_the_participants_own_page(client, therapist, project):
    client.force_login(therapist)
    assert client.get(reverse("lullaby_own_project", args=[project.pk])).status_code == 404


# --- Teaching artists -------------------------------------------------------------------


def test_it_lets_the_artist_on_the_project_write_drafts_recordings_and_takes(
    client, artist, project
):
    client.force_login(artist)
    client.post(reverse("lullaby_draft_new", args=[project.pk]), {"text": "A new verse"})
    assert project.drafts.count() == 2
    client.post(
        reverse("lullaby_recording_new", args=[project.pk]),
        {"recorded_on": TODAY.isoformat(), "place": "Studio A"},
    )
    recording = project.recording_sessions.get(place="Studio A")
    client.post(
        reverse("lullaby_take_new", args=[project.pk, recording.pk]),
        {"duration": "2:00", "rating": "4", "audio": _wav()},
    )
    take = recording.takes.get()
    client.post(
        reverse("lullaby_take_edit", args=[project.pk, take.pk]),
        {"duration": "2:01", "rating": "5", "notes": "Better on a second listen"},
    )
    take.refresh_from_db()
    assert (take.duration_seconds, take.rating) == (121, 5)
    client.post(reverse("lullaby_take_final", args=[project.pk, take.pk]))
    project.refresh_from_db()
    assert project.final_take == take
    audio = client.get(reverse("lullaby_take_audio", args=[project.pk, take.pk]))
    assert audio.status_code == 200


def test_it_keeps_consent_delivery_and_stages_from_the_artist(client, artist, project):
    client.force_login(artist)
    for name, data in (
        ("lullaby_consent", {"kind": "share", "granted": "no"}),
        ("lullaby_delivery", {"delivered_on": TODAY, "method": "cd", "delivered_to": "Eli"}),
        ("lullaby_stage", {"stage": "lyrics"}),
        ("lullaby_project_edit", {"recipient_name": "X", "recipient_relationship": "y"}),
    ):
        url = reverse(name, args=[project.pk])
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, data).status_code == 404, name
    with pytest.raises(ServiceError, match="Only the project's therapist"):
        services.consent_record(by=artist, project=project, kind="share", granted=False)
    with pytest.raises(ServiceError, match="Only the project's therapist"):
        services.delivery_record(
            by=artist, project=project, delivered_on=TODAY, method="cd", delivered_to="Eli"
        )
    project.refresh_from_db()
    assert project.consents.count() == 2 and project.delivered_on is None
    body = _body(client.get(reverse("lullaby_project", args=[project.pk])))
    assert reverse("lullaby_consent", args=[project.pk]) not in body


def test_it_answers_404_to_an_artist_not_on_the_project(client, other_artist, project):
    client.force_login(other_artist)
    take = project.final_take
    for url in (
        reverse("lullaby_project", args=[project.pk]),
        reverse("lullaby_draft_new", args=[project.pk]),
        reverse("lullaby_draft", args=[project.pk, project.drafts.get().pk]),
        reverse("lullaby_recording", args=[project.pk, take.recording_session_id]),
        reverse("lullaby_take_audio", args=[project.pk, take.pk]),
        reverse("lullaby_log", args=[project.pk]),
    ):
        assert client.get(url).status_code == 404, url
    with pytest.raises(ServiceError):
        services.draft_add(by=other_artist, project=project, text="Not mine to write")


def test_it_shows_an_artist_their_projects_on_the_home_page(client, artist, project, other_project):
    client.force_login(artist)
    body = _body(client.get(reverse("home")))
    assert "Lullaby projects" in body
    assert reverse("lullaby_project", args=[project.pk]) in body
    assert reverse("lullaby_project", args=[other_project.pk]) not in body


@pytest.mark.parametrize(
    "name", ["group_list", "group_create", "song_list", "song_new", "lullaby_project_new"]
)
def test_it_keeps_artists_off_the_clinical_pages(client, artist, project, name):
    client.force_login(artist)
    assert client.get(reverse(name)).status_code == 404


# --- Bounded queries --------------------------------------------------------------------


def _busy_project(therapist, participant, artist, size: int) -> LullabyProject:
    project = f.LullabyProjectFactory(
        therapist=therapist, participant=participant, artists=[artist], stage="recording"
    )
    f.ProjectConsentFactory(project=project, kind="record")
    f.ProjectConsentFactory(project=project, kind="share")
    for n in range(size):
        f.LyricDraftFactory(project=project, text=f"verse {n}\nline {n}")
        recording = f.RecordingSessionFactory(project=project)
        f.TakeFactory(recording_session=recording)
        f.TakeFactory(recording_session=recording)
    project.final_take = Take.objects.filter(recording_session__project=project).first()
    project.save()
    return project


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_board_in_bounded_queries(
    client, therapist, participant, artist, django_assert_max_num_queries, size
):
    for n in range(size):
        p = f.LullabyProjectFactory(
            therapist=therapist, participant=participant, artists=[artist], stage="lyrics"
        )
        f.ProjectConsentFactory(project=p, kind="record")
        services.project_stage_set(by=therapist, project=p, stage=("letter", "melody")[n % 2])
    client.force_login(therapist)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("lullaby_board")).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("viewer", ["therapist", "artist"])
def test_it_renders_the_project_page_in_bounded_queries(
    client, cast, participant, django_assert_max_num_queries, size, viewer
):
    project = _busy_project(cast["therapist"], participant, cast["artist"], size)
    client.force_login(cast[viewer])
    # 10; 4 for the delivery (tracks, family links, their visits, their messages); and
    # one to spare for an access audit entry should the page be audited.
    with django_assert_max_num_queries(15):
        assert client.get(reverse("lullaby_project", args=[project.pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_recording_log_in_bounded_queries(
    client, therapist, participant, artist, django_assert_max_num_queries, size
):
    project = _busy_project(therapist, participant, artist, size)
    client.force_login(therapist)
    # 9, and one to spare for an access audit entry should the log be audited.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("lullaby_log", args=[project.pk]))
    assert response.status_code == 200
    assert _body(response).count("<h3>") == size


# --- The demo data ----------------------------------------------------------------------


def test_it_seeds_projects_at_several_stages_and_the_artist_login(db, settings, client):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    stages = set(LullabyProject.objects.values_list("stage", flat=True))
    assert {"lyrics", "recording", "delivered"} <= stages
    recording = LullabyProject.objects.get(stage="recording")
    assert recording.participant.user.username == "participant"
    assert recording.final_take.audio
    delivered = LullabyProject.objects.get(stage="delivered")
    assert delivered.delivered_on >= delivered.final_take.recording_session.recorded_on
    artist = User.objects.get(username="artist")
    assert artist.is_teaching_artist and artist.check_password("refrain-demo")
    client.force_login(artist)
    body = _body(client.get(reverse("home")))
    assert reverse("lullaby_project", args=[recording.pk]) in body
    assert reverse("lullaby_project", args=[delivered.pk]) not in body


def test_it_offers_a_card_of_the_participants_own_projects(participant, project, other_project):
    from django.template import Context, Template

    html = Template("{% load lullaby %}{% participant_lullaby_card participant %}").render(
        Context({"participant": participant})
    )
    assert reverse("lullaby_own_project", args=[project.pk]) in html
    assert reverse("lullaby_own_project", args=[other_project.pk]) not in html


# --- The board's layout -----------------------------------------------------------------


def _projects_at(therapist, participant, stages: list[str]) -> list[LullabyProject]:
    return [
        f.LullabyProjectFactory(therapist=therapist, participant=participant, stage=stage)
        for stage in stages
    ]


def test_it_gives_columns_only_to_stages_with_projects(client, therapist, participant):
    _projects_at(therapist, participant, ["lyrics", "lyrics", "melody", "recording"])
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_board")))
    assert body.count('class="board-column"') == 3


def test_it_names_empty_stages_with_their_count(client, therapist, participant):
    _projects_at(therapist, participant, ["lyrics", "lyrics", "melody", "recording"])
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_board")))
    assert "5 empty stages not shown as columns." in body


def test_it_links_each_stage_count_to_its_column(client, therapist, participant):
    _projects_at(therapist, participant, ["lyrics", "lyrics", "melody", "recording"])
    client.force_login(therapist)
    body = _body(client.get(reverse("lullaby_board")))
    assert '<a href="#stage-lyrics">Lyrics</a>' in body


def test_it_shows_an_artist_with_one_project_a_list_without_columns(client, artist, bare_project):
    client.force_login(artist)
    body = _body(client.get(reverse("lullaby_board")))
    assert "board-column" not in body


def test_it_says_the_stage_of_each_project_in_the_list(client, artist, bare_project):
    services.project_stage_set(by=bare_project.therapist, project=bare_project, stage="melody")
    client.force_login(artist)
    body = _body(client.get(reverse("lullaby_board")))
    assert body.index('<div class="stage">Melody</div>') < body.index(bare_project.title)


def test_it_says_when_there_are_no_projects(client, artist):
    client.force_login(artist)
    assert "No lullaby projects yet." in _body(client.get(reverse("lullaby_board")))
