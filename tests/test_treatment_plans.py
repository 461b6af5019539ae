"""Treatment planning: assessments and plans written, signed and revised by the
participant's therapists; administrators see a plan's status, not its words."""

import html
import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from sessions_app.audit import REDACTED
from sessions_app.models import Assessment, GoalArea, Objective, TreatmentPlan
from sessions_app.services import plans as plan_services
from sessions_app.services.plans import GoalDraft, ObjectiveDraft, PlanDraft
from tests import factories as f

TODAY = timezone.localdate


def area(name: str = "Social connection") -> GoalArea:
    return GoalArea.objects.get_or_create(name=name)[0]


def signed_plan(participant, by, *, review_in: int = 60, goals=None) -> TreatmentPlan:
    """A signed first plan: two goals, three objectives."""
    plan = plan_services.plan_start(participant=participant, by=by)
    today = TODAY()
    goals = goals or (
        GoalDraft(
            need="Isolated since entering treatment.",
            area_id=area().pk,
            statement="Build trusting connections with peers through music.",
            plain_words="Feel more connected to the group.",
            objectives=(
                ObjectiveDraft("sing one verse with a peer", "in 3 of 4 sessions", today),
                ObjectiveDraft("name one feeling a song stirred", "in 2 of 4 sessions", today),
            ),
        ),
        GoalDraft(
            need="Cravings peak in the evening.",
            area_id=area("Coping with craving").pk,
            statement="Use music to ride out cravings.",
            objectives=(
                ObjectiveDraft("build a three-song coping playlist", "and use it twice", today),
            ),
        ),
    )
    plan_services.plan_save(
        plan=plan,
        by=by,
        draft=PlanDraft(
            starts_on=today,
            review_on=today + timedelta(days=review_in),
            methods=("receptive", "compositional"),
            goals=goals,
        ),
    )
    return plan_services.plan_sign(plan=plan, by=by)


def plan_post(plan: TreatmentPlan, **extra) -> dict:
    """The plan form's POST for two goals and three objectives."""
    today = TODAY()
    data = {
        "shape": "2.1",
        "starts_on": today.isoformat(),
        "review_on": (today + timedelta(days=90)).isoformat(),
        "methods": ["receptive", "improvisational"],
        "g0_need": "Withdrawn in groups.",
        "g0_area": str(area().pk),
        "g0_statement": "Take part in group music-making.",
        "g0_plain": "Join in when the group plays.",
        "g0_o0_behaviour": "play a hand drum in the group improvisation",
        "g0_o0_criterion": "for 5 minutes in 3 of 4 sessions",
        "g0_o0_target": (today + timedelta(days=60)).isoformat(),
        "g0_o1_behaviour": "choose a song for the group",
        "g0_o1_criterion": "once a month",
        "g0_o1_target": (today + timedelta(days=60)).isoformat(),
        "g1_need": "Few words for feelings.",
        "g1_area": str(area("Emotional expression").pk),
        "g1_statement": "Express feelings through songwriting.",
        "g1_o0_behaviour": "write one verse about a feeling",
        "g1_o0_criterion": "in 2 of 4 sessions",
        "g1_o0_target": (today + timedelta(days=60)).isoformat(),
        "action": "save",
    }
    data.update(extra)
    return data


# --- Assessment ---------------------------------------------------------------------------


def test_it_writes_and_signs_an_assessment(client, therapist, participant):
    client.force_login(therapist)
    response = client.post(
        reverse("assessment_new", args=[participant.pk]),
        {
            "assessed_on": TODAY().isoformat(),
            "music_background": "Sang in church as a child; loves 90s R&B.",
            "summary": "Music therapy to rebuild connection.",
            "action": "sign",
        },
        follow=True,
    )
    assessment = Assessment.objects.get(participant=participant)
    assert assessment.status == "signed"
    assert "Sang in church as a child" in html.unescape(response.content.decode())


def test_it_keeps_the_draft_and_names_what_is_missing_when_signing_too_early(
    client, therapist, participant
):
    client.force_login(therapist)
    response = client.post(
        reverse("assessment_new", args=[participant.pk]),
        {"assessed_on": TODAY().isoformat(), "social": "Keeps to herself.", "action": "sign"},
    )
    assert Assessment.objects.get(participant=participant).status == "draft"
    assert "Not written yet: Music background and preferences, Summary and recommendations" in (
        html.unescape(response.content.decode())
    )


