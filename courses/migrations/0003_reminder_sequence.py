"""Reminders are kept per what they announce: the start they give and, for a time change ('moved'),
the lecture's SEQUENCE after it. Existing rows take their lecture's start."""

from django.db import migrations, models

# Checked at once, not at commit: a deferred check still pending would refuse the ALTER that follows.
BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE courses_reminder AS r SET starts_at = s.starts_at
FROM courses_scheduledlecture AS s WHERE r.scheduled_id = s.id;
SET CONSTRAINTS ALL DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_scheduled_lecture_missed"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reminder", name="one_reminder_per_kind"),
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("1d", "1 day before"),
                    ("1h", "1 hour before"),
                    ("5m", "5 minutes before"),
                    ("cancelled", "Cancellation"),
                    ("moved", "Time change"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(model_name="reminder", name="sequence", field=models.PositiveIntegerField(default=0)),
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
