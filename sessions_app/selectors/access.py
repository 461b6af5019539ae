"""Reads about access given outside the usual paths, for home pages and records."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import EmergencyAccess, User
from ..permissions import (
    emergency_accesses_for_review,
    first_looks_for_review,
    open_emergency_accesses,
    participants_in_care,
)

# How far back a therapist's home shows emergency access to the people in their care.
RECENT_DAYS = 14


@dataclass
class TherapistEmergencies:
    held: list[EmergencyAccess]  # open accesses the therapist holds now
    to_their_people: list[EmergencyAccess]  # others' accesses to people in their care


def therapist_emergencies(*, user: User, now: datetime) -> TherapistEmergencies:
    held = list(
        open_emergency_accesses(user=user, now=now)
        .select_related("participant__site")
        .order_by("expires_at")
    )
    others = list(
        EmergencyAccess.objects.filter(
            participant__in=participants_in_care(user).values("pk"),
            started_at__gte=now - timedelta(days=RECENT_DAYS),
        )
        .exclude(therapist=user)
        .select_related("participant__site", "therapist")
        .order_by("-started_at")[:20]
    )
    return TherapistEmergencies(held=held, to_their_people=others)


@dataclass
class ReviewCounts:
    emergency: int
    first_looks: int

    @property
    def total(self) -> int:
        return self.emergency + self.first_looks


def access_review_counts(*, user: User) -> ReviewCounts:
    return ReviewCounts(
        emergency=emergency_accesses_for_review(user).filter(reviewed_at__isnull=True).count(),
        first_looks=first_looks_for_review(user).count(),
    )
