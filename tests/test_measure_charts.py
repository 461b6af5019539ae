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


def test_it_gives_a_session_nobody_checked_in_at_no_means(group):
    change = sel.session_change(session=_held(group, 3))
    assert change == sel.SessionChange(0, 0, 0, None, None, 0, None, None, 0, None)


def test_it_gives_a_sessions_means_as_plain_numbers(group):
    session = _held(group, 3)
    people = _members(group, 2)
    _checkin(people[0], session, before=(4, 6), after=(6, 3, 4))
    _checkin(people[1], session, before=(5, 5), after=(7, 2, 5))
    change = sel.session_change(session=session)
    assert (change.mood_before, change.craving_after, change.connection) == (4.5, 2.5, 4.5)
    assert type(change.connection) is float


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


def test_it_counts_a_person_enrolled_twice_in_a_group_once(site, group):
    scores = [[20, 12], [15, 14], [9, 9], [12, 5], [18, 19]]
    people = _outcome_history(group, scores)
    first = people[0].enrollments.get()
    first.end_date = date(2026, 2, 1)
    first.save()
    f.EnrollmentFactory(group=group, participant=people[0], start_date=date(2026, 3, 1))
    report = sel.outcomes(sites=[site], period=PERIOD, instrument=instruments.PHQ9)

    row = report.groups[0]
    assert (row.measured, row.followed) == (5, 5)
    assert row.mean_change == pytest.approx(mean(s[-1] - s[0] for s in scores))


def test_it_leaves_a_half_check_in_out_of_the_within_session_change(site, group):
    people = _members(group, 6)
    session = _held(group, 3)
    for p, (b, a) in zip(people[:5], [(3, 6), (5, 5), (4, 8), (6, 5), (2, 7)], strict=True):
        _checkin(p, session, before=(b, 1), after=(a, 1, 3))
    _checkin(people[5], session, after=(10, 1, 3))
    report = sel.outcomes(sites=[site], period=PERIOD, instrument=instruments.PHQ9)
    assert report.sites[0].checkin_people == 5
    assert report.sites[0].checkin_change == pytest.approx(mean([3, 0, 4, -1, 5]))


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


# --- Shared pages: session, participant home --------------------------------------------


def _three_pairs(group, session):
    for p, (b, a) in zip(_members(group, 3), [(3, 6), (4, 7), (8, 8)], strict=True):
        _checkin(p, session, before=(b, 5), after=(a, 4, 3))


def test_it_shows_the_sessions_change_to_the_groups_therapist(client, therapist, group):
    session = _held(group, 2)
    _three_pairs(group, session)
    client.force_login(therapist)
    page = html.unescape(client.get(reverse("session_detail", args=[session.pk])).content.decode())
    assert "Over the 3 people who answered before and after" in page
    assert "2 felt better" in page


def test_it_shows_administrators_counts_only_on_the_session_page(client, admin, group):
    session = _held(group, 2)
    _three_pairs(group, session)
    client.force_login(admin)
    page = html.unescape(client.get(reverse("session_detail", args=[session.pk])).content.decode())
    assert "3 checked in before the session and 3 after" in page
    assert "Mean before" not in page


def test_it_tells_a_participant_their_trend_in_plain_words(client, participant):
    now = timezone.now()
    _answer(participant, "ucla3", 7, at=now - timedelta(days=60))
    _answer(participant, "ucla3", 5, at=now - timedelta(days=1))
    client.force_login(participant.user)
    page = html.unescape(client.get(reverse("participant_home")).content.decode())
    since = f"{(now - timedelta(days=60)).astimezone(participant.tz):%B}"
    assert f"Your loneliness score went from 7 to 5 since {since}" in page
    assert "UCLA" not in page


def test_it_compares_each_questionnaires_first_and_latest_answer(client, participant):
    now = timezone.now()
    for days, score in ((60, 7), (30, 9), (1, 5)):
        _answer(participant, "ucla3", score, at=now - timedelta(days=days))
    for days, score in ((50, 10), (20, 3), (2, 12)):
        _answer(participant, "phq9", score, at=now - timedelta(days=days))
    client.force_login(participant.user)
    page = html.unescape(client.get(reverse("participant_home")).content.decode())
    assert "Your loneliness score went from 7 to 5 since" in page
    assert "Your mood score went from 10 to 12 since" in page


def test_it_says_nothing_of_a_trend_after_one_answer(client, participant):
    _answer(participant, "ucla3", 7, at=timezone.now() - timedelta(days=1))
    client.force_login(participant.user)
    page = html.unescape(client.get(reverse("participant_home")).content.decode())
    assert "loneliness score" not in page


# --- A group week by week ---------------------------------------------------------------


def test_it_gives_a_groups_weekly_loneliness_to_its_therapist(client, therapist, group):
    people = _members(group, 2)
    at = timezone.now() - timedelta(days=1)
    _answer(people[0], "ucla3", 4, at=at)
    _answer(people[1], "ucla3", 7, at=at)
    client.force_login(therapist)
    response = client.get(reverse("group_measures_chart", args=[group.pk]))
    weeks = response.context["weeks"].weeks
    answered = [w for w in weeks if w.loneliness_people]
    assert [(w.loneliness, w.loneliness_people) for w in answered] == [(mean([4, 7]), 2)]
    assert response.context["weeks"].weeks[-1].joined == 0


