"""Recording answers: validated, scored, tied to what was due, and safety-checked at once."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from sessions_app.models import MeasureRequest, MeasureResponse, Reflection, SafetyAlert
from sessions_app.services.errors import ServiceError
from sessions_app.services.measures import response_record
from tests import factories as f


def _phq9(values):
    return {f"q{n}": v for n, v in enumerate(values, 1)}


@pytest.fixture
def today_session(group):
    start = timezone.now() - timedelta(minutes=10)
    return f.SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))


def test_it_scores_and_keeps_a_questionnaire(participant):
    done = response_record(
        participant=participant, instrument="phq9", answers=_phq9([1] * 8 + [0]), via="link"
    )
    assert done.response.score == 8
    assert done.alerts == []
    assert MeasureResponse.objects.get().answers["q1"] == 1


def test_it_refuses_a_partial_questionnaire_and_keeps_nothing(participant):
    with pytest.raises(ServiceError):
        response_record(participant=participant, instrument="gad7", answers={"q1": 1}, via="link")
    assert not MeasureResponse.objects.exists()


def test_it_raises_a_self_harm_alert_for_item_nine_above_zero(participant):
    done = response_record(
        participant=participant, instrument="phq9", answers=_phq9([0] * 8 + [1]), via="link"
    )
    assert [a.reason for a in done.alerts] == [SafetyAlert.Reason.SELF_HARM]
    assert done.needs_crisis_resources


@pytest.mark.parametrize(("craving", "alerts"), [(7, 0), (8, 1), (10, 1)])
def test_it_raises_a_craving_alert_at_the_sites_threshold(
    participant, today_session, craving, alerts
):
    assert participant.site.craving_alert_threshold == 80
    done = response_record(
        participant=participant,
        instrument="checkin_before",
        answers={"mood": 5, "craving": craving},
        session=today_session,
        via="kiosk",
    )
    assert len(done.alerts) == alerts


def test_it_replaces_a_check_in_answered_again_at_the_door(participant, today_session):
    for mood in (3, 6):
        response_record(
            participant=participant,
            instrument="checkin_before",
            answers={"mood": mood, "craving": 1},
            session=today_session,
            via="kiosk",
        )
    assert MeasureResponse.objects.get().answers["mood"] == 6


def test_it_refuses_a_check_in_from_someone_not_on_the_roster(other_participant, today_session):
    with pytest.raises(ServiceError, match="roster"):
        response_record(
            participant=other_participant,
            instrument="checkin_before",
            answers={"mood": 5, "craving": 1},
            session=today_session,
            via="kiosk",
        )


def test_it_answers_the_oldest_open_request(participant):
    today = timezone.localdate()
    old = MeasureRequest.objects.create(
        participant=participant,
        instrument="ucla3",
        reason="periodic",
        due_on=today - timedelta(days=3),
    )
    later = MeasureRequest.objects.create(
        participant=participant,
        instrument="ucla3",
        reason="periodic",
        due_on=today + timedelta(days=20),
    )
    done = response_record(
        participant=participant,
        instrument="ucla3",
        answers={"q1": 2, "q2": 2, "q3": 1},
        via="own_page",
    )
    old.refresh_from_db()
    later.refresh_from_db()
    assert (done.response.request, old.status, later.status) == (old, "answered", "open")


@pytest.mark.parametrize("vendor_sql", [True, False])
def test_the_migration_turns_reflections_into_check_ins(
    participant, past_session, monkeypatch, vendor_sql
):
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("sessions_app.migrations.0014_checkins_from_reflections")
    Reflection.objects.create(
        participant=participant,
        session=past_session,
        mood_before=3,
        mood_after=7,
        connection=4,
        craving=None,
    )
    with connection.schema_editor() as editor:
        if not vendor_sql:  # the row-by-row path other databases take
            monkeypatch.setattr(editor.connection, "vendor", "sqlite")
        migration.forwards(apps, editor)
        migration.forwards(apps, editor)  # run twice: nothing doubles
    before = MeasureResponse.objects.get(phase="before")
    after = MeasureResponse.objects.get(phase="after")
    assert (before.instrument, before.answers, before.via) == (
        "checkin_before",
        {"mood": 3},
        "reflection",
    )
    assert after.answers == {"mood": 7, "connection": 4}
    assert before.session == after.session == past_session
