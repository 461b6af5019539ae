"""Refrain's domain model, one module per area, re-exported here."""

from .groups import Enrollment, Facilitation, Group
from .meetings import Attendance, PlanItem, Session, SessionChange
from .music import Song, Theme
from .notes import NoteAddendum, ParticipantNote, SessionNote
from .people import Participant, Site, Therapist, User

__all__ = [
    "Attendance",
    "Enrollment",
    "Facilitation",
    "Group",
    "NoteAddendum",
    "Participant",
    "ParticipantNote",
    "PlanItem",
    "Session",
    "SessionChange",
    "SessionNote",
    "Site",
    "Song",
    "Theme",
    "Therapist",
    "User",
]
