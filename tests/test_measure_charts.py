"""Charts, figures, outcomes and exports of measures: the numbers against a plain Python
computation of the same figures, small cells suppressed, administrators never shown one
person's answers, outsiders 404, audit entries, formula-safe CSV and bounded queries."""

import html
from datetime import date, timedelta
from statistics import mean

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from sessions_app import instruments
from sessions_app.models import MeasureResponse
from sessions_app.selectors import measures as sel
from sessions_app.selectors.reports import Period
from tests import factories as f


def _answer(participant, instrument, score_or_answers, *, at, session=None, phase=""):
    """A stored response, as `response_record` leaves it (without alerts)."""
    inst = instruments.get(instrument)
    if isinstance(score_or_answers, dict):
        answers = score_or_answers
    else:
        answers = _answers_for(inst, score_or_answers)
    return MeasureResponse.objects.create(
        participant=participant,
        instrument=instrument,
        answers=answers,
        score=inst.score(answers),
        answered_at=at,
        session=session,
        phase=phase,
        via="link" if session is None else "kiosk",
    )


def _answers_for(inst, total):
    """Answers to `inst` adding up to `total`, spread over the items from the first."""
    answers, left = {}, total - inst.min_score
    for item in inst.items:
        step = min(left, item.highest - item.lowest)
        answers[item.key] = item.lowest + step
        left -= step
    assert left == 0
    return answers


def _checkin(participant, session, *, before=None, after=None):
    if before is not None:
        _answer(
            participant,
            "checkin_before",
            {"mood": before[0], "craving": before[1]},
            at=session.starts_at,
            session=session,
            phase="before",
        )
    if after is not None:
        _answer(
            participant,
            "checkin_after",
            {"mood": after[0], "craving": after[1], "connection": after[2]},
            at=session.ends_at,
            session=session,
            phase="after",
        )


def _members(group, n, *, start=None):
    people = []
    for i in range(n):
        p = f.ParticipantFactory(site=group.site, first_name=f"Member{i}")
        f.EnrollmentFactory(group=group, participant=p, start_date=start or date(2026, 1, 1))
        people.append(p)
    return people


def _held(group, days_ago):
    start = timezone.now() - timedelta(days=days_ago)
    return f.SessionFactory(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
    )


# --- Session change ---------------------------------------------------------------------


def test_it_computes_a_sessions_change_as_plain_python_does(group, django_assert_max_num_queries):
    session = _held(group, 3)
    people = _members(group, 4)
    pairs = [((4, 6), (6, 3, 4)), ((7, 2), (7, 2, 5)), ((5, 5), (3, 6, 2))]
    for p, (before, after) in zip(people, pairs, strict=False):
        _checkin(p, session, before=before, after=after)
    _checkin(people[3], session, before=(2, 9))  # no after: not in the pairs

    with django_assert_max_num_queries(1):
        change = sel.session_change(session=session)

    assert change.pairs == 3
    assert change.answered_before == 4
    assert change.mood_before == pytest.approx(mean(b[0] for b, _ in pairs))
    assert change.mood_after == pytest.approx(mean(a[0] for _, a in pairs))
    assert change.mood_improved == sum(1 for b, a in pairs if a[0] > b[0])
    assert change.craving_eased == sum(1 for b, a in pairs if a[1] < b[1])


# --- Outcomes for administrators --------------------------------------------------------


def _outcome_history(group, scores_by_person, *, days_apart=20):
    """Each person answers the UCLA 3-item scale with the scores given, oldest first."""
    people = _members(group, len(scores_by_person))
    now = timezone.now()
    for p, scores in zip(people, scores_by_person, strict=True):
        for i, score in enumerate(scores):
            at = now - timedelta(days=days_apart * (len(scores) - i))
            _answer(p, "phq9", score, at=at)
    return people


PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))


def test_it_computes_outcomes_as_plain_python_does(site, group, django_assert_max_num_queries):
    scores = [[20, 12], [15, 14, 8], [9, 9], [12, 5], [18, 19], [7]]
    _outcome_history(group, scores)
    with django_assert_max_num_queries(5):
        report = sel.outcomes(sites=[site], period=PERIOD, instrument=instruments.PHQ9)

    followed = [s for s in scores if len(s) >= 2]
    row = report.sites[0]
    assert row.measured == len(scores)
    assert row.followed == len(followed)
    assert row.mean_change == pytest.approx(mean(s[-1] - s[0] for s in followed))
    assert row.reliable == sum(1 for s in followed if s[0] - s[-1] >= 6)
    assert report.groups[0].mean_change == pytest.approx(row.mean_change)


