"""Issue 16: the alert's young person has no index of its own, as the unique key (alert_once) starts with it. Only
the index is dropped (by its name, the same on PostgreSQL and SQLite): altering the field in the database would also
drop and re-create, and so re-check, the foreign key over every alert."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("careleavers", "0011_issue16_no_index_beside_a_leading_one"),
        ("oversight", "0005_merge_20261202_0157"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="young_person",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="oversight_alerts", to="careleavers.youngperson"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "oversight_alert_young_person_id_94ab2c94"',
                    'CREATE INDEX "oversight_alert_young_person_id_94ab2c94" ON "oversight_alert" ("young_person_id")',
                ),
            ],
        ),
    ]
