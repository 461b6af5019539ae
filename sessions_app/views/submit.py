"""The shape most form views share: a valid POST runs a service, whose refusal goes onto
the form, which is then shown again with what was typed."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.http import HttpRequest

from ..forms.groups import add_service_error
from ..services.errors import ServiceError

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """What the service returned; always true, even when that is None."""

    value: T


def submit(request: HttpRequest, form: forms.Form, action: Callable[[dict], T]) -> Done[T] | None:
    """For a POST whose form is valid, `action(form.cleaned_data)`; None when the form
    is to be shown (again): not posted, invalid, or refused by the service, whose
    message is then on the form (on the field it names when the form has it).

        if done := submit(request, form, lambda data: services.thing_do(**data)):
            messages.success(request, "Done.")
            return redirect(...)
        return render(request, "...", {"form": form})
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return Done(action(form.cleaned_data))
    except ServiceError as exc:
        add_service_error(form, exc)
        return None
