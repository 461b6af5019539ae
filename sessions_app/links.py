"""Signed, expiring links for participants, who may have no login at all.

A link carries the participant's id, what it is for, and the participant's
`link_version`; staff revoke every link sent so far by raising that version. Opening a
valid link also lets the participant use their own pages for a while in that browser
("link session"), so that a reminder's link leads to their schedule and settings without
a password. Nothing in a link says anything about the person or the group.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Participant

SALT = "refrain.participant-link"
SESSION_KEY = "refrain_link_participant"

# "questions" lands on the participant's open questionnaires, "checkin" (with a session)
# on that session's check-in: the invitations of measures send these two.
ACTIONS = {"me", "confirm", "decline", "stop", "reflect", "questions", "checkin"}


class LinkError(Exception):
    """The link is expired, tampered with, revoked or not for this.

    `gone` is true for a link that was good once (expired or revoked), so that a page
    can answer 410 Gone rather than 400 Bad Request. `participant` is whom a genuine but
    spent link was for, so the page can say so in their language. The message is worded
    when it is shown.
    """

    def __init__(
        self, message: str, *, gone: bool = False, participant: Participant | None = None
    ) -> None:
        super().__init__(message)
        self.gone = gone
        self.participant = participant


@dataclass(frozen=True)
class Link:
    participant: Participant
    action: str
    session_id: int | None


def link_token(*, participant: Participant, action: str, session_id: int | None = None) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r}")
    payload = {"p": participant.pk, "v": participant.link_version, "a": action}
    if session_id is not None:
        payload["s"] = session_id
    return signing.dumps(payload, salt=SALT, compress=True)


def link_read(token: str) -> Link:
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.PARTICIPANT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        # Genuine, only old: whose it was is still known, for the language of the page.
        spent = signing.loads(token, salt=SALT)
        raise LinkError(
            _("This link has expired. Ask your group leader for a new one."),
            gone=True,
            participant=Participant.objects.filter(pk=spent.get("p")).first(),
        ) from None
    except signing.BadSignature:
        raise LinkError(_("This link is not valid. Check that it was copied in full.")) from None
    participant = Participant.objects.select_related("site").filter(pk=payload.get("p")).first()
    if participant is None or participant.link_version != payload.get("v"):
        raise LinkError(
            _("This link is no longer valid. Ask your group leader for a new one."),
            gone=True,
            participant=participant,
        )
    if payload.get("a") not in ACTIONS:
        raise LinkError(_("This link is not valid."), participant=participant)
    return Link(participant=participant, action=payload["a"], session_id=payload.get("s"))


def link_session_start(request: HttpRequest, participant: Participant) -> None:
    request.session[SESSION_KEY] = {"p": participant.pk, "v": participant.link_version}
    request.session.set_expiry(settings.PARTICIPANT_LINK_SESSION_SECONDS)


def participant_from_request(request: HttpRequest) -> Participant | None:
    """The participant acting: their login, or a link session still valid."""
    user = request.user
    if user.is_authenticated:
        if not user.is_participant:
            return None
        return Participant.objects.select_related("site").filter(user=user).first()
    held = request.session.get(SESSION_KEY)
    if not held:
        return None
    participant = Participant.objects.select_related("site").filter(pk=held.get("p")).first()
    if participant is None or participant.link_version != held.get("v"):
        request.session.pop(SESSION_KEY, None)
        return None
    return participant


def links_revoke(*, participant: Participant) -> None:
    """Invalidate every link sent to the participant so far, and their link sessions."""
    Participant.objects.filter(pk=participant.pk).update(link_version=F("link_version") + 1)
    participant.refresh_from_db(fields=["link_version"])