def test_it_suppresses_a_small_week_for_administrators(client, admin, group):
    people = _members(group, 2)
    for p, score in zip(people, (4, 7), strict=True):
        _answer(p, "ucla3", score, at=timezone.now() - timedelta(days=1))
    client.force_login(admin)
    response = client.get(reverse("group_measures_chart", args=[group.pk]))
    page = html.unescape(response.content.decode())
    assert "5.5" not in page
    assert "fewer than 5" in page


def test_it_counts_who_joined_in_a_week(group):
    today = timezone.now().date()
    _members(group, 3, start=today - timedelta(days=today.weekday()))
    weeks = sel.group_weeks(group=group, today=today, suppress=False).weeks
    assert weeks[-1].joined == 3


def test_it_answers_404_to_an_outsider_for_a_groups_outcomes(client, outsider, group):
    client.force_login(outsider)
    assert client.get(reverse("group_measures_chart", args=[group.pk])).status_code == 404


# --- The administrators' outcomes page --------------------------------------------------


def _year(**extra):
    return {"start": "2026-01-01", "end": "2026-12-31", **extra}


def test_it_suppresses_outcomes_of_fewer_than_five_people(client, admin, group):
    _outcome_history(group, [[20, 12], [15, 9], [9, 9], [12, 5]])
    client.force_login(admin)
    response = client.get(reverse("report_outcomes"), _year(instrument="phq9"))
    page = html.unescape(response.content.decode())
    assert "fewer than 5" in page
    assert "-5.2" not in page


def test_it_shows_outcomes_of_five_people_or_more(client, admin, group):
    scores = [[20, 12], [15, 9], [9, 9], [12, 5], [18, 19]]
    _outcome_history(group, scores)
    client.force_login(admin)
    response = client.get(reverse("report_outcomes"), _year(instrument="phq9"))
    page = html.unescape(response.content.decode())
    expected = mean(s[-1] - s[0] for s in scores)
    assert f"{expected:.1f}" in page
    assert "60%" in page  # 3 of 5 improved by 6 points or more


def test_it_says_not_published_where_no_reliable_change_is(client, admin, group):
    _outcome_history(group, [[7, 5]] * 5)
    client.force_login(admin)
    response = client.get(reverse("report_outcomes"), _year(instrument="ucla3"))
    assert "not published" in response.content.decode()


def test_it_never_names_a_participant_on_the_outcomes_page(client, admin, group):
    people = _outcome_history(group, [[20, 12]] * 6)
    client.force_login(admin)
    page = client.get(reverse("report_outcomes"), _year(instrument="phq9")).content.decode()
    assert people[0].first_name not in page


@pytest.mark.parametrize("who", ["therapist", "outsider", "participant"])
def test_it_answers_404_to_anyone_but_administrators_for_outcomes(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("report_outcomes")).status_code == 404


def test_it_shows_only_the_administrators_own_sites_outcomes(client, other_admin, group):
    _outcome_history(group, [[20, 12]] * 6)
    client.force_login(other_admin)
    page = client.get(reverse("report_outcomes"), _year(instrument="phq9")).content.decode()
    assert "Tuesday Songwriting" not in page


# --- The consented records export -------------------------------------------------------


def _export(client, participant, **data):
    payload = {"recipient": "Harbor Clinic", "confirm": "on", **data}
    url = reverse("participant_records_export", args=[participant.pk])
    return client.post(url, payload)


@pytest.fixture
def consent(participant, admin):
    return f.ConsentFactory(participant=participant, recorded_by=admin, disclose_to="Harbor Clinic")


def test_it_puts_the_scores_in_the_records_export_when_asked(client, admin, participant, consent):
    _answer(participant, "phq9", 12, at=timezone.now() - timedelta(days=3))
    client.force_login(admin)
    page = html.unescape(_export(client, participant, include_measures="on").content.decode())
    assert '<td>PHQ-9</td><td class="num">12</td><td>Moderate</td>' in page


def test_it_leaves_the_scores_out_of_the_records_export_unless_asked(
    client, admin, participant, consent
):
    _answer(participant, "phq9", 12, at=timezone.now() - timedelta(days=3))
    client.force_login(admin)
    page = html.unescape(_export(client, participant).content.decode())
    assert "PHQ-9" not in page


# --- Charts -----------------------------------------------------------------------------


def test_it_breaks_a_groups_line_at_a_week_without_answers():
    from sessions_app.measure_charts import group_chart

    weeks = [sel.Week(date(2026, 11, 2) + timedelta(weeks=i)) for i in range(4)]
    for week, value in zip(weeks, (5.0, None, 6.0, 7.0), strict=True):
        week.loneliness = value
    path = group_chart(weeks).panels[0].series[0].path
    assert [step[0] for step in path.split()] == ["M", "M", "L"]


@pytest.mark.parametrize("sessions", [1, 12])
def test_it_exports_in_the_same_queries_however_many_sessions(
    client, therapist, participant, group, django_assert_max_num_queries, sessions
):
    now = timezone.now()
    for i in range(sessions):
        start = now - timedelta(days=7 * (i + 1))
        held = f.SessionFactory(
            group=group, starts_at=start, ends_at=start + timedelta(hours=1), status="held"
        )
        _checkin(participant, held, before=(4, 2))
    client.force_login(therapist)
    # Login (2), the participant (1), their answers (1), the audit entry (2).
    with django_assert_max_num_queries(7):
        response = client.get(reverse("participant_measures_csv", args=[participant.pk]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.decode("utf-8-sig").count("\n") >= sessions + 1
