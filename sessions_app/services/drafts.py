"""Drafts kept at sign-out: written when an idle staff member is signed out, given back
once when they open the same page again."""

import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import KeptDraft, User

# A draft not picked up within this long is dropped: by then the page has moved on and
# old clinical text should not linger in a table nobody reads.
DRAFT_KEEP_FOR = timedelta(hours=24)

# Never kept, whatever the form: secrets have no business in a table of drafts.
_SECRET_NAME = re.compile(r"csrf|passw|token|secret|otp|^pin$|^code$", re.IGNORECASE)
_MAX_PATH = 500
_MAX_FIELDS = 500
_MAX_VALUE = 100_000


def draft_fields(data: dict) -> dict[str, list[str]]:
    """A form's fields as {name: [values]}, without secrets, files or oversized values."""
    fields: dict[str, list[str]] = {}
    for name, values in data.items():
        if not isinstance(name, str) or _SECRET_NAME.search(name):
            continue
        if not isinstance(values, list):
            values = [values]
        # An empty list is kept too: boxes the person unticked stay unticked.
        fields[name[:200]] = [v[:_MAX_VALUE] for v in values if isinstance(v, str)]
        if len(fields) >= _MAX_FIELDS:
            break
    return fields


def is_local_path(path: str) -> bool:
    return (
        isinstance(path, str)
        and path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and len(path) <= _MAX_PATH
    )


@transaction.atomic
def draft_keep(*, by: User, path: str, data: dict) -> KeptDraft | None:
    """Keep what `by` was typing on `path` (replacing an older draft of theirs there).

    Returns None when there is nothing worth keeping or the path is not one of ours.
    """
    fields = draft_fields(data)
    if not any(fields.values()) or not is_local_path(path):
        return None
    KeptDraft.objects.filter(user=by, path=path).delete()
    return KeptDraft.objects.create(user=by, path=path, data=fields)


@transaction.atomic
def draft_take(*, by: User, path: str) -> dict[str, list[str]] | None:
    """The draft `by` left on `path`, removed as it is handed over: shown once only.

    Drafts older than a day are deleted unseen.
    """
    KeptDraft.objects.filter(created_at__lt=timezone.now() - DRAFT_KEEP_FOR).delete()
    draft = (
        KeptDraft.objects.select_for_update()
        .filter(user=by, path=path)
        .order_by("-created_at")
        .first()
    )
    if draft is None:
        return None
    KeptDraft.objects.filter(user=by, path=path).delete()
    return draft.data
