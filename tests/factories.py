"""factory_boy factories for the domain. Times are aware and in UTC."""

import io
import wave
from datetime import UTC, date, datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sessions_app.models import (
    Assessment,
    Attendance,
    EmergencyAccess,
    Enrollment,
    Facilitation,
    Goal,
    GoalArea,
    Group,
    LullabyProject,
    LyricDraft,
    Objective,
    ObjectiveProgress,
    Participant,
    PlanItem,
    ProgressReport,
    ProjectConsent,
    RecordingSession,
    Session,
    SessionNote,
    SharingProgram,
    Site,
    Song,
    Take,
    Track,
    TreatmentPlan,
    User,
)

PASSWORD = "a-test-password-1"  # noqa: S105


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    address = factory.Sequence(lambda n: f"{n} Main Street")
    time_zone = "America/New_York"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.THERAPIST
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class TherapistFactory(UserFactory):
    role = User.Role.THERAPIST
    credentials = "MT-BC"

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):  # noqa: N805
        # The sites a therapist works at (besides those of the groups they facilitate).
        if create and extracted:
            obj.sites.set(extracted)


class AdministratorFactory(UserFactory):
    role = User.Role.ADMINISTRATOR

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.sites.set(extracted)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    site = factory.SubFactory(SiteFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.org")
    reminder_channel = Participant.Channel.EMAIL
    reminders_opt_in = True


class ParticipantUserFactory(UserFactory):
    role = User.Role.PARTICIPANT


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    focus = "Connection and coping through music"
    capacity = 12
    weekday = Group.Weekday.TUESDAY
    start_time = time(10, 0)
    duration_minutes = 60
    first_date = date(2026, 1, 6)
    room = "Music room"

    @factory.post_generation
    def lead(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            Facilitation.objects.create(group=obj, therapist=extracted, role=Facilitation.Role.LEAD)


class FacilitationFactory(DjangoModelFactory):
    class Meta:
        model = Facilitation

    group = factory.SubFactory(GroupFactory)
    therapist = factory.SubFactory(TherapistFactory)
    role = Facilitation.Role.CO


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    group = factory.SubFactory(GroupFactory)
    participant = factory.SubFactory(ParticipantFactory, site=factory.SelfAttribute("..group.site"))
    start_date = date(2026, 1, 1)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.Sequence(
        lambda n: datetime(2026, 3, 3, 15, 0, tzinfo=UTC) + timedelta(weeks=n)
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=60))
    room = "Music room"


class SongFactory(DjangoModelFactory):
    class Meta:
        model = Song

    title = factory.Sequence(lambda n: f"Song {n}")
    artist = "Traditional"
    key = "G major"
    tempo_bpm = 90
    source = Song.Source.PUBLIC_DOMAIN


class PlanItemFactory(DjangoModelFactory):
    class Meta:
        model = PlanItem

    session = factory.SubFactory(SessionFactory)
    position = factory.Sequence(lambda n: n + 1)
    song = factory.SubFactory(SongFactory)
    activity_type = PlanItem.Activity.GROUP_SINGING
    minutes = 10
    purpose = "Warm up voices together"


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Attendance.Status.PRESENT
    minutes_attended = 60
    recorded_at = factory.LazyFunction(lambda: datetime.now(UTC))


# --- Lullaby projects ------------------------------------------------------------------


def wav_bytes(seconds: float = 0.05, rate: int = 8000) -> bytes:
    """A tiny, real WAV file of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(b"\x80" * int(seconds * rate))
    return buffer.getvalue()


class TeachingArtistFactory(UserFactory):
    role = User.Role.TEACHING_ARTIST


class LullabyProjectFactory(DjangoModelFactory):
    class Meta:
        model = LullabyProject
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    therapist = factory.SubFactory(TherapistFactory)
    title = "Little Bird"
    recipient_name = "Eli"
    recipient_relationship = "son"

    @factory.post_generation
    def artists(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.teaching_artists.set(extracted)


class ProjectConsentFactory(DjangoModelFactory):
    class Meta:
        model = ProjectConsent

    project = factory.SubFactory(LullabyProjectFactory)
    kind = ProjectConsent.Kind.RECORD
    level = factory.LazyAttribute(
        lambda c: ProjectConsent.Level.FAMILY if c.kind == ProjectConsent.Kind.SHARE else ""
    )
    granted = True
    stage_name = factory.LazyAttribute(
        lambda c: "Lantern" if c.level in ProjectConsent.STAGE_NAMED and c.granted else ""
    )
    share_with = factory.LazyAttribute(
        lambda c: "her son Eli" if c.kind == ProjectConsent.Kind.SHARE and c.granted else ""
    )
    recorded_by = factory.LazyAttribute(lambda c: c.project.therapist)


class LyricDraftFactory(DjangoModelFactory):
    class Meta:
        model = LyricDraft

    project = factory.SubFactory(LullabyProjectFactory)
    number = factory.LazyAttribute(lambda d: d.project.drafts.count() + 1)
    text = "Hush now, little bird\nthe night is soft and near"
    created_by = factory.LazyAttribute(lambda d: d.project.therapist)


class RecordingSessionFactory(DjangoModelFactory):
    class Meta:
        model = RecordingSession

    project = factory.SubFactory(LullabyProjectFactory)
    recorded_on = date(2026, 3, 10)
    place = "Studio B"
    engineer = "Ari Lee"
    musicians = "Guitar, voice"


class TakeFactory(DjangoModelFactory):
    class Meta:
        model = Take

    recording_session = factory.SubFactory(RecordingSessionFactory)
    number = factory.LazyAttribute(lambda t: t.recording_session.takes.count() + 1)
    duration_seconds = 185
    rating = 4
    notes = "Warm, steady"


# --- Reminders ----------------------------------------------------------------


class ReminderFactory(DjangoModelFactory):
    """A participant's reminder; give `session` (and `participant`) from the cast."""

    class Meta:
        model = "sessions_app.Reminder"

    kind = "upcoming"
    channel = "email"
    participant = factory.SubFactory(ParticipantFactory)
    session = factory.SubFactory(SessionFactory)
    slot = 0
    due_at = factory.LazyAttribute(lambda r: r.session.starts_at - timedelta(hours=2))
    status = "pending"


# --- Consents -------------------------------------------------------------------


class ConsentFactory(DjangoModelFactory):
    """A consent in force; give `participant` and `recorded_by` from the cast."""

    class Meta:
        model = "sessions_app.Consent"

    participant = factory.SubFactory(ParticipantFactory)
    disclose_what = "Attendance and session dates"
    disclose_to = "Riverside Recovery Clinic"
    purpose = "Coordination of care"
    signed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=335))
    recorded_by = factory.SubFactory(UserFactory, role=User.Role.ADMINISTRATOR)


