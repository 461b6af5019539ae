"""A batch's messages, composed once per template and filled in, read exactly as each
message composed on its own; and a message in bytes is what Django would have made."""

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

from sessions_app.messaging.compose import Composer, compose
from sessions_app.messaging.delivery import _Email
from tests.test_reminders_privacy import KINDS, STAFF_KINDS, _reminder
from tests.test_reminders_privacy import world as world  # the fixture

MESSAGES = [settings.BASE_DIR / "templates" / "reminders" / d for d in ("email", "sms")]

# Links carry the second they were signed: both ways of composing sign in the same one.
pytestmark = pytest.mark.usefixtures("same_second")


@pytest.fixture
def same_second():
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value="1xXgN1"):
        yield


def _rename(world, name: str, place: str) -> None:
    world["person"].preferred_name = name
    world["session"].group.site.name = place
    world["lead"].first_name = name


@pytest.mark.parametrize(
    ("kind", "channel", "language"),
    [
        (kind, channel, language)
        for kind in KINDS
        for channel in ("email", "sms")
        # Staff messages are in the staff member's language, English here.
        for language in (("en",) if kind in STAFF_KINDS else ("en", "es"))
    ],
)
def test_a_batch_composes_each_message_as_it_would_alone(world, kind, channel, language):
    world["person"].language = language
    world["person"].save(update_fields=["language"])
    reminder = _reminder(world, kind, channel)
    composer = Composer()
    composer.compose(reminder)

    # The next message of the batch has values of its own, some to be escaped in HTML.
    _rename(world, "D'Arcy <Dee> & Co", "Harbor & Main “Annex”")
    batch = composer.compose(reminder)

    assert batch == compose(reminder)
    assert "D'Arcy" in batch.body or kind in ("agenda", "alert", "escalated", "family")


def test_an_empty_value_in_the_batch_is_left_out_as_it_would_be_alone(world):
    reminder = _reminder(world, "upcoming", "email")
    composer = Composer()
    composer.compose(reminder)

    world["session"].room = ""
    world["session"].group.room = ""
    batch = composer.compose(reminder)

    assert batch == compose(reminder)
    assert "Studio B" not in batch.html


TEMPLATES = {
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "OPTIONS": {
        "loaders": [
            (
                "django.template.loaders.locmem.Loader",
                {
                    "upper.txt": "Hi {{ name|upper }}",
                    "both.html": "{{ name }} / {% autoescape off %}{{ name }}{% endautoescape %}",
                },
            )
        ]
    },
}


@override_settings(TEMPLATES=[TEMPLATES])
def test_a_template_that_filters_a_value_is_rendered_for_each_message():
    composer = Composer()
    texts = [composer._render("upper.txt", {"name": name}) for name in ("Ann", "Bo")]

    assert texts == ["Hi ANN", "Hi BO"]


@override_settings(TEMPLATES=[TEMPLATES])
def test_a_value_is_escaped_where_the_template_escapes_it_and_only_there():
    composer = Composer()
    texts = [composer._render("both.html", {"name": name}) for name in ("Ann", "Bo <3")]

    assert texts == ["Ann / Ann", "Bo &lt;3 / Bo <3"]


# A stencil is checked against the first message it serves, which catches a filter but
# not a comparison that happens to agree for that one message: reminder templates show
# their values and test them for being empty, nothing more.
SHOWN = re.compile(r"{{\s*(\w+(\.\w+)?)\s*}}")
TESTED = re.compile(r"{%\s*(if|elif)\s+(not\s+)?\w+(\.\w+)?\s*%}")


@pytest.mark.parametrize(
    "path", sorted(p for d in MESSAGES for p in d.iterdir()), ids=lambda p: p.name
)
def test_reminder_templates_only_show_values_and_test_them_for_being_empty(path):
    source = path.read_text().replace('{{ LANGUAGE_CODE|default:"en" }}', "")  # not a value

    values = re.findall(r"{{.*?}}", source)
    tests = re.findall(r"{%\s*(?:if|elif)\b.*?%}", source)

    assert [v for v in values if not SHOWN.fullmatch(v)] == []
    assert [t for t in tests if not TESTED.fullmatch(t)] == []


def test_a_message_in_bytes_is_what_django_makes_of_it():
    def message(cls):
        email = cls(
            subject="Recordatorio: mar 8 dic 10:00 EST en Harbor Street Center, Suite 3",
            body="Hola Dee,\n\n" + "Un recordatorio de tu próxima sesión.\n" * 40,
            to=["dee@example.org"],
            headers={
                "Date": format_datetime(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
                "Message-ID": "<reminder-7@refrain.example.org>",
                "List-Unsubscribe": "<https://refrain.example.org/p/" + "x" * 90 + "/>",
            },
        )
        email.attach_alternative("<p>Hola Dee, ¿vienes?</p>", "text/html")
        built = email.message()
        built.set_boundary("==boundary==")
        return built.as_bytes(linesep="\r\n")

    assert message(_Email) == message(EmailMultiAlternatives)
