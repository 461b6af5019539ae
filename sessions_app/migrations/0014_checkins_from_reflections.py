"""Reflections' mood before and after, connection and craving feed the session check-in:
each reflection recorded so far becomes a before and an after check-in of its session
(answered when the reflection was written, via "reflection"), so that charts and group
figures read one kind of record. The reflections themselves are left as they are.

PostgreSQL does it in one INSERT … SELECT (a network has hundreds of thousands of
reflections); other databases row by row in batches."""

from django.db import migrations

BATCH = 2000


SQL = """
INSERT INTO sessions_app_measureresponse
    (participant_id, session_id, instrument, phase, answers, score, answered_at, via,
     entered_by_id)
SELECT participant_id, session_id, 'checkin_before', 'before',
       jsonb_build_object('mood', mood_before), NULL::smallint, created_at, 'reflection', entered_by_id
  FROM sessions_app_reflection
UNION ALL
SELECT participant_id, session_id, 'checkin_after', 'after',
       jsonb_strip_nulls(jsonb_build_object(
           'mood', mood_after, 'connection', connection, 'craving', craving)),
       NULL::smallint, created_at, 'reflection', entered_by_id
  FROM sessions_app_reflection
ON CONFLICT DO NOTHING
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)
        return
    Reflection = apps.get_model("sessions_app", "Reflection")
    MeasureResponse = apps.get_model("sessions_app", "MeasureResponse")
    rows = (
        Reflection.objects.order_by("pk")
        .values_list(
            "pk",
            "participant_id",
            "session_id",
            "mood_before",
            "mood_after",
            "connection",
            "craving",
            "created_at",
            "entered_by_id",
        )
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for _, person, session, before, after, connection, craving, at, by in rows:
        # A reflection asked mood before and after, connection and (optionally) craving,
        # all after the session: the before check-in gets the mood before only, the after
        # one the rest. Readers take a check-in's items one by one, so an item a
        # reflection never asked is simply absent.
        before_answers = {"mood": before}
        after_answers = {"mood": after, "connection": connection}
        if craving is not None:
            after_answers["craving"] = craving
        common = {
            "participant_id": person,
            "session_id": session,
            "answered_at": at,
            "via": "reflection",
            "entered_by_id": by,
            "score": None,
        }
        batch.append(
            MeasureResponse(
                instrument="checkin_before", phase="before", answers=before_answers, **common
            )
        )
        batch.append(
            MeasureResponse(
                instrument="checkin_after", phase="after", answers=after_answers, **common
            )
        )
        if len(batch) >= BATCH:
            MeasureResponse.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    MeasureResponse.objects.bulk_create(batch, ignore_conflicts=True)


def backwards(apps, schema_editor):
    apps.get_model("sessions_app", "MeasureResponse").objects.filter(via="reflection").delete()


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0013_measures")]

    operations = [migrations.RunPython(forwards, backwards)]