def test_it_refuses_a_future_assessment_date_and_keeps_the_typing(client, therapist, participant):
    client.force_login(therapist)
    response = client.post(
        reverse("assessment_new", args=[participant.pk]),
        {
            "assessed_on": (TODAY() + timedelta(days=3)).isoformat(),
            "social": "Keeps to herself.",
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert "on or before today" in response.content.decode()
    assert "Keeps to herself." in response.content.decode()
    assert not Assessment.objects.exists()


def test_it_never_changes_a_signed_assessment(client, therapist, participant):
    assessment = plan_services.assessment_save(
        participant=participant,
        by=therapist,
        assessed_on=TODAY(),
        texts={"music_background": "Guitar.", "summary": "Connection."},
    )
    plan_services.assessment_sign(assessment=assessment, by=therapist)
    client.force_login(therapist)
    client.post(
        reverse("assessment", args=[participant.pk, assessment.pk]),
        {"assessed_on": TODAY().isoformat(), "music_background": "Changed.", "action": "save"},
    )
    assessment.refresh_from_db()
    assert assessment.music_background == "Guitar."


# --- Treatment plan -----------------------------------------------------------------------


def test_it_saves_a_plan_with_two_goals_and_three_objectives(client, therapist, participant):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(therapist)
    client.post(reverse("treatment_plan", args=[participant.pk, plan.pk]), plan_post(plan))
    assert list(plan.goals.values_list("statement", flat=True)) == [
        "Take part in group music-making.",
        "Express feelings through songwriting.",
    ]
    assert Objective.objects.filter(goal__plan=plan).count() == 3


def test_it_offers_an_empty_goal_and_objective_to_fill_after_saving(client, therapist, participant):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(therapist)
    client.post(reverse("treatment_plan", args=[participant.pk, plan.pk]), plan_post(plan))
    page = client.get(reverse("treatment_plan", args=[participant.pk, plan.pk])).content.decode()
    # Goal 1: two objectives and an empty one; goal 2: one and an empty one; a new goal.
    assert 'name="shape" value="3.2.2"' in page


def test_it_signs_the_plan_and_makes_it_the_plan_in_force(client, therapist, participant):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(therapist)
    client.post(
        reverse("treatment_plan", args=[participant.pk, plan.pk]), plan_post(plan, action="sign")
    )
    plan.refresh_from_db()
    assert (plan.status, plan.signed_by) == ("signed", therapist)


def test_it_names_an_objective_without_a_measure_and_keeps_what_was_typed(
    client, therapist, participant
):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(therapist)
    response = client.post(
        reverse("treatment_plan", args=[participant.pk, plan.pk]),
        plan_post(plan, g1_o0_criterion=""),
    )
    page = html.unescape(response.content.decode())
    assert "Say how often or how well" in page
    assert "write one verse about a feeling" in page
    assert not plan.goals.exists()


def test_it_refuses_to_sign_a_plan_without_methods(client, therapist, participant):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(therapist)
    response = client.post(
        reverse("treatment_plan", args=[participant.pk, plan.pk]),
        plan_post(plan, methods=[], action="sign"),
    )
    assert "Choose the music-therapy methods" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_it_revises_a_plan_as_a_new_version_carrying_its_objectives(therapist, participant):
    first = signed_plan(participant, therapist)
    revision = plan_services.plan_start(participant=participant, by=therapist)
    carried = Objective.objects.filter(goal__plan=revision).order_by("goal__position", "position")
    originals = Objective.objects.filter(goal__plan=first).order_by("goal__position", "position")
    assert [o.origin_id for o in carried] == [o.pk for o in originals]


def test_it_keeps_the_old_version_readable_once_the_revision_is_signed(
    client, therapist, participant
):
    first = signed_plan(participant, therapist)
    revision = plan_services.plan_start(participant=participant, by=therapist)
    plan_services.plan_sign(plan=revision, by=therapist)
    first.refresh_from_db()
    client.force_login(therapist)
    page = client.get(reverse("treatment_plan", args=[participant.pk, first.pk])).content.decode()
    assert first.superseded_at is not None
    assert "Build trusting connections with peers through music." in page


def test_it_takes_a_met_objective_off_the_notes_at_review(client, therapist, participant):
    first = signed_plan(participant, therapist)
    revision = plan_services.plan_start(participant=participant, by=therapist)
    met = Objective.objects.get(goal__plan=revision, behaviour="sing one verse with a peer")
    goals = list(revision.goals.prefetch_related("objectives"))
    draft = PlanDraft(
        starts_on=revision.starts_on,
        review_on=revision.review_on,
        methods=revision.methods,
        goals=[
            GoalDraft(
                need=g.need,
                area_id=g.area_id,
                statement=g.statement,
                objectives=[
                    ObjectiveDraft(
                        o.behaviour,
                        o.criterion,
                        o.target_on,
                        outcome="met" if o.pk == met.pk else "continued",
                        carried_from=o.pk,
                    )
                    for o in g.objectives.all()
                ],
            )
            for g in goals
        ],
    )
    plan_services.plan_save(plan=revision, by=therapist, draft=draft)
    plan_services.plan_sign(plan=revision, by=therapist)
    from sessions_app.selectors.plans import active_objectives

    active = active_objectives(participant_ids=[participant.pk])[participant.pk]
    assert "sing one verse with a peer" not in [o.behaviour for o in active]
    assert first.pk != revision.pk


def test_it_lets_a_co_therapist_of_the_group_write_the_plan(client, co_therapist, participant):
    client.force_login(co_therapist)
    response = client.post(reverse("treatment_plan_start", args=[participant.pk]))
    plan = TreatmentPlan.objects.get(participant=participant)
    assert response.url == reverse("treatment_plan", args=[participant.pk, plan.pk])


# --- Who sees what ------------------------------------------------------------------------


def test_it_shows_an_administrator_the_review_date_but_not_the_plan(
    client, admin, therapist, participant
):
    plan = signed_plan(participant, therapist, review_in=45)
    client.force_login(admin)
    page = client.get(reverse("treatment_record", args=[participant.pk])).content.decode()
    assert f"{plan.review_on:%-d %b %Y}" in page
    assert "Build trusting connections" not in page


@pytest.mark.parametrize("name", ["treatment_plan", "assessment"])
def test_it_answers_an_administrator_404_on_the_documents(
    client, admin, therapist, participant, name
):
    plan = signed_plan(participant, therapist)
    assessment = plan_services.assessment_save(
        participant=participant, by=therapist, assessed_on=TODAY(), texts={"summary": "x"}
    )
    doc = plan if name == "treatment_plan" else assessment
    client.force_login(admin)
    assert client.get(reverse(name, args=[participant.pk, doc.pk])).status_code == 404


def test_it_records_an_administrators_refused_look_at_a_plan(client, admin, therapist, participant):
    plan = signed_plan(participant, therapist)
    client.force_login(admin)
    client.get(reverse("treatment_plan", args=[participant.pk, plan.pk]))
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=admin,
        object_id=participant.pk,
        additional_data__what="refused",
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "other_admin", "participant"])
@pytest.mark.parametrize("name", ["treatment_record", "treatment_plan", "assessment_new"])
def test_it_answers_404_to_anyone_outside_the_participants_care(
    client, request, therapist, participant, who, name
):
    plan = signed_plan(participant, therapist)
    user = participant.user if who == "participant" else request.getfixturevalue(who)
    client.force_login(user)
    args = [participant.pk, plan.pk] if name == "treatment_plan" else [participant.pk]
    assert client.get(reverse(name, args=args)).status_code == 404


