"""Dates and times written the way the reader's language writes them.

The formats are Django's `date` filter formats, translated like any other string, so
Spanish reads "martes 1 de diciembre, 10:00" where English reads "Tuesday 1 December,
10:00". Each function takes a datetime already in the zone to show (a site's or a
participant's) and writes it in the active language.
"""

from datetime import date, datetime

from django.utils import dateformat
from django.utils.translation import pgettext


def day_long(moment: date | datetime) -> str:
    """“Tuesday 1 December” / “martes 1 de diciembre”."""
    return dateformat.format(moment, pgettext("date format", "l j F"))


def day_short(moment: date | datetime) -> str:
    """“Tue 1 Dec” / “mar 1 dic”."""
    return dateformat.format(moment, pgettext("date format", "D j M"))


def day_year(moment: date | datetime) -> str:
    """“Tue 1 Dec 2026” / “mar 1 dic 2026”."""
    return dateformat.format(moment, pgettext("date format", "D j M Y"))


def day_full(moment: date | datetime) -> str:
    """“1 December 2026” / “1 de diciembre de 2026”."""
    return dateformat.format(moment, pgettext("date format", "j F Y"))


def day_month_year(moment: date | datetime) -> str:
    """“1 Dec 2026” / “1 dic 2026”."""
    return dateformat.format(moment, pgettext("date format", "j M Y"))


def day_month(moment: date | datetime) -> str:
    """“1 Dec” / “1 dic”."""
    return dateformat.format(moment, pgettext("date format", "j M"))


def clock(moment: datetime) -> str:
    """“10:00”: the 24-hour clock, in both languages (the `date` filter's "H:i")."""
    return f"{moment:%H:%M}"


def when_long(start: datetime, end: datetime | None = None) -> str:
    """“Tuesday 3 March, 10:00–11:00 EST” / “martes 3 de marzo, 10:00–11:00 EST”."""
    until = f"–{clock(end)}" if end else ""
    return f"{day_long(start)}, {clock(start)}{until} {start:%Z}"


def when_short(start: datetime) -> str:
    """“Tue 3 Mar 10:00 EST” / “mar 3 mar 10:00 EST”."""
    return f"{day_short(start)} {clock(start)} {start:%Z}"


def when_session(start: datetime, end: datetime) -> str:
    """“Tue 25 Nov 2026, 10:00–11:00 EST”."""
    return f"{day_year(start)}, {clock(start)}–{clock(end)} {start:%Z}"
