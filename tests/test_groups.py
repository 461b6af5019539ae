"""Groups and rosters: creating and editing groups, facilitators, enrolling and
discharging participants, and who is on the roster on any date."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Enrollment, Facilitation, Group, Session
from sessions_app.permissions import enrollable_participants
from sessions_app.services import groups as group_services
from sessions_app.services.errors import ServiceError
from tests import factories as f


def _today(group: Group) -> date:
    return timezone.now().astimezone(group.site.tz).date()


def _new_group_form(site, **overrides) -> dict:
    first = timezone.localdate() + timedelta(days=7)
    data = {
        "name": "Wednesday Songwriting",
        "site": site.pk,
        "focus": "Connection through songwriting",
        "enrollment": "open",
        "capacity": "8",
        "weekday": str(first.weekday()),
        "start_time": "10:00",
        "duration_minutes": "60",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=3)).isoformat(),
        "room": "Music room",
    }
    data.update(overrides)
    return data


# --- creating and editing --------------------------------------------------------------


def test_it_lets_a_therapist_create_a_group_they_then_lead(client, therapist, site):
    client.force_login(therapist)
    page = client.get(reverse("group_create")).content.decode()
    assert 'name="lead"' not in page  # a therapist who creates a group leads it

    response = client.post(reverse("group_create"), _new_group_form(site), follow=True)

    group = Group.objects.get(name="Wednesday Songwriting")
    assert response.redirect_chain[-1][0] == reverse("group_detail", args=[group.pk])
    body = response.content.decode()
    assert "Wednesday Songwriting created, with 4 sessions scheduled ahead." in body
    assert group.facilitations.get().therapist == therapist
    assert group.facilitations.get().role == Facilitation.Role.LEAD
    assert group.sessions.count() == 4
    assert {s.local_starts_at.time() for s in group.sessions.all()} == {time(10, 0)}


def test_it_refuses_a_therapist_a_group_at_a_site_they_do_not_work_at(
    client, therapist, other_site, other_participant
):
    """The first step of granting oneself access to anyone: a group elsewhere, then
    enrolling whoever is there."""
    client.force_login(therapist)
    page = client.get(reverse("group_create")).content.decode()
    assert other_site.name not in page

    response = client.post(reverse("group_create"), _new_group_form(other_site))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Group.objects.filter(name="Wednesday Songwriting").exists()
    assert client.get(reverse("participant_detail", args=[other_participant.pk])).status_code == 404


def test_it_lets_a_therapist_start_a_group_at_a_site_given_to_them(client, therapist, other_site):
    therapist.sites.add(other_site)
    client.force_login(therapist)
    client.post(reverse("group_create"), _new_group_form(other_site))
    assert Group.objects.get(name="Wednesday Songwriting").site == other_site


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"last_date": "2020-01-01"},
            "The last date cannot be before the first date",
        ),
        ({"capacity": "0"}, "Capacity is between 1 and 200 participants."),
        ({"duration_minutes": "600"}, "A session lasts between 5 and 480 minutes."),
        ({"name": "Tuesday Songwriting"}, "already has a group called"),
    ],
    ids=["last-before-first", "capacity-0", "too-long", "name-taken"],
)
def test_it_keeps_the_input_when_a_new_group_is_refused(
    client, therapist, group, overrides, message
):
    client.force_login(therapist)
    data = _new_group_form(group.site, room="Garden studio", **overrides)
    response = client.post(reverse("group_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="Garden studio"' in body
    assert 'value="Connection through songwriting"' in body
    assert Group.objects.count() == 1
    assert not Session.objects.exists()


def test_it_lets_an_administrator_create_a_group_at_their_site_with_a_lead(
    client, admin, site, co_therapist
):
    client.force_login(admin)
    data = _new_group_form(site, lead="")
    response = client.post(reverse("group_create"), data)
    assert "This field is required." in response.content.decode()

    client.post(reverse("group_create"), _new_group_form(site, lead=co_therapist.pk))
    group = Group.objects.get(name="Wednesday Songwriting")
    assert group.facilitations.get().therapist == co_therapist
    assert not group.facilitations.filter(therapist=admin).exists()


def test_it_refuses_an_administrator_a_group_at_another_site(client, admin, other_site, therapist):
    client.force_login(admin)
    response = client.post(reverse("group_create"), _new_group_form(other_site, lead=therapist.pk))
    assert "Select a valid choice" in response.content.decode()
    assert not Group.objects.filter(name="Wednesday Songwriting").exists()
    with pytest.raises(ServiceError):
        group_services.group_create(
            user=admin,
            site=other_site,
            name="Sneaky",
            weekday=0,
            start_time=time(10),
            first_date=date(2027, 1, 4),
            lead=therapist,
        )


def test_it_lets_a_co_facilitator_edit_the_group(client, co_therapist, group):
    client.force_login(co_therapist)
    page = client.get(reverse("group_edit", args=[group.pk])).content.decode()
    assert f'value="{group.name}"' in page
    data = {
        "name": "Tuesday Songwriting Circle",
        "focus": "",
        "enrollment": "closed",
        "capacity": "6",
        "weekday": "1",
        "start_time": "10:00",
        "duration_minutes": "90",
        "first_date": group.first_date.isoformat(),
        "last_date": "",
        "room": "Studio B",
    }
    response = client.post(reverse("group_edit", args=[group.pk]), data, follow=True)
    assert "Group saved." in response.content.decode()
    group.refresh_from_db()
    assert (group.name, group.enrollment, group.capacity, group.duration_minutes) == (
        "Tuesday Songwriting Circle",
        "closed",
        6,
        90,
    )


def test_it_refuses_a_capacity_below_who_is_enrolled(client, therapist, group):
    for _ in range(3):
        f.EnrollmentFactory(group=group)
    client.force_login(therapist)
    data = {
        "name": group.name,
        "enrollment": "open",
        "capacity": "2",
        "weekday": "1",
        "start_time": "10:00",
        "duration_minutes": "60",
        "first_date": group.first_date.isoformat(),
        "room": "",
    }
    response = client.post(reverse("group_edit", args=[group.pk]), data)
    assert "3 participants are enrolled" in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 12


def test_it_refuses_a_first_date_at_the_end_of_the_calendar(client, therapist, group):
    client.force_login(therapist)
    data = {
        "name": group.name,
        "enrollment": "open",
        "capacity": "12",
        "weekday": "1",
        "start_time": "10:00",
        "duration_minutes": "60",
        "first_date": "9999-12-31",
        "room": "",
    }
    response = client.post(reverse("group_edit", args=[group.pk]), data)
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in response.content.decode()


def test_it_creates_no_group_from_dates_at_the_end_of_the_calendar(client, therapist, site):
    client.force_login(therapist)
    data = _new_group_form(site, first_date="9999-12-25", last_date="9999-12-31")
    response = client.post(reverse("group_create"), data)
    assert response.status_code == 200
    assert not Group.objects.filter(name="Wednesday Songwriting").exists()


def test_it_lists_only_the_groups_a_user_may_see(client, cast, group, other_group):
    client.force_login(cast["therapist"])
    body = client.get(reverse("group_list")).content.decode()
    assert group.name in body
    assert other_group.name not in body
    assert reverse("group_create") in body

    client.force_login(cast["other_admin"])
    body = client.get(reverse("group_list")).content.decode()
    assert other_group.name in body
    assert group.name not in body


@pytest.mark.parametrize("name", ["group_list", "group_create"])
def test_it_keeps_participants_and_anonymous_users_out_of_the_group_pages(client, cast, name):
    client.force_login(cast["participant"])
    assert client.get(reverse(name)).status_code == 404
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_links_the_group_pages_from_the_home_pages(client, cast, group):
    for username in ("therapist", "admin"):
        client.force_login(cast[username])
        body = client.get(reverse("home")).content.decode()
        assert reverse("group_create") in body
        assert reverse("group_list") in body


# --- facilitators ----------------------------------------------------------------------


def test_it_adds_and_removes_a_co_facilitator(client, therapist, co_therapist, outsider, group):
    client.force_login(therapist)
    client.post(reverse("group_facilitators", args=[group.pk]), {"therapist": outsider.pk})
    assert group.facilitations.filter(therapist=outsider, role="co").exists()

    client.post(reverse("group_facilitator_remove", args=[group.pk]), {"therapist": outsider.pk})
    assert not group.facilitations.filter(therapist=outsider).exists()


def test_it_keeps_the_lead(client, therapist, co_therapist, group):
    client.force_login(co_therapist)
    response = client.post(
        reverse("group_facilitator_remove", args=[group.pk]),
        {"therapist": therapist.pk},
        follow=True,
    )
    assert "a group always has a lead" in response.content.decode()
    assert group.facilitations.filter(therapist=therapist, role="lead").exists()


@pytest.mark.parametrize("username", ["outsider", "other_admin", "participant"])
def test_it_lets_no_outsider_change_the_facilitators(client, cast, group, username):
    client.force_login(cast[username])
    add = client.post(
        reverse("group_facilitators", args=[group.pk]), {"therapist": cast["outsider"].pk}
    )
    remove = client.post(
        reverse("group_facilitator_remove", args=[group.pk]),
        {"therapist": cast["co_therapist"].pk},
    )
    assert (add.status_code, remove.status_code) == (404, 404)
    assert set(group.facilitations.values_list("therapist__username", flat=True)) == {
        "therapist",
        "co_therapist",
    }


# --- enrolling -------------------------------------------------------------------------


def test_it_offers_only_participants_of_the_site_not_enrolled_now(
    client, therapist, group, participant, other_participant
):
    newcomer = f.ParticipantFactory(site=group.site, first_name="Nova", last_name="Quinn")
    client.force_login(therapist)
    body = client.get(reverse("group_enroll", args=[group.pk])).content.decode()
    assert "Quinn, Nova" in body
    assert f'value="{participant.pk}"' not in body  # enrolled already
    assert f'value="{other_participant.pk}"' not in body  # another site
    assert f'value="{newcomer.pk}"' in body


def test_it_enrolls_a_participant_from_a_date(client, therapist, group):
    newcomer = f.ParticipantFactory(site=group.site, first_name="Nova", preferred_name="")
    client.force_login(therapist)
    start = _today(group) + timedelta(days=2)
    response = client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": newcomer.pk, "start_date": start.isoformat()},
        follow=True,
    )
    assert f"{newcomer.short_name} enrolled from" in response.content.decode()
    enrollment = Enrollment.objects.get(group=group, participant=newcomer)
    assert (enrollment.start_date, enrollment.end_date, enrollment.status) == (
        start,
        None,
        "active",
    )


def test_it_refuses_to_enroll_someone_already_enrolled(client, therapist, group, participant):
    client.force_login(therapist)
    response = client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": participant.pk, "start_date": _today(group).isoformat()},
    )
    body = response.content.decode()
    assert f"{participant.short_name} is already enrolled in this group from" in body
    assert participant.enrollments.filter(group=group).count() == 1


def test_it_refuses_to_enroll_someone_from_another_site(client, therapist, group, other_site):
    stranger = f.ParticipantFactory(site=other_site)
    client.force_login(therapist)
    client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": stranger.pk, "start_date": _today(group).isoformat()},
    )
    assert not stranger.enrollments.exists()
    with pytest.raises(ServiceError, match="another site"):
        group_services.participant_enroll(
            group=group, participant=stranger, start_date=_today(group)
        )


def test_it_refuses_to_enroll_beyond_capacity_on_the_start_date(client, therapist, site):
    group = f.GroupFactory(site=site, lead=therapist, capacity=2)
    today = _today(group)
    f.EnrollmentFactory(group=group, start_date=today - timedelta(days=30))
    # Someone joins next week: from then on the group is full.
    f.EnrollmentFactory(group=group, start_date=today + timedelta(days=7))
    newcomer = f.ParticipantFactory(site=site)
    client.force_login(therapist)
    response = client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": newcomer.pk, "start_date": today.isoformat()},
    )
    full_on = today + timedelta(days=7)
    assert f"is full on {full_on:%-d %B %Y} (2 of 2 places taken)" in response.content.decode()
    assert not newcomer.enrollments.exists()


def test_it_enrolls_into_a_place_someone_has_left(therapist, site):
    group = f.GroupFactory(site=site, lead=therapist, capacity=1)
    f.EnrollmentFactory(
        group=group,
        start_date=date(2026, 1, 6),
        end_date=date(2026, 2, 3),
        status="completed",
    )
    newcomer = f.ParticipantFactory(site=site)
    group_services.participant_enroll(
        group=group, participant=newcomer, start_date=date(2026, 2, 4)
    )
    assert newcomer.enrollments.count() == 1


def test_it_refuses_new_participants_once_a_closed_group_has_started(client, therapist, site):
    group = f.GroupFactory(
        site=site, lead=therapist, enrollment="closed", first_date=date(2026, 1, 6)
    )
    newcomer = f.ParticipantFactory(site=site)
    client.force_login(therapist)
    page = client.get(reverse("group_enroll", args=[group.pk])).content.decode()
    assert "closed group that started on 6 January 2026" in page
    response = client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": newcomer.pk, "start_date": _today(group).isoformat()},
    )
    assert "it takes no new participants" in response.content.decode()
    assert not newcomer.enrollments.exists()
    # Even backdated to the first session, once the group has started.
    with pytest.raises(ServiceError, match="it takes no new participants"):
        group_services.participant_enroll(
            group=group, participant=newcomer, start_date=group.first_date
        )


def test_it_lets_a_closed_group_take_participants_before_it_starts(therapist, site):
    first = timezone.localdate() + timedelta(days=14)
    group = f.GroupFactory(site=site, lead=therapist, enrollment="closed", first_date=first)
    newcomer = f.ParticipantFactory(site=site)
    group_services.participant_enroll(group=group, participant=newcomer, start_date=first)
    assert newcomer.enrollments.get().start_date == first


def test_it_puts_someone_enrolled_today_on_every_future_session_and_no_past_one(
    client, therapist, group
):
    now = timezone.now()
    past = [
        f.SessionFactory(group=group, starts_at=now - timedelta(days=d), status="held")
        for d in (7, 14)
    ]
    future = [f.SessionFactory(group=group, starts_at=now + timedelta(days=d)) for d in (7, 14, 70)]
    newcomer = f.ParticipantFactory(site=group.site, first_name="Nova", preferred_name="")
    group_services.participant_enroll(group=group, participant=newcomer, start_date=_today(group))
    client.force_login(therapist)
    for session in future:
        body = client.get(reverse("session_detail", args=[session.pk])).content.decode()
        assert newcomer.short_name in body
    for session in past:
        body = client.get(reverse("session_detail", args=[session.pk])).content.decode()
        assert newcomer.short_name not in body


@pytest.mark.parametrize("username", ["outsider", "other_admin", "participant"])
def test_it_lets_no_outsider_enroll(client, cast, group, username):
    newcomer = f.ParticipantFactory(site=group.site)
    client.force_login(cast[username])
    response = client.post(
        reverse("group_enroll", args=[group.pk]),
        {"participant": newcomer.pk, "start_date": _today(group).isoformat()},
    )
    assert response.status_code == 404
    assert not newcomer.enrollments.exists()


def test_it_offers_participants_to_enroll_only_to_those_who_run_the_group(cast, group):
    newcomer = f.ParticipantFactory(site=group.site)
    assert newcomer in enrollable_participants(cast["therapist"], group)
    assert newcomer in enrollable_participants(cast["admin"], group)
    for username in ("outsider", "other_admin", "participant"):
        assert not enrollable_participants(cast[username], group).exists()


# --- discharging -----------------------------------------------------------------------


def test_it_discharges_a_participant(client, therapist, group, participant):
    enrollment = participant.enrollments.get()
    client.force_login(therapist)
    response = client.post(
        reverse("enrollment_discharge", args=[group.pk, enrollment.pk]),
        {"end_date": "2026-03-31", "status": "discharged", "reason": "Moved to another programme"},
        follow=True,
    )
    assert "discharged as of 31 March 2026" in response.content.decode()
    enrollment.refresh_from_db()
    assert (enrollment.end_date, enrollment.status, enrollment.discharge_reason) == (
        date(2026, 3, 31),
        "discharged",
        "Moved to another programme",
    )


def test_it_refuses_an_end_date_before_the_start(client, therapist, group, participant):
    enrollment = participant.enrollments.get()
    client.force_login(therapist)
    response = client.post(
        reverse("enrollment_discharge", args=[group.pk, enrollment.pk]),
        {"end_date": "2025-12-31", "status": "completed", "reason": ""},
    )
    body = response.content.decode()
    assert "The end date cannot be before the start date (1 January 2026)." in body
    assert 'value="2025-12-31"' in body
    enrollment.refresh_from_db()
    assert (enrollment.end_date, enrollment.status) == (None, "active")


def test_it_asks_why_someone_is_discharged(group, participant):
    enrollment = participant.enrollments.get()
    with pytest.raises(ServiceError) as exc:
        group_services.enrollment_discharge(
            enrollment=enrollment, end_date=date(2026, 3, 1), status="withdrawn", reason=" "
        )
    assert "reason" in exc.value.message_dict


def test_it_answers_404_for_an_enrollment_of_another_group(client, admin, therapist, group, site):
    # Both groups are the admin's, but the URL names the wrong one.
    second = f.GroupFactory(site=site, lead=therapist)
    elsewhere = f.EnrollmentFactory(group=second)
    client.force_login(admin)
    url = reverse("enrollment_discharge", args=[group.pk, elsewhere.pk])
    assert client.get(url).status_code == 404
    data = {"end_date": "2026-03-01", "status": "completed"}
    assert client.post(url, data).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "active"


@pytest.mark.parametrize("username", ["outsider", "other_admin", "participant"])
def test_it_lets_no_outsider_discharge(client, cast, group, participant, username):
    enrollment = participant.enrollments.get()
    client.force_login(cast[username])
    response = client.post(
        reverse("enrollment_discharge", args=[group.pk, enrollment.pk]),
        {"end_date": "2026-03-01", "status": "completed"},
    )
    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


# --- the roster on any date ------------------------------------------------------------


def test_it_shows_the_roster_on_any_date(client, therapist, group):
    early = f.ParticipantFactory(site=group.site, first_name="Early", preferred_name="")
    late = f.ParticipantFactory(site=group.site, first_name="Late", preferred_name="")
    f.EnrollmentFactory(
        group=group,
        participant=early,
        start_date=date(2026, 1, 6),
        end_date=date(2026, 2, 3),
        status="completed",
    )
    f.EnrollmentFactory(group=group, participant=late, start_date=date(2026, 2, 10))
    client.force_login(therapist)
    url = reverse("group_roster", args=[group.pk])

    def on(day: str) -> str:
        body = client.get(url, {"date": day}).content.decode()
        return body.split("All enrollments")[0]  # the roster of that day, not the history

    assert early.short_name in on("2026-02-03")  # the end date is inclusive
    assert late.short_name not in on("2026-02-03")
    assert early.short_name not in on("2026-02-04")
    assert late.short_name in on("2026-02-10")
    assert "Nobody is enrolled on this date." in on("2025-12-01")


def test_it_falls_back_to_today_for_a_date_it_cannot_read(client, therapist, group, participant):
    client.force_login(therapist)
    body = client.get(reverse("group_roster", args=[group.pk]), {"date": "31/02/2026"}).content
    body = body.decode()
    assert "Enter a valid date." in body
    assert "Showing today." in body
    assert participant.short_name in body


def test_it_links_the_roster_and_its_date_picker_from_the_group_page(client, therapist, group):
    client.force_login(therapist)
    body = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert reverse("group_roster", args=[group.pk]) in body
    assert 'type="date" id="roster-date" name="date"' in body
    assert reverse("group_enroll", args=[group.pk]) in body
    assert reverse("group_edit", args=[group.pk]) in body


# --- bounded queries -------------------------------------------------------------------


def _fill(group: Group, size: int) -> None:
    now = timezone.now()
    for i in range(size):
        p = f.EnrollmentFactory(group=group).participant
        f.EnrollmentFactory(
            group=group,
            start_date=date(2025, 1, 1),
            end_date=date(2025, 6, 1),
            status="discharged",
            discharge_reason="Moved away",
        )
        start = now - timedelta(days=7 * (i + 1))
        s = f.SessionFactory(group=group, starts_at=start, status="held")
        f.AttendanceFactory(session=s, participant=p)
        f.SessionFactory(group=group, starts_at=now + timedelta(days=7 * (i + 1)))
        f.FacilitationFactory(group=group)


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_group_page_in_bounded_queries(
    client, therapist, group, django_assert_max_num_queries, size
):
    _fill(group, size)
    client.force_login(therapist)
    # 8, and 1: whether the viewer sets the group's questionnaires.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("group_detail", args=[group.pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_roster_page_in_bounded_queries(
    client, therapist, group, django_assert_max_num_queries, size
):
    _fill(group, size)
    client.force_login(therapist)
    url = reverse("group_roster", args=[group.pk])
    # 5, and the access entry.
    with django_assert_max_num_queries(6):
        assert client.get(url, {"date": "2025-03-01"}).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_it_renders_the_group_list_in_bounded_queries(
    client, therapist, site, django_assert_max_num_queries, size
):
    for _ in range(size):
        _fill(f.GroupFactory(site=site, lead=therapist), 1)
    client.force_login(therapist)
    with django_assert_max_num_queries(7):
        body = client.get(reverse("group_list")).content.decode()
    assert body.count(reverse("group_create")) == 1


def _groups_named(site, names):
    return [f.GroupFactory(site=site, name=n, lead=f.TherapistFactory()) for n in names]


def test_it_pages_the_group_list_fifty_at_a_time(client, admin, site):
    _groups_named(site, [f"Group {i:03}" for i in range(55)])
    client.force_login(admin)
    first = client.get(reverse("group_list")).content.decode()
    second = client.get(reverse("group_list"), {"page": 2}).content.decode()
    assert "Group 049" in first
    assert "Group 050" not in first
    assert "Group 050" in second
    assert "Group 054" in second
    assert "55 groups · page 1 of 2" in first


def test_it_narrows_the_group_list_to_a_site(client, admin, site, other_site):
    admin.sites.add(other_site)
    _groups_named(site, ["Harbor drums"])
    _groups_named(other_site, ["Mesa voices"])
    client.force_login(admin)
    body = client.get(reverse("group_list"), {"site": other_site.pk}).content.decode()
    assert "Mesa voices" in body
    assert "Harbor drums" not in body


def test_it_finds_groups_by_a_part_of_their_name(client, admin, site):
    _groups_named(site, ["Morning songwriting", "Evening drums"])
    client.force_login(admin)
    body = client.get(reverse("group_list"), {"q": "SONGWRIT"}).content.decode()
    assert "Morning songwriting" in body
    assert "Evening drums" not in body


def test_it_ignores_a_site_the_user_may_not_see_and_says_so(client, admin, site, other_site):
    admin.sites.add(f.SiteFactory(name="Third place"))
    _groups_named(site, ["Harbor drums"])
    _groups_named(other_site, ["Mesa voices"])
    client.force_login(admin)
    response = client.get(reverse("group_list"), {"site": other_site.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body
    assert "Harbor drums" in body
    assert "Mesa voices" not in body


def test_it_renders_the_enroll_page_for_a_big_site_in_bounded_queries(
    client, therapist, group, django_assert_max_num_queries
):
    for _ in range(30):
        f.ParticipantFactory(site=group.site)
    client.force_login(therapist)
    url = reverse("group_enroll", args=[group.pk])
    # A first request fills per-process caches (the audit entry's content type), which
    # would otherwise count or not depending on which tests ran before.
    client.get(url)
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200
