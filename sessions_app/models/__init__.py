"""Refrain's domain model, one module per area, re-exported here."""

from .access import EmergencyAccess
from .consent import Consent, Disclosure
from .drafts import KeptDraft
from .groups import Enrollment, Facilitation, Group
from .lullaby import (
    FamilyLink,
    FamilyLinkVisit,
    LullabyProject,
    LyricDraft,
    ProgramEntry,
    ProjectConsent,
    RecordingSession,
    SharingProgram,
    StageChange,
    Take,
    Track,
)
from .measures import MeasureRequest, MeasureResponse, MeasureSchedule, SafetyAlert
from .meetings import Attendance, PlanItem, Session, SessionChange
from .music import Song, Theme
from .notes import NoteAddendum, ParticipantNote, SessionNote
from .people import Participant, Site, Therapist, User
from .plans import (
    Assessment,
    Goal,
    GoalArea,
    Objective,
    ObjectiveProgress,
    ProgressReport,
    ReportAddendum,
    TreatmentPlan,
)
from .reflections import Reflection
from .reminders import Reminder, Rsvp

__all__ = [
    "TreatmentPlan",
    "ReportAddendum",
    "ProgressReport",
    "ObjectiveProgress",
    "Objective",
    "GoalArea",
    "Goal",
    "Assessment",
    "Attendance",
    "Consent",
    "Disclosure",
    "EmergencyAccess",
    "FamilyLink",
    "FamilyLinkVisit",
    "Enrollment",
    "Facilitation",
    "Group",
    "KeptDraft",
    "LullabyProject",
    "LyricDraft",
    "MeasureRequest",
    "MeasureResponse",
    "MeasureSchedule",
    "NoteAddendum",
    "Participant",
    "ParticipantNote",
    "PlanItem",
    "ProgramEntry",
    "ProjectConsent",
    "RecordingSession",
    "Reflection",
    "Reminder",
    "Rsvp",
    "SafetyAlert",
    "Session",
    "SessionChange",
    "SessionNote",
    "SharingProgram",
    "Site",
    "Song",
    "StageChange",
    "Take",
    "Theme",
    "Therapist",
    "Track",
    "User",
]
