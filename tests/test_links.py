"""Signed participant links: valid, expired, tampered, revoked."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from sessions_app import links


def _request(user=None, session=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = session if session is not None else SessionStore()
    return request


def test_it_reads_back_what_it_signed(participant, past_session):
    token = links.link_token(participant=participant, action="confirm", session_id=past_session.pk)
    link = links.link_read(token)
    assert link.participant == participant
    assert link.action == "confirm"
    assert link.session_id == past_session.pk


def test_it_says_nothing_readable_about_the_person(participant):
    token = links.link_token(participant=participant, action="me")
    for word in (participant.first_name, participant.last_name, participant.email):
        assert word.lower() not in token.lower()


def test_it_refuses_a_tampered_link(participant):
    token = links.link_token(participant=participant, action="me")
    with pytest.raises(links.LinkError, match="not valid"):
        links.link_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_it_refuses_an_expired_link(participant, settings):
    token = links.link_token(participant=participant, action="me")
    settings.PARTICIPANT_LINK_MAX_AGE = -1
    with pytest.raises(links.LinkError, match="expired"):
        links.link_read(token)


def test_it_refuses_links_sent_before_a_revocation(participant):
    token = links.link_token(participant=participant, action="stop")
    links.links_revoke(participant=participant)
    with pytest.raises(links.LinkError, match="no longer valid"):
        links.link_read(token)
    assert links.link_read(links.link_token(participant=participant, action="stop"))


def test_it_refuses_an_unknown_action(participant):
    with pytest.raises(ValueError):
        links.link_token(participant=participant, action="delete-everything")


def test_it_lets_a_link_session_act_as_the_participant_until_revoked(participant):
    request = _request()
    links.link_session_start(request, participant)
    assert links.participant_from_request(request) == participant
    links.links_revoke(participant=participant)
    assert links.participant_from_request(request) is None


def test_it_takes_a_participants_login(participant, therapist):
    assert links.participant_from_request(_request(participant.user)) == participant
    assert links.participant_from_request(_request(therapist)) is None
    assert links.participant_from_request(_request()) is None
