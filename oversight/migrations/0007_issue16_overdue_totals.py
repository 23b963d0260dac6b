"""Issue 16: a night's overdue items by team and by requirement, summed from its snapshot, for the dashboards' trends
(O1). Every night already snapshotted gets its sums here, from the snapshot's rows, in SQL of its own (the code
that writes them later, oversight.services.snapshot_totals_take, may change; this must not)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = [
    "INSERT INTO oversight_overduebyteam (run_id, night, team_id, count) "
    "SELECT run_id, night, team_id, SUM(count) FROM oversight_snapshot WHERE status = 'overdue' "
    "GROUP BY run_id, night, team_id",
    "INSERT INTO oversight_overduebycode (run_id, night, requirement, count) "
    "SELECT run_id, night, requirement, SUM(count) FROM oversight_snapshot WHERE status = 'overdue' "
    "GROUP BY run_id, night, requirement",
]

# As the snapshot's (0002): rows are only ever inserted, and index-only scans need the visibility map VACUUM sets, so
# vacuum after every few nights' rows (a service of 500 teams adds about 510 a night), not after 20% of the table.
TABLES = ("oversight_overduebyteam", "oversight_overduebycode")
VACUUM_OFTEN = [f"ALTER TABLE {t} SET (autovacuum_vacuum_insert_scale_factor = 0, "
                f"autovacuum_vacuum_insert_threshold = 2000)" for t in TABLES]
VACUUM_DEFAULT = [f"ALTER TABLE {t} RESET (autovacuum_vacuum_insert_scale_factor, "
                  f"autovacuum_vacuum_insert_threshold)" for t in TABLES]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('careleavers', '0011_issue16_no_index_beside_a_leading_one'),
        ('oversight', '0006_issue16_no_index_beside_a_leading_one'),
    ]

    operations = [
        migrations.CreateModel(
            name='OverdueByCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('night', models.DateField()),
                ('requirement', models.CharField(choices=[('visit', 'Visit'), ('contact', 'Contact'), ('keeping_in_touch', 'Keeping-in-touch offer'), ('lead_worker_contact', 'Contact with lead social worker'), ('family_contact', 'Contact with family or carers'), ('pathway_review', 'Pathway plan review'), ('pa_allocated', 'PA allocated')], max_length=30)),
                ('count', models.PositiveIntegerField()),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oversight.nightlyrun')),
            ],
            options={
                'ordering': ['night', 'requirement'],
                'indexes': [models.Index(fields=['night', 'requirement'], include=('count',), name='overdue_by_code_trend')],
            },
        ),
        migrations.CreateModel(
            name='OverdueByTeam',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('night', models.DateField()),
                ('count', models.PositiveIntegerField()),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oversight.nightlyrun')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='careleavers.team')),
            ],
            options={
                'ordering': ['night', 'team'],
                'indexes': [models.Index(fields=['night', 'team'], include=('count',), name='overdue_by_team_trend')],
            },
        ),
        # Set on the empty tables, before the backfill.
        migrations.RunPython(_on_postgresql(VACUUM_OFTEN), _on_postgresql(VACUUM_DEFAULT)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
