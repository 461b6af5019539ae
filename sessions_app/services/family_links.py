"""Delivering a lullaby to the family by a private link.

A link is a `FamilyLink` row and a URL made from it: the row's id and a random nonce,
signed with the site's secret key. Guessing one is hopeless (128 random bits), a
tampered one fails its signature before the database is asked, and a copy of the
database alone cannot make one (the key is not in it). The URL can still be made again
from the row, which is what lets the outbox send it after the page that showed it once.

Whether a link still opens is decided at every request, never by a job: it is refused
once revoked, once expired (FAMILY_LINK_DAYS after it was made), and the moment the
parent's consent to share with the family is withdrawn. Each opening and download is a
`FamilyLinkVisit` (the time, nothing else); the first opening marks the song delivered.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..broker import enqueue_after_commit
from ..models import (
    FamilyLink,
    FamilyLinkVisit,
    LullabyProject,
    Reminder,
    StageChange,
    Track,
    User,
)
from ..permissions import may_manage_project
from ..selectors.lullaby import Audience, consent_state, stage_index
from .errors import ServiceError
from .reminders import DISPATCH_TASK

SALT = "refrain.family-link"
Stage = LullabyProject.Stage
Visit = FamilyLinkVisit.Kind
MANAGER_ONLY = "Only the project's therapist can send the song to the family."


class LinkGone(Exception):
    """The link was good once and is not any more (revoked, expired, consent withdrawn)."""


# --- The URL ---------------------------------------------------------------------------


def family_link_token(link: FamilyLink) -> str:
    return signing.Signer(salt=SALT).sign_object({"f": link.pk, "n": link.nonce})


def family_link_url(link: FamilyLink) -> str:
    return reverse("family_song", kwargs={"token": family_link_token(link)})


def family_link_find(token: str) -> FamilyLink | None:
    """The link a token names, whatever its state; None for a token that is not one
    of ours (bad signature, unknown row, wrong nonce)."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    link = (
        FamilyLink.objects.select_related("project__participant__site", "project__final_take")
        .filter(pk=payload.get("f"))
        .first()
    )
    if link is None or not secrets.compare_digest(link.nonce, str(payload.get("n", ""))):
        return None
    return link


# --- Whether it opens ------------------------------------------------------------------


