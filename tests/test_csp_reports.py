"""Browsers' reports of what the Content-Security-Policy blocked: one warning each,
with nothing in it about a person."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from sessions_app import links
from sessions_app.views.csp_reports import MAX_REPORT_BYTES

URL = "/csp-report/"


def _post(client: Client, payload, content_type="application/csp-report"):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(URL, body, content_type=content_type)


def _report(**fields) -> dict:
    return {
        "csp-report": {
            "document-uri": "https://refrain.example.org/sessions/41/?tab=notes",
            "violated-directive": "style-src-attr",
            "effective-directive": "style-src-attr",
            "blocked-uri": "inline",
            "script-sample": "color: red /* Dee relapsed */",
            **fields,
        }
    }


@pytest.fixture
def warnings(caplog):
    caplog.set_level("WARNING", logger="refrain.csp")
    return caplog


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "refrain.csp"]


def test_it_logs_a_report_as_a_warning(client, db, warnings):
    _post(client, _report())
    assert _messages(warnings) == ["CSP blocked inline by style-src-attr on page session_detail"]


def test_it_answers_a_report_with_no_content(client, db):
    assert _post(client, _report()).status_code == 204


def test_it_takes_reports_without_a_csrf_token(db):
    response = _post(Client(enforce_csrf_checks=True), _report())
    assert response.status_code == 204


def test_it_logs_no_sample_of_the_blocked_code(client, db, warnings):
    _post(client, _report())
    assert "relapsed" not in " ".join(_messages(warnings))


def test_it_logs_no_ids_from_the_page_address(client, db, warnings):
    _post(client, _report())
    assert "41" not in " ".join(_messages(warnings))


def test_it_logs_no_link_token(client, participant, warnings):
    token = links.link_token(participant=participant, action="me")
    page = "https://refrain.example.org" + reverse("participant_link", args=[token])
    _post(client, _report(**{"document-uri": page}))
    assert token not in " ".join(_messages(warnings))


def test_it_logs_only_the_origin_of_a_blocked_address(client, db, warnings):
    _post(client, _report(**{"blocked-uri": "https://cdn.example.net/x.js?who=dee"}))
    assert "blocked https://cdn.example.net by" in _messages(warnings)[0]


def test_it_takes_the_reporting_apis_format(client, db, warnings):
    payload = [
        {
            "type": "csp-violation",
            "url": "https://refrain.example.org/me/",
            "body": {
                "documentURL": "https://refrain.example.org/me/",
                "effectiveDirective": "script-src-elem",
                "blockedURL": "inline",
            },
        }
    ]
    _post(client, payload, content_type="application/reports+json")
    assert _messages(warnings) == ["CSP blocked inline by script-src-elem on page participant_home"]


def test_it_refuses_a_report_too_large(client, db, warnings):
    padding = "x" * MAX_REPORT_BYTES
    response = _post(client, _report(**{"script-sample": padding}))
    assert response.status_code == 413


def test_it_logs_nothing_for_a_report_too_large(client, db, warnings):
    _post(client, _report(**{"script-sample": "x" * MAX_REPORT_BYTES}))
    assert _messages(warnings) == []


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b"[1, 2]", b'{"csp-report": "x"}', b"\xff\xfe", b"[" * 5000]
)
def test_it_answers_400_to_what_is_not_a_report(client, db, body):
    assert _post(client, body).status_code == 400


def test_it_answers_405_to_a_get(client, db):
    assert client.get(URL).status_code == 405


def test_it_logs_odd_field_values_without_failing(client, db, warnings):
    _post(client, _report(**{"document-uri": 7, "blocked-uri": ["x"], "effective-directive": {}}))
    assert _messages(warnings) == ["CSP blocked unknown by unknown on page unknown"]
