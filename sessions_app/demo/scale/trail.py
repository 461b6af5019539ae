"""The audit trail two years of use would have left: a change entry for every roll
call, note, reflection, enrollment and consent (as auditlog and `log_bulk_saves` write
them), for each assessment, treatment plan version and progress report, ACCESS entries
for clinical pages, and logins.

Entries are written in time order, as a live system appends them.
"""

import json
import random
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from sessions_app import models
from sessions_app.audit import REDACTED

from .loader import Loader
from .records import Record, enrolled_at
from .world import World

CREATE, UPDATE, ACCESS = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.ACCESS
STATUS_LABELS = {
    "present": "Present",
    "late": "Late",
    "left_early": "Left early",
    "excused": "Excused",
    "absent": "Absent",
}
COLUMNS = (
    "id",
    "timestamp",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "actor_id",
    "content_type_id",
    "remote_addr",
    "additional_data",
    "changes_text",
    "actor_email",
)
PARTICIPANT_VIEW_SHARE = 0.2  # roll-call rows after which the therapist opened the person


def _diff(**fields) -> str:
    """auditlog's `changes` for a created row: every field from "None" to its value."""
    return json.dumps({k: ["None", str(v)] for k, v in fields.items()})


def write_audit(loader: Loader, world: World, record: Record, rng: random.Random) -> None:
    entries: list[tuple] = []
    ct = {
        m.__name__: ContentType.objects.get_for_model(m).id
        for m in (
            models.User,
            models.Attendance,
            models.Enrollment,
            models.SessionNote,
            models.ParticipantNote,
            models.Reflection,
            models.Consent,
            models.Session,
            models.Participant,
            models.Group,
            models.LullabyProject,
            models.Assessment,
            models.TreatmentPlan,
            models.ProgressReport,
        )
    }
    emails = {s.id: s.email for s in world.staff}
    for p in world.people:
        if p.user_id:
            emails[p.user_id] = p.email
    addr = {}  # a few office addresses per site

    def ip(site_id: int) -> str:
        return addr.setdefault(
            (site_id, rng.randint(0, 3)), f"10.{site_id}.0.{rng.randint(2, 250)}"
        )

    def add(when, model, pk, label, action, changes, actor, site_id, data=None):
        entries.append(
            (
                when,
                str(pk) if pk is not None else "",
                pk,
                label,
                action,
                changes,
                actor,
                ct[model],
                ip(site_id) if actor else None,
                data,
                "",
                emails.get(actor) if actor else None,
            )
        )

    def access(when, what, page, path, model, pk, actor, site_id, about=""):
        details = {"what": what, "page": page, "path": path}
        if about:
            details["about"] = about
        add(when, model, pk, "", ACCESS, None, actor, site_id, json.dumps(details))

    _people_changes(world, record, add)
    _roll_call_changes(world, record, rng, add)
    _note_changes(world, record, add)
    _views(world, record, rng, access)
    _logins(world, rng, add)
    _planning_changes(world, record, add)
    entries.sort(key=lambda e: e[0])
    loader.copy("auditlog_logentry", COLUMNS, ((n, *e) for n, e in enumerate(entries, start=1)))


def _people_changes(world: World, record: Record, add) -> None:
    """Staff accounts created, enrollments begun and ended, consents given and revoked."""
    admins = {}
    for staff in world.staff_by_role("administrator"):
        for site_id in staff.site_ids:
            admins.setdefault(site_id, staff.id)
    for staff in world.staff:
        add(
            staff.joined,
            "User",
            staff.id,
            staff.label,
            CREATE,
            _diff(id=staff.id, username=staff.username, role=staff.role),
            None,
            1,
        )
    for stint in world.stints:
        site = stint.group.site
        label = f"{stint.person.short_name} in {stint.group.name}"
        created = enrolled_at(stint.start_date, site)
        admin = admins[site.id]
        fields = dict(
            id=stint.id,
            group=stint.group.id,
            participant=stint.person.id,
            start_date=stint.start_date,
            status="active",
            discharge_reason="",
        )
        add(created, "Enrollment", stint.id, label, CREATE, _diff(**fields), admin, site.id)
        if stint.end_date is not None:
            ended = min(
                datetime.combine(stint.end_date, datetime.min.time(), tzinfo=site.tz)
                + timedelta(hours=15),
                world.now,
            )
            changes = {
                "status": ["active", stint.status],
                "end_date": ["None", str(stint.end_date)],
            }
            if stint.reason:
                changes["discharge_reason"] = ["", stint.reason]
            add(ended, "Enrollment", stint.id, label, UPDATE, json.dumps(changes), admin, site.id)
    for consent_id, person, recorded_by, recorded_at, revoked_at, revoked_by in record.consents:
        label = f"Consent of {person.short_name}"
        changes = _diff(id=consent_id, participant=person.id, recorded_by=recorded_by)
        add(recorded_at, "Consent", consent_id, label, CREATE, changes, recorded_by, person.site.id)
        if revoked_at:
            changes = json.dumps({"revoked_at": ["None", str(revoked_at)]})
            add(
                revoked_at,
                "Consent",
                consent_id,
                label,
                UPDATE,
                changes,
                revoked_by,
                person.site.id,
            )


