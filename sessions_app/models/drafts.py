"""Drafts kept when a staff member is signed out with unsaved typing on the page."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class KeptDraft(models.Model):
    """What a signed-out staff member had typed into a page's forms, field by field.

    Kept on the server, never in the browser: tablets are shared, and the next person
    must not find a note in local storage. Shown once, to the same user on the same
    path, within a day (`services.drafts`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_drafts"
    )
    # The page the form is on (a path only: no host, no query).
    path = models.CharField(max_length=500)
    # {field name: [values]}, as a form posts them; passwords and tokens are never kept.
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "path"], name="kept_draft_user_path")]

    def __str__(self) -> str:
        return f"Draft of {self.path} for user {self.user_id}"
