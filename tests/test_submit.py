"""The shared shape of form views: valid POST → service → refusal on the form."""

from django import forms
from django.test import RequestFactory

from sessions_app.services.errors import ServiceError
from sessions_app.views.submit import submit


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def _post(data):
    return RequestFactory().post("/", data)


def test_it_does_nothing_for_a_get():
    request = RequestFactory().get("/")
    called = []
    assert submit(request, NameForm(None), called.append) is None
    assert called == []


def test_it_does_nothing_for_an_invalid_form():
    called = []
    form = NameForm({"name": "x" * 11})
    assert submit(_post({}), form, called.append) is None
    assert called == [] and "name" in form.errors


def test_it_answers_what_the_service_returned_even_none():
    done = submit(_post({}), NameForm({"name": "Dee"}), lambda data: None)
    assert done and done.value is None
    assert submit(_post({}), NameForm({"name": "Dee"}), lambda data: data["name"]).value == "Dee"


def test_it_puts_a_refusal_on_the_field_it_names_or_above_the_form():
    def refuse_name(data):
        raise ServiceError({"name": "Taken."})

    form = NameForm({"name": "Dee"})
    assert submit(_post({}), form, refuse_name) is None
    assert form.errors["name"] == ["Taken."]

    def refuse(data):
        raise ServiceError("Not today.")

    form = NameForm({"name": "Dee"})
    assert submit(_post({}), form, refuse) is None
    assert form.non_field_errors() == ["Not today."]