def _roll_call_changes(world: World, record: Record, rng: random.Random, add) -> None:
    """Each roll-call row as `log_bulk_saves` records it, and the odd correction."""
    for att_id, session, person, status, minutes, recorder, recorded_at in record.attendance:
        site_id = session.group.site.id
        label = f"{person.short_name}: {STATUS_LABELS[status]}"
        changes = _diff(
            id=att_id,
            session=session.id,
            participant=person.id,
            status=status,
            minutes_attended=minutes,
            recorded_by=recorder,
            recorded_at=recorded_at,
        )
        add(recorded_at, "Attendance", att_id, label, CREATE, changes, recorder, site_id)
        if status in ("absent", "excused") and rng.random() < 0.02:
            # Someone came in after roll call and the record was corrected.
            fixed = json.dumps({"status": [status, "late"], "minutes_attended": ["None", "30"]})
            later = recorded_at + timedelta(minutes=rng.randint(5, 120))
            add(
                min(later, world.now), "Attendance", att_id, label, UPDATE, fixed, recorder, site_id
            )


def _note_changes(world: World, record: Record, add) -> None:
    """Notes drafted and signed, notes on participants, reflections written."""
    for note_id, session, author, signed, created, signed_at in record.notes:
        site_id = session.group.site.id
        label = f"Note for {session.group.name}"
        fields = dict(id=note_id, session=session.id, author=author, status="draft")
        add(created, "SessionNote", note_id, label, CREATE, _diff(**fields), author, site_id)
        if signed:
            changes = json.dumps(
                {"status": ["draft", "signed"], "signed_by": ["None", str(author)]}
            )
            add(signed_at, "SessionNote", note_id, label, UPDATE, changes, author, site_id)
    for pn_id, note_id, session, person in record.participant_notes:
        add(
            min(session.ends_at + timedelta(minutes=40), world.now),
            "ParticipantNote",
            pn_id,
            f"{person.short_name} — {session.group.name}",
            CREATE,
            _diff(id=pn_id, note=note_id, participant=person.id, text="..."),
            session.group.lead_id,
            session.group.site.id,
        )
    for reflection_id, session, person, written, entered_by in record.reflections:
        # What the reflection says stays out of the trail (audit.register_models).
        changes = _diff(id=reflection_id, session=session.id, participant=person.id)
        masked = json.loads(changes)
        for name in ("mood_before", "mood_after", "connection", "text"):
            masked[name] = ["None", REDACTED]
        actor = entered_by or person.user_id
        add(
            written,
            "Reflection",
            reflection_id,
            f"Reflection by {person.short_name} on {session.group.name}",
            CREATE,
            json.dumps(masked),
            actor,
            session.group.site.id,
        )


def _planning_changes(world: World, record: Record, add) -> None:
    """Assessments, plan versions and reports drafted, signed, superseded: who and when,
    never what they say (administrators read the trail)."""
    people = {p.id: p for p in world.people}

    def document(model, pk, label, person, author, created, signed_at, **fields):
        site_id = person.site.id
        changes = _diff(id=pk, participant=person.id, status="draft", **fields)
        add(created, model, pk, label, CREATE, changes, author, site_id)
        if signed_at:
            signing = {"status": ["draft", "signed"], "signed_by": ["None", str(author)]}
            add(signed_at, model, pk, label, UPDATE, json.dumps(signing), author, site_id)

    for pk, person_id, author, created, signed_at in record.assessments:
        person = people[person_id]
        label = f"Assessment of {person.short_name}"
        document("Assessment", pk, label, person, author, created, signed_at)
    for pk, person_id, version, author, created, signed_at, superseded in record.treatment_plans:
        person = people[person_id]
        label = f"Treatment plan v{version} for {person.short_name}"
        document("TreatmentPlan", pk, label, person, author, created, signed_at, version=version)
        if superseded:
            changes = json.dumps({"superseded_at": ["None", str(superseded)]})
            add(superseded, "TreatmentPlan", pk, label, UPDATE, changes, author, person.site.id)
    for pk, person_id, kind, author, created, signed_at in record.progress_reports:
        person = people[person_id]
        what = "Discharge summary" if kind == "discharge" else "Progress report"
        label = f"{what} for {person.short_name}"
        document("ProgressReport", pk, label, person, author, created, signed_at, kind=kind)


