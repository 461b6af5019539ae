"""Reads for pages: small functions over querysets already narrowed by permissions.

One module per area, imported by name (`from ..selectors import meetings`): meetings
(sessions, rosters, a session's record), groups (the group list, sites at a glance),
music, participants, reminders, reports, lullaby, audit, access and day (a therapist's
day).
"""
