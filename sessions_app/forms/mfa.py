"""Two-step sign-in: the code typed to confirm an authenticator or at the second step."""

from django import forms


def _code_field(help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="Code",
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class CodeForm(forms.Form):
    error_intro = "Two-step sign-in is not set up yet. Fix these:"
    code = _code_field()


class SecondStepForm(forms.Form):
    error_intro = "You are not signed in. Fix these:"
    code = _code_field("Six digits from your authenticator app, or one of your recovery codes.")
