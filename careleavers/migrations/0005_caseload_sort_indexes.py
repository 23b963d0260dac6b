from django.db import migrations, models


class Migration(migrations.Migration):
    """Issue 16: the caseload sorts the whole service by name or by age over an index (with the id, so
    a late page's ids come from the index alone)."""

    dependencies = [
        ("careleavers", "0004_card_sent"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="youngperson",
            index=models.Index(fields=["name", "ref", "id"], name="youngperson_name"),
        ),
        migrations.AddIndex(
            model_name="youngperson",
            index=models.Index(fields=["date_of_birth", "ref", "id"], name="youngperson_dob"),
        ),
    ]
