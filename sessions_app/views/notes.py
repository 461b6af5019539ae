"""Session notes: the group's therapists write and sign; site administrators read.

An administrator may see the session, so the note's existence is no secret to them:
their writes answer 403. A supervisor reads, prints and co-signs (or sends back) a
supervisee's note while it waits for them. Everyone else never gets past
`get_session_for_user` or `get_note_session_for_user` (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..forms.notes import AddendumForm, NoteForm, SendBackForm
from ..models import Session
from ..permissions import (
    get_note_for_cosigner,
    get_note_session_for_user,
    get_session_for_user,
    get_session_participant_for_user,
    may_cosign,
    may_write_clinical_note,
)
from ..selectors import meetings as selectors_meetings
from ..selectors.meetings import RosterLine, SessionRecord
from ..services import notes as note_services
from ..services.errors import ServiceError
from .submit import submit

WRITERS_ONLY = "Only the group's therapists write, sign and add to its notes."


def _require_writer(request: HttpRequest, session: Session) -> None:
    if not may_write_clinical_note(request.user, session.group):
        raise PermissionDenied(WRITERS_ONLY)


def _tz_label(session: Session) -> str:
    return f"{session.local_starts_at:%Z} ({session.group.site.time_zone})"


def _note_page(
    request: HttpRequest,
    session: Session,
    record: SessionRecord,
    *,
    form: NoteForm | None = None,
    addendum_form: AddendumForm | None = None,
    send_back_form: SendBackForm | None = None,
) -> HttpResponse:
    may_write = may_write_clinical_note(request.user, session.group)
    note = record.note
    signed = note is not None and note.is_signed
    locked = note is not None and note.is_locked
    editable = may_write and note_services.note_edit_refusal(session=session, note=note) is None
    if editable and form is None:
        form = NoteForm(record=record, tz_label=_tz_label(session))
    if may_write and signed and addendum_form is None:
        addendum_form = AddendumForm()
    reviewer = note is not None and may_cosign(request.user, note)
    ctx = {
        "session": session,
        "record": record,
        "note": note,
        "may_write": may_write,
        "form": form if editable else None,
        "addendum_form": addendum_form if may_write and signed else None,
        "send_back_form": (send_back_form or SendBackForm()) if reviewer else None,
        "missing": _missing(session, record, form_shown=editable) if not locked else [],
        "advice": _advice(session, record) if not locked else [],
    }
    return render(request, "notes/edit.html", ctx)


def _advice(session: Session, record: SessionRecord) -> list[str]:
    """Progress not recorded, where the site does not require it before signing."""
    if session.group.site.progress_required_to_sign:
        return []
    return note_services.note_progress_missing(record=record)


SCHEDULE_TIMES = (
    "Times from the schedule, not saved yet: change them if the session started or ended "
    "at another time, then save the draft."
)


def _missing(session: Session, record: SessionRecord, *, form_shown: bool) -> list[str]:
    """What is missing before signing, as the page beside the form should say it: the
    form shows the schedule's times until actual ones are saved, so "not recorded"
    would contradict what the therapist sees."""
    missing = note_services.note_missing_for_signing(session=session, record=record)
    if not form_shown:
        return missing
    untimed = [m for m in missing if m in note_services.TIMES_NOT_RECORDED]
    if not untimed:
        return missing
    return [SCHEDULE_TIMES] + [m for m in missing if m not in note_services.TIMES_NOT_RECORDED]


@never_cache
@login_required
def note_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_note_session_for_user(request, session_id)
    if request.method != "POST":
        return _note_page(request, session, selectors_meetings.session_record(session=session))

    _require_writer(request, session)
    record = selectors_meetings.session_record(session=session)
    refusal = note_services.note_edit_refusal(session=session, note=record.note)
    if refusal:
        messages.error(request, refusal)
        return redirect("note_edit", session.pk)
    form = NoteForm(request.POST, record=record, tz_label=_tz_label(session))
    if submit(
        request,
        form,
        lambda _: note_services.note_save_draft(
            session=session, author=request.user, draft=form.draft()
        ),
    ):
        if request.POST.get("action") == "sign":
            return redirect("note_sign", session.pk)
        messages.success(request, "Draft saved.")
        return redirect("note_edit", session.pk)
    return _note_page(request, session, record, form=form)


@never_cache
@login_required
def note_sign(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET: what is missing, or the confirmation. POST: sign."""
    session = get_session_for_user(request, session_id)
    errors: list[str] = []
    if request.method == "POST":
        _require_writer(request, session)
        try:
            note_services.note_sign(session=session, by=request.user)
        except ServiceError as exc:
            errors = exc.messages
        else:
            if request.user.supervisor_id is not None:
                messages.success(
                    request,
                    "Note signed. It waits for your supervisor's co-signature and can no "
                    "longer change unless they send it back.",
                )
            else:
                messages.success(
                    request, "Note signed. It can no longer change; add addenda below."
                )
            return redirect("note_edit", session.pk)
        session.refresh_from_db()
    record = selectors_meetings.session_record(session=session)
    note = record.note
    signed = note is not None and note.is_signed
    missing = (
        [] if signed else note_services.note_missing_for_signing(session=session, record=record)
    )
    ctx = {
        "session": session,
        "record": record,
        "note": note,
        "may_write": may_write_clinical_note(request.user, session.group),
        # What the signing refused for, beyond the checklist (it may have changed since).
        "missing": missing + [e for e in errors if e not in missing],
        "advice": [] if signed else _advice(session, record),
    }
    return render(request, "notes/sign.html", ctx)