class EmergencyAccessFactory(DjangoModelFactory):
    class Meta:
        model = EmergencyAccess

    therapist = factory.SubFactory(TherapistFactory)
    participant = factory.SubFactory(ParticipantFactory)
    reason = "In crisis at the door; her therapist is on leave this week."
    started_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda a: a.started_at + timedelta(hours=24))


# --- Session notes and treatment planning ----------------------------------------


class SessionNoteFactory(DjangoModelFactory):
    """A signed group note (pass status="draft", signed_by=None, signed_at=None for a
    draft); give `session` and `author` from the cast."""

    class Meta:
        model = SessionNote

    session = factory.SubFactory(SessionFactory)
    author = factory.SubFactory(TherapistFactory)
    subjective = "The group chose the songs."
    objective = "Everyone played."
    assessment = "Engaged."
    plan = "Continue."
    status = SessionNote.Status.SIGNED
    signed_by = factory.SelfAttribute("author")
    signed_at = factory.LazyFunction(timezone.now)


def goal_area(name: str = "Social connection") -> GoalArea:
    # Transactional tests flush the migration's rows: never rely on them.
    return GoalArea.objects.get_or_create(name=name)[0]


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    participant = factory.SubFactory(ParticipantFactory)
    author = factory.SubFactory(TherapistFactory)
    assessed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
    music_background = "Sang in a church choir as a teenager; loves 70s soul."
    summary = "Music therapy to rebuild connection and coping with craving."


class TreatmentPlanFactory(DjangoModelFactory):
    """A signed plan in force (version 1); give `participant` and `author`."""

    class Meta:
        model = TreatmentPlan

    participant = factory.SubFactory(ParticipantFactory)
    author = factory.SubFactory(TherapistFactory)
    version = 1
    starts_on = factory.LazyFunction(lambda: date.today() - timedelta(days=60))
    review_on = factory.LazyAttribute(lambda p: p.starts_on + timedelta(days=90))
    methods = factory.LazyFunction(lambda: [TreatmentPlan.Method.RECREATIVE])
    status = TreatmentPlan.Status.SIGNED
    signed_by = factory.SelfAttribute("author")
    signed_at = factory.LazyFunction(timezone.now)


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(TreatmentPlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    need = "Isolated since leaving residential care."
    area = factory.LazyFunction(goal_area)
    statement = "Feel part of the group."
    plain_words = "Feel less alone"


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    goal = factory.SubFactory(GoalFactory)
    position = factory.Sequence(lambda n: n + 1)
    behaviour = "sing one verse alone"
    criterion = "in 3 of 4 sessions"
    target_on = factory.LazyFunction(lambda: date.today() + timedelta(days=60))


class ObjectiveProgressFactory(DjangoModelFactory):
    """Progress on `objective` in `note`; the participant is the objective's."""

    class Meta:
        model = ObjectiveProgress

    note = factory.SubFactory(SessionNoteFactory)
    objective = factory.SubFactory(ObjectiveFactory)
    participant = factory.LazyAttribute(lambda p: p.objective.goal.plan.participant)
    level = ObjectiveProgress.Level.MODERATE
    observation = ""


class ProgressReportFactory(DjangoModelFactory):
    """A draft progress report over the last 30 days; give `participant` and `author`."""

    class Meta:
        model = ProgressReport

    participant = factory.SubFactory(ParticipantFactory)
    author = factory.SubFactory(TherapistFactory)
    kind = ProgressReport.Kind.PROGRESS
    period_end = factory.LazyFunction(date.today)
    period_start = factory.LazyAttribute(lambda r: r.period_end - timedelta(days=29))
    attendance = "Attended 4 of 4 sessions (100%)."
    progress = "• Will sing one verse alone in 3 of 4 sessions — moderate (3 Nov)."
    recommendations = ""


class TrackFactory(DjangoModelFactory):
    """A melody idea by the project's therapist (attach `audio` in the test)."""

    class Meta:
        model = Track

    project = factory.SubFactory(LullabyProjectFactory)
    kind = Track.Kind.IDEA
    created_by = factory.LazyAttribute(lambda t: t.project.therapist)


class SharingProgramFactory(DjangoModelFactory):
    class Meta:
        model = SharingProgram

    site = factory.SubFactory(SiteFactory)
    title = "Winter sharing session"
    event_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    created_by = factory.SubFactory(TherapistFactory)