def _views(world: World, record: Record, rng: random.Random, access) -> None:
    """Therapists open each session's page, roll call and note; now and then a
    participant's record; administrators read reports."""
    now = world.now
    for session in world.sessions:
        if not session.held:
            continue
        group, sid = session.group, session.id
        lead, site_id = group.lead_id, group.site.id
        before = session.starts_at - timedelta(minutes=rng.randint(5, 60))
        access(before, "view", "session_detail", f"/sessions/{sid}/", "Session", sid, lead, site_id)
        at = session.starts_at + timedelta(minutes=2)
        path = f"/sessions/{sid}/attendance/"
        access(at, "view", "roll_call", path, "Session", sid, lead, site_id, "attendance")
        at = min(session.ends_at + timedelta(minutes=rng.randint(10, 80)), now)
        path = f"/sessions/{sid}/note/"
        access(at, "view", "note_edit", path, "Session", sid, lead, site_id, "note")
    for _, session, person, _, _, recorder, recorded_at in record.attendance:
        if rng.random() < PARTICIPANT_VIEW_SHARE:
            at = min(recorded_at + timedelta(minutes=rng.randint(1, 600)), now)
            path = f"/participants/{person.id}/"
            site_id = session.group.site.id
            access(
                at, "view", "participant_detail", path, "Participant", person.id, recorder, site_id
            )
    admins = world.staff_by_role("administrator") + [world.logins["scale-admin"]]
    days = (now - min(s.starts_at for s in world.sessions)).days
    people = world.people
    for admin in admins:
        for _ in range(days // 3):
            at = now - timedelta(days=rng.uniform(0, days))
            person = rng.choice(people)
            path = f"/reports/participants/{person.id}/"
            site_id = admin.site_ids[0]
            access(
                at, "view", "report_participant", path, "Participant", person.id, admin.id,
                site_id, "attendance",
            )  # fmt: skip


def _logins(world: World, rng: random.Random, add) -> None:
    """A login for each day a therapist ran a group, administrators on workdays,
    participants with a login now and then; a few failed attempts."""
    now = world.now
    days: set[tuple[int, int, object, datetime]] = set()
    for session in world.sessions:
        if session.status == "cancelled" or session.starts_at > now:
            continue
        group = session.group
        day = session.starts_at.date()
        for therapist_id in (group.lead_id, *group.co_ids):
            days.add((therapist_id, group.site.id, day, session.starts_at))
    seen = set()
    labels = {s.id: s.label for s in world.staff}
    for therapist_id, site_id, day, starts_at in sorted(days, key=lambda d: (d[3], d[0])):
        if (therapist_id, day) in seen:
            continue
        seen.add((therapist_id, day))
        at = starts_at - timedelta(minutes=rng.randint(30, 120))
        data = json.dumps({"what": "login"})
        add(
            at,
            "User",
            therapist_id,
            labels[therapist_id],
            ACCESS,
            None,
            therapist_id,
            site_id,
            data,
        )
        if rng.random() < 0.5:
            data = json.dumps({"what": "logout"})
            later = min(starts_at + timedelta(hours=3), now)
            add(
                later,
                "User",
                therapist_id,
                labels[therapist_id],
                ACCESS,
                None,
                therapist_id,
                site_id,
                data,
            )
    span = (now - min(s.starts_at for s in world.sessions)).days
    for admin in world.staff_by_role("administrator"):
        for n in range(span):
            at = now - timedelta(days=n, hours=rng.randint(1, 9))
            if at.weekday() < 5:
                data = json.dumps({"what": "login"})
                add(
                    at,
                    "User",
                    admin.id,
                    labels[admin.id],
                    ACCESS,
                    None,
                    admin.id,
                    admin.site_ids[0],
                    data,
                )
    for person in world.people:
        if not person.user_id:
            continue
        for _ in range(rng.randint(5, 60)):
            at = now - timedelta(days=rng.uniform(0, span), minutes=1)
            if at < person.created_at:
                continue
            data = json.dumps({"what": "login"})
            add(
                at,
                "User",
                person.user_id,
                person.username,
                ACCESS,
                None,
                person.user_id,
                person.site.id,
                data,
            )
        if rng.random() < 0.05:
            at = now - timedelta(days=rng.uniform(0, 30))
            data = json.dumps({"what": "login_failed", "username": person.username})
            add(
                at,
                "User",
                person.user_id,
                person.username,
                ACCESS,
                None,
                None,
                person.site.id,
                data,
            )
