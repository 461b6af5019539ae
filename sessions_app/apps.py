from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Refrain"

    def ready(self) -> None:
        # Audit trail: tracked models and the login signals.
        from . import audit, idle  # noqa: F401 (idle: its sign-in signal)

        audit.register_models()
        # Two-step sign-in: notes at login whether the user has an authenticator.
        from . import mfa  # noqa: F401
