"""The template helpers long lists use per row: a URL by primary key and a short date,
written as `{% url %}` and `|date:"D j M"` write them."""

from datetime import date

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from sessions_app.templatetags.refrain import pk_url


def _render(text: str, **context) -> str:
    return engines["django"].from_string("{% load refrain %}" + text).render(context)


@pytest.mark.parametrize("name", ["session_detail", "note_edit", "treatment_record"])
def test_it_writes_the_url_reverse_writes(name):
    assert pk_url(name, 4521) == reverse(name, args=[4521])


def test_it_writes_the_url_under_the_apps_mount_point():
    pk_url("session_detail", 1)  # written once at the root
    set_script_prefix("/refrain/")
    try:
        assert pk_url("session_detail", 7) == reverse("session_detail", args=[7])
    finally:
        set_script_prefix("/")


def test_it_refuses_a_url_without_one_primary_key():
    with pytest.raises(NoReverseMatch):
        pk_url("home", 1)


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_writes_a_short_date_as_the_date_filter_does(language):
    day = date(2026, 12, 1)
    with translation.override(language):
        assert _render("{{ d|weekday_day_month }}", d=day) == _render('{{ d|date:"D j M" }}', d=day)