def test_it_computes_the_within_session_change_as_plain_python_does(site, group):
    people = _members(group, 5)
    moods = [(3, 6), (5, 5), (4, 8), (6, 5), (2, 7)]
    for days_ago in (10, 3):
        session = _held(group, days_ago)
        for p, (b, a) in zip(people, moods, strict=True):
            _checkin(p, session, before=(b, 1), after=(a, 1, 3))
    report = sel.outcomes(sites=[site], period=PERIOD, instrument=instruments.PHQ9)
    assert report.groups[0].checkin_people == 5
    assert report.groups[0].checkin_change == pytest.approx(mean(a - b for b, a in moods))


def test_it_keeps_outcome_queries_bounded_whatever_the_history(
    site, group, django_assert_max_num_queries
):
    _outcome_history(group, [[20 - i % 10 for i in range(30)] for _ in range(12)], days_apart=5)
    other = f.GroupFactory(site=site, name="Friday Drums")
    _outcome_history(other, [[10, 9]] * 3)
    with django_assert_max_num_queries(5):
        report = sel.outcomes(sites=[site], period=PERIOD, instrument=instruments.PHQ9)
    assert [g.label for g in report.groups] == ["Friday Drums", "Tuesday Songwriting"]


# --- Pages: who sees what ---------------------------------------------------------------


def test_it_shows_a_participants_measures_to_their_therapist(client, therapist, participant):
    now = timezone.now()
    _answer(participant, "phq9", 14, at=now - timedelta(days=40))
    _answer(participant, "phq9", 7, at=now - timedelta(days=10))
    client.force_login(therapist)
    response = client.get(reverse("participant_measures", args=[participant.pk]))
    page = html.unescape(response.content.decode())
    assert "PHQ-9 over time" in page
    assert "Moderate" in page  # the band of 14, in the table and on the chart


def test_it_marks_enrolment_on_the_participants_chart(client, therapist, participant):
    _answer(participant, "ucla3", 7, at=timezone.now() - timedelta(days=3))
    client.force_login(therapist)
    response = client.get(reverse("participant_measures", args=[participant.pk]))
    assert "Joined Tuesday Songwriting" in response.content.decode()


def test_it_audits_a_view_of_a_participants_measures(client, therapist, participant):
    client.force_login(therapist)
    client.get(reverse("participant_measures", args=[participant.pk]))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["what"] == "view"
    assert entry.object_pk == str(participant.pk)


@pytest.mark.parametrize("who", ["admin", "outsider", "other_admin"])
def test_it_answers_404_for_a_participants_measures(client, request, participant, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("participant_measures", args=[participant.pk]))
    assert response.status_code == 404


def test_it_exports_scores_as_csv_with_a_bom_and_audits_it(client, therapist, participant):
    _answer(participant, "gad7", 9, at=timezone.now() - timedelta(days=2))
    client.force_login(therapist)
    response = client.get(reverse("participant_measures_csv", args=[participant.pk]))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffAnswered at,Instrument,Score,Band")
    assert ",GAD-7,9,Mild," in body
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["what"] == "export"


def test_it_neutralises_a_formula_in_the_csv(client, therapist, participant, group, past_session):
    group.name = '=HYPERLINK("http://x")'
    group.save()
    _checkin(participant, past_session, before=(4, 2))
    client.force_login(therapist)
    response = client.get(reverse("participant_measures_csv", args=[participant.pk]))
    assert "'=HYPERLINK" in response.content.decode("utf-8")


def test_it_keeps_the_participant_page_queries_bounded(
    client, therapist, participant, group, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(40):
        _answer(participant, "ucla3", 3 + i % 7, at=now - timedelta(days=7 * i + 1))
        _answer(participant, "phq9", i % 27, at=now - timedelta(days=7 * i + 2))
    for days_ago in range(3, 120, 7):
        _checkin(participant, _held(group, days_ago), before=(4, 3), after=(6, 2, 4))
    client.force_login(therapist)
    client.get(reverse("participant_measures", args=[participant.pk]))  # warm caches
    with django_assert_max_num_queries(14):
        response = client.get(reverse("participant_measures", args=[participant.pk]))
    assert response.status_code == 200
