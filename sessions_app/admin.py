from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    Attendance,
    Enrollment,
    Facilitation,
    GoalArea,
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
    StageChange,
    Take,
    Theme,
    User,
)


def _stamp(attendance: Attendance, user: User) -> None:
    """Attendance entered in the admin is recorded by whoever entered it, now."""
    attendance.recorded_by = user
    attendance.recorded_at = timezone.now()


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "address"]
    search_fields = ["name", "address"]


# Goal areas are a shared vocabulary (songs, plan items, goals). Assessments, plans and
# reports are deliberately not in the admin: administrators never read their words.
@admin.register(GoalArea)
class GoalAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    ordering = ["position", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "credentials", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "sites"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Refrain", {"fields": ("role", "credentials", "sites", "supervisor", "language")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("Refrain", {"fields": ("role", "credentials")}),
    )
    filter_horizontal = ["groups", "user_permissions", "sites"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "preferred_name",
        "site",
        "reminder_channel",
        "reminders_opt_in",
        "language",
    ]
    list_filter = ["site", "reminder_channel", "reminders_opt_in", "language"]
    search_fields = ["first_name", "last_name", "preferred_name", "email", "phone"]
    raw_id_fields = ["user"]


class FacilitationInline(admin.TabularInline):
    model = Facilitation
    extra = 0
    autocomplete_fields = ["therapist"]


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["participant"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "site",
        "weekday",
        "start_time",
        "enrollment",
        "capacity",
        "first_date",
        "last_date",
    ]
    list_filter = ["site", "enrollment", "weekday"]
    search_fields = ["name", "focus"]
    inlines = [FacilitationInline, EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["participant", "group", "start_date", "end_date", "status"]
    list_filter = ["status", "group__site", "group"]
    search_fields = ["participant__first_name", "participant__last_name", "group__name"]
    autocomplete_fields = ["participant", "group"]
    date_hierarchy = "start_date"


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    autocomplete_fields = ["song"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["participant"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["group", "starts_at", "ends_at", "room", "status"]
    list_filter = ["status", "group__site", "group"]
    search_fields = ["group__name", "room", "cancel_reason"]
    date_hierarchy = "starts_at"
    list_select_related = ["group__site"]
    inlines = [PlanItemInline, AttendanceInline]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Attendance):
                _stamp(instance, request.user)
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = [
        "session",
        "participant",
        "status",
        "minutes_attended",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["status", "session__group__site", "session__group"]
    search_fields = ["participant__first_name", "participant__last_name", "session__group__name"]
    list_select_related = ["session__group__site", "participant", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        _stamp(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "key", "tempo_bpm", "source"]
    list_filter = ["source", "themes"]
    search_fields = ["title", "artist", "themes__name"]
    filter_horizontal = ["themes"]


admin.site.register(Facilitation)
admin.site.site_header = "Refrain administration"
admin.site.site_title = "Refrain"


# --- Audit trail ---------------------------------------------------------------
# auditlog's own admin lets a superuser delete entries; this one only reads them. The
# database refuses UPDATE and DELETE on the table as well (0004_audit_log_append_only).
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ReadOnlyLogEntryAdmin(AuditlogLogEntryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Lullaby projects ------------------------------------------------------------------
# Read-mostly: consent, stages, drafts, the final take and the delivery follow rules the
# services enforce (consent before recording or sharing, append-only consent, numbered
# versions), so here they are shown, not edited. Audio is never linked from the admin:
# it is served only by the permission-checked view.


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageChangeInline(_ReadOnlyInline):
    model = StageChange
    fields = ["stage", "changed_at", "changed_by"]
    readonly_fields = fields


class ProjectConsentInline(_ReadOnlyInline):
    model = ProjectConsent
    fields = ["kind", "granted", "share_with", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


class LyricDraftInline(_ReadOnlyInline):
    model = LyricDraft
    fields = ["number", "created_by", "created_at", "notes"]
    readonly_fields = fields


class RecordingSessionInline(_ReadOnlyInline):
    model = RecordingSession
    fields = ["recorded_on", "place", "engineer", "musicians"]
    readonly_fields = fields
    show_change_link = True


@admin.register(LullabyProject)
class LullabyProjectAdmin(admin.ModelAdmin):
    list_display = ["__str__", "participant", "therapist", "stage", "delivered_on"]
    list_filter = ["stage", "participant__site"]
    search_fields = ["title", "recipient_name", "participant__first_name", "participant__last_name"]
    list_select_related = ["participant", "therapist"]
    autocomplete_fields = ["participant", "therapist"]
    filter_horizontal = ["teaching_artists"]
    readonly_fields = [
        "stage",
        "final_take",
        "delivered_on",
        "delivery_method",
        "delivered_to",
        "created_at",
        "updated_at",
    ]
    inlines = [StageChangeInline, ProjectConsentInline, LyricDraftInline, RecordingSessionInline]


class TakeInline(_ReadOnlyInline):
    model = Take
    fields = ["number", "duration_seconds", "rating", "notes", "has_audio", "created_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="audio")
    def has_audio(self, take: Take) -> bool:
        return bool(take.audio)


@admin.register(RecordingSession)
class RecordingSessionAdmin(admin.ModelAdmin):
    list_display = ["project", "recorded_on", "place", "engineer"]
    list_filter = ["project__participant__site"]
    list_select_related = ["project"]
    readonly_fields = ["project"]
    inlines = [TakeInline]

    def has_add_permission(self, request):
        # Recording sessions are logged in the app, where consent to record is checked.
        return False


# Two-step sign-in: django-otp's admin would show every staff member's authenticator
# secret and recovery codes to whoever has the admin. Resets go through the
# administrators' page instead, which checks who may reset whose and audits it.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