def test_it_answers_404_for_a_plan_of_another_participant_under_this_ones_address(
    client, therapist, participant, outsider, other_participant
):
    theirs = signed_plan(other_participant, outsider)
    client.force_login(therapist)
    url = reverse("treatment_plan", args=[participant.pk, theirs.pk])
    assert client.get(url).status_code == 404


def test_it_refuses_an_outsiders_post_and_changes_nothing(client, outsider, therapist, participant):
    plan = plan_services.plan_start(participant=participant, by=therapist)
    client.force_login(outsider)
    response = client.post(
        reverse("treatment_plan", args=[participant.pk, plan.pk]), plan_post(plan)
    )
    assert response.status_code == 404
    assert not plan.goals.exists()


def test_it_audits_each_look_at_a_plan(client, therapist, participant):
    plan = signed_plan(participant, therapist)
    client.force_login(therapist)
    client.get(reverse("treatment_plan", args=[participant.pk, plan.pk]))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=therapist).latest("pk")
    assert (entry.object_id, entry.additional_data["about"]) == (participant.pk, "treatment plan")


def test_it_keeps_a_goals_words_out_of_the_audit_trail(therapist, participant):
    signed_plan(participant, therapist)
    entry = LogEntry.objects.filter(content_type__model="goal").latest("pk")
    assert entry.changes_dict["statement"][1] == REDACTED


