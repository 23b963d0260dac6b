"""E1, E2, T3 (issue 10, item 6): the escalation ladder is pack data. The column, then every pack file
loaded again, so each pack carries its ladder (Tower Hamlets: T3's own for 18+ and settled)."""

from django.db import migrations, models


def load(apps, schema_editor):
    from compliance.packs import load_pack, pack_files, read_pack

    models = (apps.get_model("compliance", "PolicyPack"), apps.get_model("compliance", "PackRequirement"),
              apps.get_model("compliance", "PackEvent"))
    for path in pack_files():
        load_pack(read_pack(path), models=models, overwrite=True)


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0004_load_pack_files'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpolicypack',
            name='escalation_ladder',
            field=models.JSONField(blank=True, default=list, help_text='E1, E2, T3: the steps offered when contacts go unanswered, per circumstance (pack_data/<key>.json).'),
        ),
        migrations.AddField(
            model_name='policypack',
            name='escalation_ladder',
            field=models.JSONField(blank=True, default=list, help_text='E1, E2, T3: the steps offered when contacts go unanswered, per circumstance (pack_data/<key>.json).'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
