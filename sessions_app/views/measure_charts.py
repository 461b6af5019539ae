"""Measures as charts and figures: one participant's (their therapists), one group's week
by week, the administrators' outcomes, and the per-participant CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .. import instruments, measure_charts
from ..exports import csv_response
from ..forms.outcomes import OutcomesForm
from ..forms.reports import period_from
from ..models import Enrollment
from ..permissions import (
    check_admin_pages,
    get_measures_participant_for_user,
    get_outcomes_group_for_user,
    groups_for,
    report_sites_for,
    responses_for,
)
from ..selectors import measures as selectors
from ..selectors.reports import Period, _add_months


def _visible_enrollments(request: HttpRequest):
    return Enrollment.objects.filter(group__in=groups_for(request.user).values("pk"))


@never_cache
@login_required
def participant_measures(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Each instrument over time with its bands, enrolment and discharge marked, and the
    session check-ins: for the therapists who see the participant's answers."""
    participant = get_measures_participant_for_user(request, participant_id)
    responses = responses_for(request.user)
    history = selectors.participant_history(responses=responses, participant=participant)
    milestones = selectors.participant_milestones(
        enrollments=_visible_enrollments(request), participant=participant
    )
    checkins = selectors.participant_checkins(responses=responses, participant=participant)
    ctx = {
        "participant": participant,
        "histories": [(h, measure_charts.score_chart(h, milestones)) for h in history],
        "milestones": milestones,
        "checkins": checkins,
        "checkin_chart": measure_charts.checkin_chart(checkins) if checkins else None,
    }
    return render(request, "measures/participant.html", ctx)


CSV_HEADER = [
    "Answered at",
    "Instrument",
    "Score",
    "Band",
    "Session",
    "Phase",
    "Mood",
    "Craving",
    "Connection",
    "How answered",
]


@login_required
def participant_measures_csv(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = get_measures_participant_for_user(request, participant_id)
    tz = participant.tz
    rows = (
        responses_for(request.user)
        .filter(participant=participant)
        # The site too: a session's local date is read in its site's zone.
        .select_related("session__group__site")
        .order_by("answered_at", "pk")
    )

    def lines():
        for r in rows.iterator(chunk_size=500):
            inst = instruments.get(r.instrument)
            band = inst.band(r.score)
            yield [
                f"{r.answered_at.astimezone(tz):%Y-%m-%d %H:%M}",
                inst.name,
                r.score,
                band.label if band else "",
                f"{r.session.group.name} {r.session.local_date:%Y-%m-%d}" if r.session else "",
                r.get_phase_display() if r.phase else "",
                r.answers.get("mood") if not inst.totals else None,
                r.answers.get("craving") if not inst.totals else None,
                r.answers.get("connection") if not inst.totals else None,
                r.get_via_display(),
            ]

    return csv_response(
        filename=f"measures-participant-{participant.pk}.csv", header=CSV_HEADER, rows=lines()
    )


@never_cache
@login_required
def group_measures_chart(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_outcomes_group_for_user(request, group_id)
    # A therapist of the group sees each week's mean; an administrator, only the weeks
    # with enough people that a mean is not one person's answer.
    suppress = not request.user.is_therapist
    today = timezone.now().astimezone(group.site.tz).date()
    weeks = selectors.group_weeks(group=group, today=today, suppress=suppress)
    ctx = {
        "group": group,
        "weeks": weeks,
        "chart": measure_charts.group_chart(weeks.weeks),
        "small_cell": selectors.SMALL_CELL,
    }
    return render(request, "measures/group.html", ctx)


@never_cache
@login_required
def report_outcomes(request: HttpRequest) -> HttpResponse:
    """Per site and group over a period: aggregates only, small cells suppressed."""
    check_admin_pages(request)
    sites = list(report_sites_for(request.user).order_by("name"))
    today = timezone.now().astimezone(sites[0].tz).date() if sites else timezone.localdate()
    # Change takes months to show: the last twelve by default.
    default = Period(_add_months(today.replace(day=1), -11), today)
    form, period = period_from(request.GET, default=default)
    choice = OutcomesForm(request.GET if "instrument" in request.GET else None)
    code = choice.cleaned_data["instrument"] if choice.is_valid() else "ucla3"
    instrument = instruments.get(code)
    report = selectors.outcomes(sites=sites, period=period, instrument=instrument)
    ctx = {
        "form": form,
        "choice": choice,
        "period": period,
        "report": report,
        "tables": [
            {
                "title": "By site",
                "first": "Site",
                "rows": report.sites,
                "caption": f"{instrument.name} by site",
            },
            {
                "title": "By group",
                "first": "Group",
                "rows": report.groups,
                "caption": f"{instrument.name} by group",
            },
        ],
        "instrument": instrument,
        "small_cell": selectors.SMALL_CELL,
    }
    return render(request, "measures/outcomes.html", ctx)
