"""Load every pack file of compliance/pack_data into the database (issue 10: packs as versioned data
files). Existing packs are brought into line with their file: the new "what meets it" columns are
filled, and any earlier admin edit stays in the pack's history."""

from django.db import migrations


def load(apps, schema_editor):
    from compliance.packs import DEFAULT_PACK, load_pack, pack_files, read_pack

    models = (apps.get_model("compliance", "PolicyPack"), apps.get_model("compliance", "PackRequirement"),
              apps.get_model("compliance", "PackEvent"))
    for path in pack_files():
        load_pack(read_pack(path), models=models, overwrite=True)
    if not models[0].objects.filter(is_active=True).exists():
        models[0].objects.filter(key=DEFAULT_PACK).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_packs_as_data_files"), ("careleavers", "0003_legal_status_history_and_reg_7")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