# --- Reviews and reports due, on the therapist's home --------------------------------------


def _due_items(client, kind: str) -> list[str]:
    page = client.get(reverse("home")).content.decode()
    return [chunk for chunk in page.split('data-todo="')[1:] if chunk.startswith(kind)]


def test_it_lists_a_plan_review_due_within_a_week(client, therapist, participant):
    signed_plan(participant, therapist, review_in=5)
    client.force_login(therapist)
    assert len(_due_items(client, "plan-review")) == 1


def test_it_leaves_a_review_a_month_away_off_the_home_page(client, therapist, participant):
    signed_plan(participant, therapist, review_in=30)
    client.force_login(therapist)
    assert _due_items(client, "plan-review") == []


def test_it_marks_an_overdue_review(client, therapist, participant):
    plan = signed_plan(participant, therapist, review_in=5)
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        starts_on=TODAY() - timedelta(days=100), review_on=TODAY() - timedelta(days=2)
    )
    client.force_login(therapist)
    assert "overdue" in _due_items(client, "plan-review")[0]


def test_it_lists_a_progress_report_due_a_month_after_the_plan(client, therapist, participant):
    plan = signed_plan(participant, therapist)
    TreatmentPlan.objects.filter(pk=plan.pk).update(starts_on=TODAY() - timedelta(days=28))
    client.force_login(therapist)
    assert len(_due_items(client, "progress-report")) == 1


def test_it_follows_the_sites_interval_between_progress_reports(client, therapist, participant):
    plan = signed_plan(participant, therapist)
    TreatmentPlan.objects.filter(pk=plan.pk).update(starts_on=TODAY() - timedelta(days=28))
    participant.site.progress_report_every_days = 60
    participant.site.save()
    client.force_login(therapist)
    assert _due_items(client, "progress-report") == []


# --- The participant's own page -----------------------------------------------------------


def test_it_shows_the_participant_their_goals_in_plain_words(client, therapist, participant):
    signed_plan(participant, therapist)
    client.force_login(participant.user)
    page = client.get(reverse("participant_home")).content.decode()
    assert "Feel more connected to the group." in page


def test_it_hides_the_goals_where_the_programme_does_not_show_them(client, therapist, participant):
    signed_plan(participant, therapist)
    participant.site.goals_shown_to_participants = False
    participant.site.save()
    client.force_login(participant.user)
    page = client.get(reverse("participant_home")).content.decode()
    assert "Feel more connected to the group." not in page


def test_it_never_shows_the_participant_the_clinical_wording(client, therapist, participant):
    signed_plan(participant, therapist)
    client.force_login(participant.user)
    page = client.get(reverse("participant_home")).content.decode()
    assert "Build trusting connections" not in page


def test_it_reads_the_record_page_in_a_bounded_number_of_queries(
    client, therapist, participant, django_assert_max_num_queries
):
    plan = signed_plan(participant, therapist)
    for _ in range(3):
        plan_services.assessment_save(
            participant=participant, by=therapist, assessed_on=date(2026, 1, 5), texts={}
        )
    client.force_login(therapist)
    # session, user, 2FA device check, participant (with care and emergency checks),
    # may-read, may-write, three lists, the plan, its goals and objectives, the progress
    # history, the audit entry; with slack for the middleware's own.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("treatment_record", args=[participant.pk]))
    assert f"v{plan.version} in force" in response.content.decode()


def test_it_shows_an_administrator_the_version_in_force_after_a_revision(
    client, admin, therapist, participant
):
    signed_plan(participant, therapist)
    revision = plan_services.plan_start(participant=participant, by=therapist)
    plan_services.plan_sign(plan=revision, by=therapist)
    client.force_login(admin)
    page = client.get(reverse("treatment_record", args=[participant.pk])).content.decode()
    assert "Version 2 · signed, in force" in html.unescape(page)


