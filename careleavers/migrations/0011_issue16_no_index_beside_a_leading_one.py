"""Issue 16: a notification's recipient has no index of its own, as the (recipient, read_at) index starts with it.
Only the index is dropped (by its name, the same on PostgreSQL and SQLite): altering the field in the database would
also drop and re-create, and so re-check, the foreign key over every notification."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("careleavers", "0010_rule_ids_out_of_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="notifications", to="careleavers.staff"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "careleavers_notification_recipient_id_73761850"',
                    'CREATE INDEX "careleavers_notification_recipient_id_73761850" ON "careleavers_notification"'
                    ' ("recipient_id")',
                ),
            ],
        ),
    ]