def family_link_problem(link: FamilyLink, *, now: datetime | None = None) -> str | None:
    """Why the link no longer opens, for staff; None while it does."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        return f"Revoked on {timezone.localtime(link.revoked_at):%-d %B %Y}."
    if link.expires_at <= now:
        return f"Expired on {timezone.localtime(link.expires_at):%-d %B %Y}."
    project = link.project
    if consent_state(project=project).in_force(Audience.FAMILY) is None:
        return "The consent to share with the family is not in force."
    final = project.final_take
    if final is None or not final.audio:
        return "The project has no final take with audio."
    return None


def family_link_live(token: str, *, now: datetime | None = None) -> FamilyLink:
    """The link, if it opens now. Raises LookupError for a token that is not ours and
    LinkGone for a link that no longer opens."""
    link = family_link_find(token)
    if link is None:
        raise LookupError("no such family link")
    if family_link_problem(link, now=now) is not None:
        raise LinkGone
    return link


def family_dedication(link: FamilyLink) -> Track | None:
    if not link.include_dedication:
        return None
    return (
        link.project.tracks.filter(kind=Track.Kind.DEDICATION)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- Issuing, revoking -----------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    link: FamilyLink
    url: str  # the path; shown once, with the site's address in front


def _check_can_issue(by: User, project: LullabyProject) -> None:
    if not may_manage_project(by, project):
        raise ServiceError(MANAGER_ONLY)
    if consent_state(project=project).in_force(Audience.FAMILY) is None:
        raise ServiceError(
            "There is no current consent to share the recording with the family. Record it "
            "on the consent page first."
        )
    final = project.final_take
    if final is None or not final.audio:
        raise ServiceError("Choose a final take with its audio file before sending the song.")


def _send_to(channel: str, address: str) -> dict[str, str]:
    """The outbox channel and the address typed, checked; {} when not sending."""
    address = address.strip()
    if not channel:
        return {}
    if channel not in Reminder.Channel.values:
        raise ServiceError({"send_by": "Choose email, a text message, or not to send it."})
    if not address:
        raise ServiceError({"send_to": "Type the address or number to send the link to."})
    if channel == Reminder.Channel.EMAIL:
        try:
            validate_email(address)
        except Exception:  # noqa: BLE001 - Django's ValidationError, said in our words
            raise ServiceError({"send_to": "That is not an email address."}) from None
    else:
        digits = "".join(c for c in address if c.isdigit())
        if not 7 <= len(digits) <= 15:
            raise ServiceError({"send_to": "Give the phone number with its area code."})
        address = ("+" if address.startswith("+") else "") + digits
    return {"channel": channel, "address": address}


def family_link_issue(
    *,
    by: User,
    project: LullabyProject,
    recipient_name: str,
    recipient_relationship: str,
    include_lyrics: bool = False,
    include_dedication: bool = False,
    send_by: str = "",
    send_to: str = "",
    now: datetime | None = None,
) -> Issued:
    """Make a family link for the person the parent named; optionally send it through
    the outbox (a Reminder row written in the same transaction) with neutral words."""
    now = now or timezone.now()
    recipient_name, recipient_relationship = recipient_name.strip(), recipient_relationship.strip()
    with transaction.atomic():
        project = (
            LullabyProject.objects.select_for_update(of=("self",))
            .select_related("participant__site", "final_take")
            .get(pk=project.pk)
        )
        _check_can_issue(by, project)
        errors = {}
        if not recipient_name:
            errors["recipient_name"] = "Give the first name of the person the song is for."
        if not recipient_relationship:
            errors["recipient_relationship"] = "Say who they are to the participant."
        if errors:
            raise ServiceError(errors)
        sending = _send_to(send_by, send_to)
        if include_dedication and not project.tracks.filter(kind=Track.Kind.DEDICATION).exists():
            raise ServiceError(
                {"include_dedication": "There is no spoken dedication yet; upload it first."}
            )
        link = FamilyLink.objects.create(
            project=project,
            recipient_name=recipient_name,
            recipient_relationship=recipient_relationship,
            nonce=secrets.token_urlsafe(16),
            include_lyrics=include_lyrics,
            include_dedication=include_dedication,
            sent_to=sending.get("address", ""),
            created_by=by,
            expires_at=now + timedelta(days=settings.FAMILY_LINK_DAYS),
        )
        if sending:
            Reminder.objects.create(
                kind=Reminder.Kind.FAMILY,
                channel=sending["channel"],
                family_link=link,
                due_at=now,
            )
            enqueue_after_commit(DISPATCH_TASK, what="reminder dispatch")
        return Issued(link=link, url=family_link_url(link))


def family_link_revoke(*, by: User, link: FamilyLink, now: datetime | None = None) -> FamilyLink:
    with transaction.atomic():
        link = FamilyLink.objects.select_for_update().select_related("project").get(pk=link.pk)
        if not may_manage_project(by, link.project):
            raise ServiceError(MANAGER_ONLY)
        if link.revoked_at is not None:
            raise ServiceError("This link was already revoked.")
        link.revoked_at = now or timezone.now()
        link.save(update_fields=["revoked_at"])
        # A message not yet sent would carry a dead link: it goes no further.
        link.messages.filter(status=Reminder.Status.PENDING).update(
            status=Reminder.Status.CANCELLED, updated_at=link.revoked_at
        )
        return link


def family_link_reissue(
    *, by: User, link: FamilyLink, now: datetime | None = None, **sending: str
) -> Issued:
    """Revoke a link and make a new one for the same person with the same choices."""
    with transaction.atomic():
        if link.revoked_at is None:
            family_link_revoke(by=by, link=link, now=now)
        return family_link_issue(
            by=by,
            project=link.project,
            recipient_name=link.recipient_name,
            recipient_relationship=link.recipient_relationship,
            include_lyrics=link.include_lyrics,
            include_dedication=link.include_dedication,
            now=now,
            **sending,
        )


# --- Visits ----------------------------------------------------------------------------


def family_link_visit(*, link: FamilyLink, kind: str, now: datetime | None = None) -> None:
    """Note an opening or a download (the time only). The first opening marks the song
    delivered, by this link, to its recipient, on the site's date."""
    now = now or timezone.now()
    with transaction.atomic():
        FamilyLinkVisit.objects.create(link=link, kind=kind, at=now)
        if kind != Visit.OPENED:
            return
        project = (
            LullabyProject.objects.select_for_update(of=("self",))
            .select_related("participant__site")
            .get(pk=link.project_id)
        )
        if project.delivered_on is not None:
            return
        project.delivered_on = now.astimezone(project.participant.site.tz).date()
        project.delivery_method = LullabyProject.DeliveryMethod.LINK
        project.delivered_to = f"{link.recipient_name} ({link.recipient_relationship})"
        project.save(
            update_fields=["delivered_on", "delivery_method", "delivered_to", "updated_at"]
        )
        if stage_index(project.stage) < stage_index(Stage.DELIVERED):
            project.stage = Stage.DELIVERED
            project.save(update_fields=["stage", "updated_at"])
            StageChange.objects.create(project=project, stage=Stage.DELIVERED, changed_by=None)
