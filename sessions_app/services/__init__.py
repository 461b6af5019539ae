"""Writes: domain operations named `<entity>_<action>`, called by views, admin,
commands and tasks alike. Each runs in one transaction and raises
`sessions_app.services.errors.ServiceError` (a ValidationError) with a message a
person can act on when a rule is broken."""