@pytest.mark.parametrize("versions", [1, 5])
def test_it_reads_a_plan_page_in_the_same_queries_however_many_versions(
    client, therapist, participant, django_assert_max_num_queries, versions
):
    plan = signed_plan(participant, therapist)
    for _ in range(versions - 1):
        plan = plan_services.plan_sign(
            plan=plan_services.plan_start(participant=participant, by=therapist), by=therapist
        )
    client.force_login(therapist)
    url = reverse("treatment_plan", args=[participant.pk, plan.pk])
    client.get(url)
    # Session, user (2), the participant with whether they are in the therapist's care,
    # the plan, the plan with its goals and objectives (3), its progress, the versions,
    # the audit entry; with room for the middleware's own.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Administrators: plans in place and reviewed on time ---------------------------------


def _overdue(plan: TreatmentPlan, days: int = 3) -> None:
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        starts_on=TODAY() - timedelta(days=120), review_on=TODAY() - timedelta(days=days)
    )


def _figures(page: str, site) -> dict[str, int]:
    """The site's row of the plans report: {figure: number}."""
    row = page.split(f'data-site="{site.pk}"', 1)[1].split("</tr>", 1)[0]
    found = re.findall(r'data-figure="(\w+)">(?:<strong[^>]*>)?(\d+)', row)
    return {name: int(n) for name, n in found}


def test_it_counts_an_overdue_review_for_the_sites_administrator(
    client, admin, therapist, participant, site
):
    _overdue(signed_plan(participant, therapist))
    client.force_login(admin)
    page = client.get(reverse("report_plans")).content.decode()
    assert _figures(page, site) == {
        "in_care": 1,
        "with_plan": 1,
        "reviews_overdue": 1,
        "plans_missing": 0,
        "reports_overdue": 1,
    }


def test_it_lists_whose_review_is_overdue_by_name_without_the_plan(
    client, admin, therapist, participant
):
    _overdue(signed_plan(participant, therapist))
    client.force_login(admin)
    page = html.unescape(client.get(reverse("report_plans")).content.decode())
    assert participant.short_name in page
    assert "Build trusting connections" not in page


def test_it_counts_someone_in_care_for_two_weeks_without_a_plan(client, admin, participant, site):
    participant.enrollments.update(start_date=TODAY() - timedelta(days=20))
    client.force_login(admin)
    page = client.get(reverse("report_plans")).content.decode()
    assert _figures(page, site)["plans_missing"] == 1


def test_it_leaves_another_sites_people_out_of_the_report(
    client, other_admin, therapist, participant
):
    _overdue(signed_plan(participant, therapist))
    client.force_login(other_admin)
    page = client.get(reverse("report_plans")).content.decode()
    assert participant.short_name not in page


@pytest.mark.parametrize("who", ["therapist", "participant"])
def test_it_answers_404_to_anyone_but_administrators_on_the_plans_report(
    client, request, participant, who
):
    user = participant.user if who == "participant" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("report_plans")).status_code == 404


def test_it_reads_the_plans_report_in_the_same_queries_however_many_people(
    client, admin, therapist, group, site, django_assert_max_num_queries
):
    for i in range(8):
        person = f.ParticipantFactory(site=site)
        f.EnrollmentFactory(group=group, participant=person)
        _overdue(signed_plan(person, therapist), days=i + 1)
    client.force_login(admin)
    client.get(reverse("report_plans"))
    # Session, user, their sites (3); enrolments, plans, reports, names (4); audit entry.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("report_plans")).status_code == 200


def test_it_asks_for_a_discharge_summary_once_someone_has_left_every_group(
    client, therapist, participant
):
    signed_plan(participant, therapist)
    participant.enrollments.update(status="discharged", end_date=TODAY())
    client.force_login(therapist)
    page = client.get(reverse("treatment_record", args=[participant.pk])).content.decode()
    assert 'id="summary-due"' in page


def test_it_does_not_ask_for_a_discharge_summary_while_someone_is_in_a_group(
    client, therapist, participant
):
    signed_plan(participant, therapist)
    client.force_login(therapist)
    page = client.get(reverse("treatment_record", args=[participant.pk])).content.decode()
    assert 'id="summary-due"' not in page
