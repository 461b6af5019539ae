"""Refrain's domain model, one module per area, re-exported here."""

from .groups import Enrollment, Facilitation, Group
from .meetings import Attendance, PlanItem, Session
from .music import Song, Theme
from .people import Participant, Site, Therapist, User

__all__ = [
    "Attendance",
    "Enrollment",
    "Facilitation",
    "Group",
    "Participant",
    "PlanItem",
    "Session",
    "Site",
    "Song",
    "Theme",
    "Therapist",
    "User",
]
