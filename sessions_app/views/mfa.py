"""Two-step sign-in: the second step, one's own security page (set up an authenticator,
recovery codes), and administrators' resets."""

from io import BytesIO

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import mfa
from ..forms.mfa import CodeForm, SecondStepForm
from ..permissions import (
    check_admin_pages,
    check_second_factor_pages,
    get_second_factor_resettable,
    has_second_factor_role,
    second_factor_resettable_for,
)
from ..services import mfa as services
from ..services.errors import ServiceError

# Fewer recovery codes than this left after using one: say so, and where to get more.
FEW_CODES_LEFT = 3


@never_cache
@login_required
def second_step(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_second_factor_role(user) or user.is_verified():
        return redirect(mfa.safe_next(request))
    if not services.has_authenticator(user):
        # Reset by an administrator since this session began.
        mfa.remember_enrolled(request, False)
        if mfa.is_required():
            return mfa.redirect_with_next("mfa_security", mfa.safe_next(request))
        return redirect(mfa.safe_next(request))
    lockout = mfa.locked_out(request)
    if lockout is not None:
        return lockout
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = mfa.safe_next(request)
        device = services.second_step_check(
            user=user, code=form.cleaned_data["code"], request=request
        )
        if device is not None:
            mfa.second_step_passed(request, device)
            _warn_if_few_codes_left(request, device)
            return redirect(target)
        lockout = mfa.second_step_failed(request)
        if lockout is not None:
            return lockout
        form.add_error(
            "code",
            "That code did not work. Type the six digits your app shows now, or an unused "
            "recovery code. After a few wrong codes the account is locked for a while.",
        )
    return render(request, "mfa/second_step.html", {"form": form, "next": mfa.safe_next(request)})


def _warn_if_few_codes_left(request: HttpRequest, device) -> None:
    if isinstance(device, TOTPDevice):
        return
    left = services.recovery_codes_left(request.user)
    if left < FEW_CODES_LEFT:
        messages.warning(
            request,
            f"You have {left} recovery code{'' if left == 1 else 's'} left. "
            "Make new ones on your two-step sign-in page.",
        )


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """One's own two-step sign-in: its status, or setting up an authenticator."""
    check_second_factor_pages(request)
    user = request.user
    if services.has_authenticator(user):
        if not user.is_verified():
            return mfa.redirect_with_next("mfa_verify", request.path)
        ctx = {
            "device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "codes_left": services.recovery_codes_left(user),
        }
        return render(request, "mfa/security.html", ctx)
    device = services.authenticator_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.authenticator_confirm(
                by=user, code=form.cleaned_data["code"], request=request
            )
        except ServiceError as exc:
            form.add_error("code", " ".join(exc.messages))
        else:
            device.refresh_from_db()
            mfa.second_step_passed(request, device)
            mfa.remember_enrolled(request, True)
            return _show_codes(request, codes, enrolled=True)
    ctx = {
        "form": form,
        "secret": services.secret_for_manual_entry(device),
        "next": mfa.safe_next(request),
        "required": mfa.is_required(),
    }
    return render(request, "mfa/enrol.html", ctx)


@never_cache
@login_required
def qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up, as an SVG image: a page of its own
    so that the security page needs neither inline images nor data: URIs."""
    check_second_factor_pages(request)
    try:
        device = services.authenticator_pending(user=request.user)
    except ServiceError:
        # Once set up, its secret is never shown again.
        raise Http404("No authenticator being set up.") from None
    out = BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, light="#fff")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown this once."""
    check_second_factor_pages(request)
    try:
        codes = services.recovery_codes_generate(by=request.user, request=request)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("mfa_security")
    return _show_codes(request, codes, enrolled=False)


def _show_codes(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    shown = [f"{c[:4]}-{c[4:]}" for c in codes]
    ctx = {"codes": shown, "enrolled": enrolled, "next": mfa.safe_next(request)}
    return render(request, "mfa/recovery_codes.html", ctx)


# --- Administrators: resetting a staff member's second factor ------------------------


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    check_admin_pages(request)
    has_one = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    people = (
        second_factor_resettable_for(request.user)
        .annotate(has_authenticator=Exists(has_one))
        .order_by("last_name", "first_name", "username")
    )
    return render(request, "mfa/staff.html", {"people": people, "tab": "mfa"})


@login_required
def staff_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_second_factor_resettable(request, user_id)
    if request.method == "POST":
        services.second_factor_reset(user=person, by=request.user, request=request)
        then = (
            "They will set it up again at their next sign-in."
            if mfa.is_required()
            else "They may set it up again from their two-step sign-in page."
        )
        messages.success(request, f"Two-step sign-in of {person} was reset. {then}")
        return redirect("mfa_staff")
    ctx = {"person": person, "has_authenticator": services.has_authenticator(person)}
    return render(request, "mfa/reset.html", ctx)
