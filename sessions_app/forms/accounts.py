"""Signing in."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's sign-in form, holding the username to the length a username can have.

    AuthenticationForm sets the field's max_length after the field is built, so the
    length is shown to browsers but never checked; an overlong name went on to
    authenticate(), and the failed-login record (django-axes, 255 characters) refused it.
    """

    error_intro = "You are not signed in. Fix these:"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
