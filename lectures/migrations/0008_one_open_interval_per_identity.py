from django.db import migrations, models


def drop_duplicate_open_intervals(apps, schema_editor):
    """Before the constraint: where an identity has several open intervals (a late webhook racing
    reconciliation), keep the earliest, which is when the presence began; the others repeat it."""
    interval = apps.get_model("lectures", "AttendanceInterval")
    kept: set[tuple[int, str]] = set()
    duplicates = []
    for pk, lecture_id, identity in (
        interval.objects.filter(left_at__isnull=True)
        .order_by("lecture_id", "identity", "joined_at", "pk")
        .values_list("pk", "lecture_id", "identity")
    ):
        if (lecture_id, identity) in kept:
            duplicates.append(pk)
        else:
            kept.add((lecture_id, identity))
    interval.objects.filter(pk__in=duplicates).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lectures", "0007_alter_attendanceinterval_lecture_and_more"),
        ("participants", "0004_ban_network"),
        ("rooms", "0008_lecture_captions_unavailable"),
    ]

    operations = [
        migrations.RunPython(drop_duplicate_open_intervals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="attendanceinterval",
            constraint=models.UniqueConstraint(
                condition=models.Q(("left_at__isnull", True)),
                fields=("lecture", "identity"),
                name="one_open_interval_per_identity",
            ),
        ),
    ]
