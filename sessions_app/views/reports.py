"""Attendance reports for administrators, their CSV exports, and the sign-in sheet.

Every report page is built by one `_…_report` function that both the page and its CSV
use, so the file always says what the page says.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..exports import csv_response
from ..forms.reports import period_from
from ..models import Site
from ..permissions import (
    check_admin_pages,
    get_report_group_for_user,
    get_report_participant_for_user,
    get_report_site_for_user,
    get_report_therapist_for_user,
    get_session_for_user,
    report_sites_for,
)
from ..report_charts import trend_chart
from ..selectors import meetings as selectors_meetings
from ..selectors import reports as reports
from ..selectors.reports import Figures, Period, Report

FIGURE_HEADER = [
    "Sessions held",
    "Cancelled",
    "Scheduled",
    "Enrolled",
    "Present",
    "Late",
    "Left early",
    "Excused",
    "Absent",
    "Attended",
    "Attendance rate",
]


# A network's overview would list hundreds of therapists; past this many, each site's
# report lists its own (and the CSV all of them).
OVERVIEW_THERAPISTS_SHOWN = 60


def _threshold() -> float:
    return settings.SLIPPING_RATE_THRESHOLD


def _sites(request: HttpRequest) -> list[Site]:
    return list(report_sites_for(request.user).order_by("name"))


def _today(sites: list[Site]) -> date:
    """Today where the first of the sites is (the server's zone if there is none)."""
    now = timezone.now()
    return now.astimezone(sites[0].tz).date() if sites else timezone.localdate(now)


def _period(request: HttpRequest, sites: list[Site]):
    return period_from(request.GET, default=Period.month_of(_today(sites)))


def _trend(months: list[reports.MonthFigures]) -> dict:
    return {"months": months, "chart": trend_chart(months)}


# --- Shared between pages and CSV -------------------------------------------------------


def _overview(request: HttpRequest, *, trend: bool = False) -> dict:
    check_admin_pages(request)
    sites = _sites(request)
    form, period = _period(request, sites)
    report, by_therapist = reports.site_overview(sites=sites, period=period, trend=trend)
    return {
        "sites": sites,
        "form": form,
        "period": period,
        "report": report,
        "by_therapist": by_therapist,
    }


def _site(request: HttpRequest, site_id: int, *, trend: bool = False) -> dict:
    site = get_report_site_for_user(request, site_id)
    form, period = _period(request, [site])
    report, by_therapist = reports.site_groups(site=site, period=period, trend=trend)
    return {
        "site": site,
        "form": form,
        "period": period,
        "report": report,
        "by_therapist": by_therapist,
    }


def _group(request: HttpRequest, group_id: int, *, trend: bool = False) -> dict:
    group = get_report_group_for_user(request, group_id)
    form, period = _period(request, [group.site])
    report = reports.attendance_of_group(group=group, period=period, trend=trend)
    return {
        "group": group,
        "form": form,
        "period": period,
        "total": report.total,
        "months": report.months,
        "people": reports.participants_of_group(
            group=group,
            period=period,
            now=timezone.now(),
            threshold=_threshold(),
        ),
    }


def _therapist(request: HttpRequest, therapist_id: int, *, trend: bool = False) -> dict:
    therapist = get_report_therapist_for_user(request, therapist_id)
    sites = _sites(request)
    form, period = _period(request, sites)
    report = reports.groups_of_therapist(
        therapist=therapist, sites=sites, period=period, trend=trend
    )
    return {
        "therapist": therapist,
        "sites": sites,
        "form": form,
        "period": period,
        "report": report,
    }


def _participant(request: HttpRequest, participant_id: int) -> dict:
    participant = get_report_participant_for_user(request, participant_id)
    sites = _sites(request)
    form, period = _period(request, [participant.site])
    rows, total = reports.participant_figures(participant=participant, sites=sites, period=period)
    signal = reports.attendance_signals(
        participant_ids=[participant.pk],
        site_ids=[s.pk for s in sites],
        now=timezone.now(),
        threshold=_threshold(),
    )[participant.pk]
    return {
        "participant": participant,
        "sites": sites,
        "form": form,
        "period": period,
        "rows": list(rows),
        "total": total,
        "signal": signal,
    }


def _figure_cells(figures: Figures) -> list:
    rate = figures.rate
    return [
        figures.held,
        figures.cancelled,
        figures.scheduled,
        figures.enrolled,
        figures.present,
        figures.late,
        figures.left_early,
        figures.excused,
        figures.absent,
        figures.attended,
        round(rate, 3) if rate is not None else "",
    ]


def _report_csv(
    *, filename: str, period: Period, total_label: str, sections: list[tuple[str, Report]]
) -> HttpResponse:
    header = ["Level", "Name", "Id", "Detail", "From", "To", *FIGURE_HEADER]
    span = [period.start.isoformat(), period.end.isoformat()]
    rows = [["Total", total_label, "", "", *span, *_figure_cells(sections[0][1].total)]]
    for level, report in sections:
        rows += [
            [level, row.label, row.pk, row.detail, *span, *_figure_cells(row.figures)]
            for row in report.rows
        ]
    return csv_response(
        filename=f"{filename}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
        header=header,
        rows=rows,
    )


# --- Pages --------------------------------------------------------------------------------


@never_cache
@login_required
def report_overview(request: HttpRequest) -> HttpResponse:
    ctx = _overview(request, trend=True)
    sites = ctx["sites"]
    ctx["therapists_shown"] = len(ctx["by_therapist"].rows) <= OVERVIEW_THERAPISTS_SHOWN
    ctx["trend"] = _trend(ctx["report"].months)
    ctx["slipping_count"] = len(
        reports.slipping_away(
            site_ids=[s.pk for s in sites],
            today=_today(sites),
            now=timezone.now(),
            threshold=_threshold(),
        )
    )
    return render(request, "reports/overview.html", ctx)


@never_cache
@login_required
def report_overview_csv(request: HttpRequest) -> HttpResponse:
    ctx = _overview(request)
    return _report_csv(
        filename="attendance-sites",
        period=ctx["period"],
        total_label="All your sites",
        sections=[("Site", ctx["report"]), ("Therapist", ctx["by_therapist"])],
    )


@never_cache
@login_required
def report_site(request: HttpRequest, site_id: int) -> HttpResponse:
    ctx = _site(request, site_id, trend=True)
    ctx["trend"] = _trend(ctx["report"].months)
    return render(request, "reports/site.html", ctx)


@never_cache
@login_required
def report_site_csv(request: HttpRequest, site_id: int) -> HttpResponse:
    ctx = _site(request, site_id)
    return _report_csv(
        filename=f"attendance-site-{ctx['site'].pk}",
        period=ctx["period"],
        total_label=ctx["site"].name,
        sections=[("Group", ctx["report"]), ("Therapist", ctx["by_therapist"])],
    )


@never_cache
@login_required
def report_group(request: HttpRequest, group_id: int) -> HttpResponse:
    ctx = _group(request, group_id, trend=True)
    ctx["trend"] = _trend(ctx["months"])
    ctx["threshold"] = _threshold()
    return render(request, "reports/group.html", ctx)


@never_cache
@login_required
def report_group_csv(request: HttpRequest, group_id: int) -> HttpResponse:
    ctx = _group(request, group_id)
    period, group = ctx["period"], ctx["group"]
    header = [
        "Participant",
        "Id",
        "From",
        "To",
        "Present",
        "Late",
        "Left early",
        "Excused",
        "Absent",
        "Attended",
        "Attendance rate",
        "Absences in a row",
        "Last attended",
        "Slipping away",
    ]
    span = [period.start.isoformat(), period.end.isoformat()]
    rows = []
    for line in ctx["people"]:
        fig, signal = line.figures, line.signal
        last = signal.last_attended_session
        rows.append(
            [
                line.participant.short_name,
                line.participant.pk,
                *span,
                fig.present,
                fig.late,
                fig.left_early,
                fig.excused,
                fig.absent,
                fig.attended,
                round(fig.rate, 3) if fig.rate is not None else "",
                signal.absences_in_a_row,
                last.local_date.isoformat() if last else "",
                "; ".join(signal.reasons),
            ]
        )
    return csv_response(
        filename=f"attendance-group-{group.pk}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
        header=header,
        rows=rows,
    )


@never_cache
@login_required
def report_therapist(request: HttpRequest, therapist_id: int) -> HttpResponse:
    ctx = _therapist(request, therapist_id, trend=True)
    ctx["trend"] = _trend(ctx["report"].months)
    return render(request, "reports/therapist.html", ctx)


@never_cache
@login_required
def report_therapist_csv(request: HttpRequest, therapist_id: int) -> HttpResponse:
    ctx = _therapist(request, therapist_id)
    therapist = ctx["therapist"]
    return _report_csv(
        filename=f"attendance-therapist-{therapist.pk}",
        period=ctx["period"],
        total_label=therapist.get_full_name() or therapist.username,
        sections=[("Group", ctx["report"])],
    )


@never_cache
@login_required
def report_participant(request: HttpRequest, participant_id: int) -> HttpResponse:
    ctx = _participant(request, participant_id)
    ctx["trend"] = _trend(
        reports.participant_trend(
            participant=ctx["participant"], sites=ctx["sites"], period=ctx["period"]
        )
    )
    ctx["threshold"] = _threshold()
    return render(request, "reports/participant.html", ctx)


@never_cache
@login_required
def report_participant_csv(request: HttpRequest, participant_id: int) -> HttpResponse:
    ctx = _participant(request, participant_id)
    period, participant = ctx["period"], ctx["participant"]
    rows = [
        [
            a.session.local_date.isoformat(),
            f"{a.session.local_starts_at:%H:%M %Z}",
            a.session.group.name,
            a.session.group.site.name,
            a.get_status_display(),
            a.minutes_attended,
        ]
        for a in ctx["rows"]
    ]
    return csv_response(
        filename=(
            f"attendance-participant-{participant.pk}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
        ),
        header=["Date", "Time", "Group", "Site", "Status", "Minutes attended"],
        rows=rows,
    )


# --- Slipping away ----------------------------------------------------------------------


def _slipping(request: HttpRequest):
    check_admin_pages(request)
    sites = _sites(request)
    chosen = request.GET.get("site", "")
    shown = [s for s in sites if str(s.pk) == chosen] or sites
    rows = reports.slipping_away(
        site_ids=[s.pk for s in shown],
        today=_today(shown),
        now=timezone.now(),
        threshold=_threshold(),
    )
    return sites, shown, rows


@never_cache
@login_required
def report_slipping(request: HttpRequest) -> HttpResponse:
    sites, shown, everyone = _slipping(request)
    # The whole list is one query bounded by who is enrolled: paging it here costs no
    # second query to count it.
    page = Paginator(everyone, 50).get_page(request.GET.get("page"))
    ctx = {
        "sites": sites,
        "chosen": shown[0] if len(shown) == 1 and len(sites) > 1 else None,
        "page": page,
        "rows": [(r.participant, r.signal) for r in reports.load_slipping(page.object_list)],
        "threshold": _threshold(),
        "lookback_weeks": reports.SLIPPING_LOOKBACK_DAYS // 7,
        "min_sessions": reports.SLIPPING_MIN_SESSIONS_FOR_RATE,
        "query": f"site={shown[0].pk}" if len(shown) == 1 and len(sites) > 1 else "",
    }
    return render(request, "reports/slipping.html", ctx)


@never_cache
@login_required
def report_slipping_csv(request: HttpRequest) -> HttpResponse:
    _sites_all, _shown, everyone = _slipping(request)
    rows = []
    for line in reports.load_slipping(everyone):
        p, signal = line.participant, line.signal
        last = signal.last_attended_session
        rate = signal.recent_rate
        rows.append(
            [
                p.short_name,
                p.pk,
                p.site.name,
                signal.absences_in_a_row,
                signal.recent_attended,
                signal.recent_absent,
                round(rate, 3) if rate is not None else "",
                last.local_date.isoformat() if last else "",
                last.group.name if last else "",
                "; ".join(signal.reasons),
            ]
        )
    return csv_response(
        filename=f"slipping-away-{timezone.now():%Y%m%d}.csv",
        header=[
            "Participant",
            "Id",
            "Site",
            "Absences in a row",
            "Attended recently",
            "Absent recently",
            "Recent attendance rate",
            "Last attended",
            "Last attended group",
            "Why",
        ],
        rows=rows,
    )


# --- Sign-in sheet ------------------------------------------------------------------------

BLANK_LINES = 4  # for people who join on the day


@never_cache
@login_required
def session_sign_in_sheet(request: HttpRequest, session_id: int) -> HttpResponse:
    """A printable sheet for the door: preferred name and last initial, and a line to
    sign. Whoever may see the session may print it (therapists run the door)."""
    session = get_session_for_user(request, session_id)
    seen, people = set(), []
    for enrollment in selectors_meetings.group_roster(group=session.group, day=session.local_date):
        if enrollment.participant_id not in seen:
            seen.add(enrollment.participant_id)
            people.append(enrollment.participant)
    people.sort(key=lambda p: (p.display_name.casefold(), p.last_name[:1].casefold(), p.pk))
    ctx = {
        "session": session,
        "names": [p.short_name for p in people],
        "blank_lines": range(BLANK_LINES),
        "printed_at": timezone.now(),
    }
    return render(request, "reports/sign_in_sheet.html", ctx)
