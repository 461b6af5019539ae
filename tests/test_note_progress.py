"""The golden thread in the group note: each participant who attended has their active
objectives listed, with progress recorded on each; their own copy carries only theirs."""

import html
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from sessions_app.models import Objective, ObjectiveProgress, PlanItem
from sessions_app.services import notes as note_services
from sessions_app.services import plans as plan_services
from sessions_app.services.errors import ServiceError
from sessions_app.services.notes import NoteDraft
from tests import factories as f
from tests.test_treatment_plans import signed_plan

STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
SOAP = {
    "subjective": "Members said the chorus felt like home.",
    "objective": "All sang the chorus.",
    "assessment": "Cohesion is growing.",
    "plan": "Continue the group song.",
}


@pytest.fixture
def held(group, participant, therapist):
    s = f.SessionFactory(group=group, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    f.AttendanceFactory(session=s, participant=participant, recorded_by=therapist)
    return s


@pytest.fixture
def plan(participant, therapist):
    return signed_plan(participant, therapist)


@pytest.fixture
def classmate(group, therapist, held):
    """Another participant of the group, present, with a plan of their own."""
    p = f.ParticipantFactory(site=group.site, first_name="Kim")
    f.EnrollmentFactory(group=group, participant=p, start_date=STARTS.date() - timedelta(days=30))
    f.AttendanceFactory(session=held, participant=p, recorded_by=therapist)
    signed_plan(
        p,
        therapist,
        goals=(
            plan_services.GoalDraft(
                need="Anger in groups.",
                area_id=Objective.objects.first().goal.area_id,
                statement="Calm through rhythm.",
                objectives=(
                    plan_services.ObjectiveDraft(
                        "keep a steady pulse on the drum", "for 3 minutes", STARTS.date()
                    ),
                ),
            ),
        ),
    )
    return p


def _objectives(participant) -> list[Objective]:
    return list(
        Objective.objects.filter(goal__plan__participant=participant).order_by(
            "goal__position", "position"
        )
    )


def _draft(progress=None, **overrides) -> NoteDraft:
    values = {
        "format": "soap",
        "sections": SOAP,
        "actual_start": time(10, 0),
        "actual_end": time(11, 0),
        "participant_notes": {},
        "progress": progress or {},
    }
    values.update(overrides)
    return NoteDraft(**values)


def test_it_lists_each_attending_participants_objectives_on_the_note(
    client, therapist, held, participant, plan
):
    client.force_login(therapist)
    page = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    for objective in _objectives(participant):
        assert f'name="prog-{objective.pk}-level"' in page


def test_it_records_progress_on_an_objective_from_the_note_form(
    client, therapist, held, participant, plan
):
    objective = _objectives(participant)[0]
    client.force_login(therapist)
    client.post(
        reverse("note_edit", args=[held.pk]),
        {
            "format": "soap",
            **SOAP,
            "actual_start": "10:00",
            "actual_end": "11:00",
            f"prog-{objective.pk}-level": "moderate",
            f"prog-{objective.pk}-obs": "Sang the bridge with Kim.",
            "action": "save",
        },
    )
    row = ObjectiveProgress.objects.get(objective=objective)
    assert (row.level, row.observation, row.participant_id) == (
        "moderate",
        "Sang the bridge with Kim.",
        participant.pk,
    )


def test_it_clears_progress_when_the_level_is_set_back_to_not_recorded(
    therapist, held, participant, plan
):
    objective = _objectives(participant)[0]
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft({objective.pk: ("minimal", "")})
    )
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft({objective.pk: ("", "")})
    )
    assert not ObjectiveProgress.objects.exists()


def test_it_refuses_progress_for_someone_who_did_not_attend(therapist, held, participant, plan):
    objective = _objectives(participant)[0]
    held.attendance.update(status="absent", minutes_attended=None)
    with pytest.raises(ServiceError, match="participants who attended"):
        note_services.note_save_draft(
            session=held, author=therapist, draft=_draft({objective.pk: ("minimal", "")})
        )


def test_it_refuses_an_observation_without_a_level(therapist, held, participant, plan):
    objective = _objectives(participant)[0]
    with pytest.raises(ServiceError, match="choose one"):
        note_services.note_save_draft(
            session=held, author=therapist, draft=_draft({objective.pk: ("", "Smiled.")})
        )


