"""Two-step sign-in: setting up an authenticator, recovery codes, checking a second step
and an administrator's reset. Built on django-otp: a confirmed TOTP device is the
authenticator, a static device holds the recovery codes (each deleted once used).

The flow around these (who is sent where, the login throttle) is sessions_app.mfa.
"""

from base64 import b32encode

from django.db import transaction
from django.http import HttpRequest
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..models import User
from .errors import ServiceError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def has_authenticator(user: User) -> bool:
    """Whether the user has set up two-step sign-in (a confirmed authenticator)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up: its secret is shown until a code confirms it.

    One at a time; a user who already has a confirmed one gets an error (they reset it
    through an administrator, who can check who is asking).
    """
    if has_authenticator(user):
        raise ServiceError("Two-step sign-in is already set up for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(code: str) -> str:
    """What people type, as stored: spaces and hyphens dropped, lower case."""
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def authenticator_confirm(*, by: User, code: str, request: HttpRequest | None) -> list[str]:
    """Confirm the pending authenticator with a code it shows; returns the first
    recovery codes, to be shown once."""
    device = authenticator_pending(user=by)
    if not device.verify_token(normalise_code(code)):
        raise ServiceError(
            "That code did not match. Check the time on your phone is set automatically, "
            "then type the six digits the app shows now."
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.log_second_factor(request=request, user=by, what=audit.MFA_ENROLLED)
    return _new_recovery_codes(user=by, request=request)


@transaction.atomic
def recovery_codes_generate(*, by: User, request: HttpRequest | None) -> list[str]:
    """Ten new recovery codes, replacing the old ones (which stop working)."""
    if not has_authenticator(by):
        raise ServiceError("Set up an authenticator app first.")
    return _new_recovery_codes(user=by, request=request)


def _new_recovery_codes(*, user: User, request: HttpRequest | None) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit.log_second_factor(request=request, user=user, what=audit.MFA_CODES_GENERATED)
    return sorted(codes)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_step_check(*, user: User, code: str, request: HttpRequest | None) -> Device | None:
    """The device that accepts `code` (six digits from the authenticator, or a recovery
    code, which is used up), or None. Success is audited here; failure by the caller,
    which also counts it against the login throttle."""
    code = normalise_code(code)
    if not code:
        return None
    kind = TOTPDevice if code.isdigit() else StaticDevice
    for device in kind.objects.filter(user=user, confirmed=True):
        # django-otp locks the device row and applies its own back-off per device.
        if verify_token(user, device.persistent_id, code) is not None:
            if kind is StaticDevice:
                audit.log_second_factor(
                    request=request,
                    user=user,
                    what=audit.MFA_RECOVERY_USED,
                    details={"codes_left": recovery_codes_left(user)},
                )
            else:
                audit.log_second_factor(request=request, user=user, what=audit.MFA_VERIFIED)
            return device
    return None


@transaction.atomic
def second_factor_reset(*, user: User, by: User, request: HttpRequest | None) -> None:
    """Remove `user`'s authenticator and recovery codes: they set up a new one at their
    next sign-in (when required), and any session that passed the step with them is
    asked again."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    audit.log_second_factor(request=request, user=user, what=audit.MFA_RESET, by=by)
