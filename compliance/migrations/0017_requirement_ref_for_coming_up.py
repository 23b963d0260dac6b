"""Issue 16: the young person's ref kept on their Requirement rows, and an index on (due, ref, code), so the
caseload's "coming up" (V2) reads its first rows in their order from the index: a fixed cost at any service size.
The rows already stored take their young person's ref here; from then on the engine writes it with each row. The
index on (due) alone is dropped, as the new one starts with it (careleavers 0011's rule)."""

from django.db import migrations, models

BACKFILL = """
UPDATE compliance_requirement SET ref = (
    SELECT y.ref FROM careleavers_youngperson y WHERE y.id = compliance_requirement.young_person_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("careleavers", "0005_caseload_sort_indexes"),
        ("compliance", "0016_checkpoints_rebuild_moved_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="requirement",
            name="ref",
            field=models.CharField(default="", help_text="The young person's ref, the order's second key.",
                                   max_length=50),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="requirement",
            index=models.Index(fields=["due", "ref", "code"], name="requirement_due_ref"),
        ),
        migrations.RemoveIndex(model_name="requirement", name="requirement_due"),
    ]