def test_it_requires_progress_before_signing_where_the_site_says_so(
    therapist, held, participant, plan
):
    held.group.site.progress_required_to_sign = True
    held.group.site.save()
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    with pytest.raises(ServiceError) as refused:
        note_services.note_sign(session=held, by=therapist)
    expected = f"Progress on objectives not recorded for: {participant.short_name} (3 of 3)."
    assert expected in refused.value.messages


def test_it_signs_without_progress_where_the_site_does_not_require_it(
    client, therapist, held, participant, plan
):
    note_services.note_save_draft(session=held, author=therapist, draft=_draft())
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("note_sign", args=[held.pk])).content.decode())
    assert "worth recording before you sign" in page
    assert note_services.note_sign(session=held, by=therapist).is_signed


def test_it_signs_once_progress_is_recorded_on_every_objective(therapist, held, participant, plan):
    held.group.site.progress_required_to_sign = True
    held.group.site.save()
    progress = {o.pk: ("moderate", "") for o in _objectives(participant)}
    note_services.note_save_draft(session=held, author=therapist, draft=_draft(progress))
    assert note_services.note_sign(session=held, by=therapist).is_signed


def test_it_keeps_a_signed_notes_progress_after_the_plan_is_revised(
    client, therapist, held, participant, plan
):
    objective = _objectives(participant)[0]
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft({objective.pk: ("significant", "Led.")})
    )
    note_services.note_sign(session=held, by=therapist)
    revision = plan_services.plan_start(participant=participant, by=therapist)
    plan_services.plan_sign(plan=revision, by=therapist)
    client.force_login(therapist)
    page = client.get(reverse("note_edit", args=[held.pk])).content.decode()
    assert "Significant</strong>: Led." in page


def test_it_puts_only_their_own_objectives_on_a_participants_copy(
    client, therapist, held, participant, plan, classmate
):
    mine, theirs = _objectives(participant)[0], _objectives(classmate)[0]
    note_services.note_save_draft(
        session=held,
        author=therapist,
        draft=_draft({mine.pk: ("moderate", ""), theirs.pk: ("minimal", "")}),
    )
    client.force_login(therapist)
    url = reverse("note_print_participant", args=[held.pk, participant.pk])
    page = client.get(url).content.decode()
    assert mine.behaviour in page
    assert theirs.behaviour not in page


def test_it_shows_progress_over_time_on_the_plan(client, therapist, held, participant, plan):
    objective = _objectives(participant)[0]
    note_services.note_save_draft(
        session=held, author=therapist, draft=_draft({objective.pk: ("significant", "")})
    )
    note_services.note_sign(session=held, by=therapist)
    client.force_login(therapist)
    page = client.get(reverse("treatment_record", args=[participant.pk])).content.decode()
    assert "3 Mar · Significant" in page


def test_it_renders_the_note_with_plans_in_a_bounded_number_of_queries(
    client, therapist, held, participant, plan, classmate, django_assert_max_num_queries
):
    client.force_login(therapist)
    url = reverse("note_edit", args=[held.pk])
    client.get(url)
    # The note page's own (see test_notes) plus two: the active objectives of everyone
    # who attended, and the progress the note records.
    with django_assert_max_num_queries(30):
        client.get(url)


def test_it_names_what_in_the_sessions_plan_served_an_objectives_area(
    client, therapist, held, participant, plan
):
    objective = _objectives(participant)[0]
    item = f.PlanItemFactory(
        session=held, position=1, song=f.SongFactory(title="Stand by Me"), minutes=10
    )
    item.goal_areas.add(objective.goal.area)
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("note_edit", args=[held.pk])).content.decode())
    assert "Today's plan for this area: Stand by Me" in page


def test_it_names_the_activity_of_a_songless_plan_item_in_plan_order(
    client, therapist, held, participant, plan
):
    area = _objectives(participant)[0].goal.area
    later = f.PlanItemFactory(session=held, position=2, song=f.SongFactory(title="Lean on Me"))
    sooner = f.PlanItemFactory(
        session=held, position=1, song=None, activity_type=PlanItem.Activity.SONGWRITING
    )
    for item in (later, sooner):
        item.goal_areas.add(area)
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("note_edit", args=[held.pk])).content.decode())
    assert "Today's plan for this area: Songwriting, Lean on Me" in page
