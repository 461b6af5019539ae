"""The one door: what each role's querysets contain."""

from sessions_app import permissions
from sessions_app.models import User
from tests import factories as f


def test_it_shows_a_therapist_only_the_groups_they_facilitate(cast, group, other_group):
    assert list(permissions.groups_for(cast["therapist"])) == [group]
    assert list(permissions.groups_for(cast["co_therapist"])) == [group]
    assert list(permissions.groups_for(cast["outsider"])) == [other_group]


def test_it_shows_an_administrator_the_groups_of_their_sites(cast, group, other_group):
    assert list(permissions.groups_for(cast["admin"])) == [group]
    assert list(permissions.groups_for(cast["other_admin"])) == [other_group]


def test_it_shows_a_superuser_everything(db, group, other_group):
    root = f.UserFactory(role=User.Role.THERAPIST, is_superuser=True)
    assert set(permissions.groups_for(root)) == {group, other_group}


def test_it_shows_participants_no_staff_records(cast, group, past_session):
    for name in ("participant", "other_participant"):
        user = cast[name]
        assert not permissions.groups_for(user).exists()
        assert not permissions.sessions_for(user).exists()
        assert not permissions.participants_for(user).exists()


def test_it_gives_a_participant_their_own_profile(cast, participant, other_participant):
    assert permissions.participant_profile(cast["participant"]) == participant
    assert permissions.participant_profile(cast["other_participant"]) == other_participant
    assert permissions.participant_profile(cast["therapist"]) is None


def test_it_keeps_discharged_participants_visible_to_their_therapist(cast, group):
    gone = f.ParticipantFactory(site=group.site)
    f.EnrollmentFactory(
        group=group,
        participant=gone,
        status="discharged",
        end_date=group.first_date,
        start_date=group.first_date,
    )
    assert gone in permissions.participants_for(cast["therapist"])
    assert gone not in permissions.participants_for(cast["outsider"])


def test_it_shows_a_participant_in_two_groups_once(cast, group, participant):
    second = f.GroupFactory(site=group.site, lead=cast["therapist"])
    f.EnrollmentFactory(group=second, participant=participant)
    assert list(permissions.participants_for(cast["therapist"])) == [participant]


def test_it_shows_nothing_to_anonymous_users(db, group):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not permissions.groups_for(anon).exists()
    assert not permissions.sessions_for(anon).exists()
    assert not permissions.participants_for(anon).exists()
    assert not permissions.sites_for(anon).exists()


def test_it_shows_a_user_without_a_role_nothing(db, group):
    nobody = f.UserFactory(role=User.Role.PARTICIPANT)
    assert not permissions.groups_for(nobody).exists()
    assert permissions.participant_profile(nobody) is None


def test_it_lets_only_the_groups_therapists_write_notes(cast, group):
    assert permissions.may_write_clinical_note(cast["therapist"], group)
    assert permissions.may_write_clinical_note(cast["co_therapist"], group)
    assert not permissions.may_write_clinical_note(cast["admin"], group)
    assert not permissions.may_write_clinical_note(cast["outsider"], group)
    assert not permissions.may_write_clinical_note(cast["participant"], group)


def test_it_lets_facilitators_and_site_admins_run_a_group(cast, group):
    assert permissions.may_run_group(cast["therapist"], group)
    assert permissions.may_run_group(cast["admin"], group)
    assert not permissions.may_run_group(cast["other_admin"], group)
    assert not permissions.may_run_group(cast["outsider"], group)
