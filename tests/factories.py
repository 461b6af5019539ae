"""factory_boy factories for the domain. Times are aware and in UTC."""

import io
import wave
from datetime import UTC, date, datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sessions_app.models import (
    Attendance,
    EmergencyAccess,
    Enrollment,
    Facilitation,
    Group,
    LullabyProject,
    LyricDraft,
    Participant,
    PlanItem,
    ProjectConsent,
    RecordingSession,
    Session,
    Site,
    Song,
    Take,
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
    granted = True
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
