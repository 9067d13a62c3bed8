"""Reminders are kept per start they announce (and, for a time change, per SEQUENCE): 0003 keyed them
on SEQUENCE alone, which a new title also bumps."""

from django.db import migrations, models

# Checked at once, not at commit: a deferred check still pending would refuse the ALTER that follows.
BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE courses_reminder AS r SET starts_at = s.starts_at
FROM courses_scheduledlecture AS s WHERE r.scheduled_id = s.id;
UPDATE courses_reminder SET sequence = 0 WHERE kind <> 'moved';
SET CONSTRAINTS ALL DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_reminder_sequence"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reminder", name="one_reminder_per_kind"),
        migrations.AddField(model_name="reminder", name="starts_at", field=models.DateTimeField(null=True)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(model_name="reminder", name="starts_at", field=models.DateTimeField()),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("scheduled", "entry", "kind", "starts_at", "sequence"), name="one_reminder_per_kind"
            ),
        ),
    ]
