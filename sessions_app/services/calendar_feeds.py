"""Secrets of calendar subscription URLs: made on first use, reset to revoke."""

import secrets

from django.db import transaction

from ..models import Participant, User


def calendar_token_new() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def user_calendar_reset(*, user: User) -> str:
    """A new feed URL for a therapist; every calendar subscribed to the old one stops."""
    user.calendar_token = calendar_token_new()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


@transaction.atomic
def participant_calendar_reset(*, participant: Participant) -> str:
    """A new feed URL for a participant; every calendar subscribed to the old one stops."""
    participant.calendar_token = calendar_token_new()
    participant.save(update_fields=["calendar_token"])
    return participant.calendar_token
