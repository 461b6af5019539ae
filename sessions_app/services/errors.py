from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A domain rule refused the operation; the message says what to change."""