@login_required
def note_addendum(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    if request.method != "POST":
        return redirect(reverse("note_edit", args=[session.pk]) + "#addenda")
    _require_writer(request, session)
    form = AddendumForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    try:
        note_services.note_addendum_add(session=session, author=request.user, text=text)
    except ServiceError as exc:
        record = selectors_meetings.session_record(session=session)
        if record.note is not None and record.note.is_signed:
            if not form.errors:
                form.add_error("text", exc)
            return _note_page(request, session, record, addendum_form=form)
        messages.error(request, " ".join(exc.messages))
        return redirect("note_edit", session.pk)
    messages.success(request, "Addendum added.")
    return redirect(reverse("note_edit", args=[session.pk]) + "#addenda")


@login_required
def note_review(request: HttpRequest, session_id: int) -> HttpResponse:
    """The supervisor co-signs a supervisee's note, or sends it back with a comment."""
    if request.method != "POST":
        get_note_session_for_user(request, session_id)
        return redirect("note_edit", session_id)
    note = get_note_for_cosigner(request, session_id)
    session = note.session
    if request.POST.get("action") == "cosign":
        note_services.note_cosign(note=note, by=request.user)
        messages.success(request, f"Note co-signed: the note for {session} is final.")
        return redirect("home")
    form = SendBackForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        note_services.note_send_back(note=note, by=request.user, comment=comment)
    except ServiceError as exc:
        form.add_error("comment", exc)
        record = selectors_meetings.session_record(session=session)
        return _note_page(request, session, record, send_back_form=form)
    messages.success(request, f"Note sent back to {note.author} with your comment.")
    return redirect("home")


@never_cache
@login_required
def note_print(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_note_session_for_user(request, session_id)
    record = selectors_meetings.session_record(session=session)
    ctx = {
        "session": session,
        "plan": record.plan,
        "plan_minutes": record.plan_minutes,
        "facilitations": session.group.facilitations.select_related("therapist"),
        "note": record.note,
        "lines": record.lines,
        "status_counts": record.status_counts,
        "participant_notes": [
            (ln, pn, progress)
            for ln, pn, progress in record.participant_sections
            if (pn and pn.text) or progress
        ],
        "addenda": record.addenda,
        "copy_for": None,
        "printed_at": timezone.now(),
    }
    return render(request, "notes/print.html", ctx)


@never_cache
@login_required
def note_print_participant(
    request: HttpRequest, session_id: int, participant_id: int
) -> HttpResponse:
    """One participant's copy: their attendance and note, the plan and the group note.

    Built so that no other participant is even in the template's context: their names,
    attendance and notes cannot leak through a template slip. The group note's free
    text is included as written (the note form asks for it to be written without names).
    Addenda are left out: they may correct another participant's note.
    """
    session = get_session_for_user(request, session_id)
    participant = get_session_participant_for_user(request, session, participant_id)
    record = selectors_meetings.session_record(session=session)
    line = next(
        (ln for ln in record.lines if ln.participant.pk == participant.pk),
        RosterLine(participant, None, on_roster=False),
    )
    own_note = record.participant_notes.get(participant.pk)
    # Their own objectives only: the record's other sections are never handed over.
    own_progress = record.progress.get(participant.pk, [])
    ctx = {
        "session": session,
        "plan": record.plan,
        "plan_minutes": record.plan_minutes,
        "facilitations": session.group.facilitations.select_related("therapist"),
        "note": record.note,
        "lines": [line],
        "status_counts": None,
        "participant_notes": [(line, own_note, own_progress)]
        if (own_note and own_note.text) or own_progress
        else [],
        "addenda": [],
        "addenda_left_out": len(record.addenda),
        "copy_for": participant,
        "printed_at": timezone.now(),
    }
    return render(request, "notes/print.html", ctx)
