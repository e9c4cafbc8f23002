from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION inbox_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'inbox_event is append-only (%% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inbox_event_append_only
    BEFORE UPDATE OR DELETE ON inbox_event
    FOR EACH ROW EXECUTE FUNCTION inbox_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS inbox_event_append_only ON inbox_event;
DROP FUNCTION IF EXISTS inbox_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """Events can be inserted, never changed: a row-level trigger refuses UPDATE and DELETE.

    TRUNCATE (used by test teardown and a full reset) is a table-level operation
    and not affected.
    """

    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
