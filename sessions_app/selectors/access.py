"""Reads about access given outside the usual paths, for home pages and records."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from ..models import EmergencyAccess, User
from ..permissions import (
    emergency_accesses_for_review,
    first_looks_for_review,
    open_emergency_accesses,
    participants_in_care,
)

# How far back a therapist's home shows emergency access to the people in their care.
RECENT_DAYS = 14
TO_THEIR_PEOPLE_SHOWN = 20


@dataclass
class TherapistEmergencies:
    held: list[EmergencyAccess]  # open accesses the therapist holds now
    to_their_people: list[EmergencyAccess]  # others' accesses to people in their care


def therapist_emergencies(*, user: User, now: datetime) -> TherapistEmergencies:
    """The therapist's open emergency accesses, the soonest to expire first, and the
    latest others opened to the people in their care within `RECENT_DAYS`.

    One query for both: each is a rare, audited event, so the rows read are few.
    """
    accesses = list(
        EmergencyAccess.objects.filter(
            Q(pk__in=open_emergency_accesses(user=user, now=now).values("pk"))
            | Q(
                ~Q(therapist=user),
                participant__in=participants_in_care(user).values("pk"),
                started_at__gte=now - timedelta(days=RECENT_DAYS),
            )
        )
        .select_related("participant__site", "therapist")
        .only(
            "therapist",
            "reason",
            "started_at",
            "expires_at",
            "participant__first_name",
            "participant__last_name",
            "participant__site__time_zone",
            "therapist__username",
            "therapist__first_name",
            "therapist__last_name",
            "therapist__credentials",
        )
        .order_by("-started_at", "-pk")
    )
    held = sorted((a for a in accesses if a.therapist_id == user.pk), key=lambda a: a.expires_at)
    others = [a for a in accesses if a.therapist_id != user.pk][:TO_THEIR_PEOPLE_SHOWN]
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
