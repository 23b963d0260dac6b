"""Issue 14: who wrote any part of a plan version (PathwayPlan.editors), so none of them signs it off.

Plans written before this migration get their editors from the plan's history: every version that
changed a section, by whoever saved it (history_user), and the plan's author."""

from django.db import migrations, models

SECTIONS = (
    "young_persons_voice", "health", "education_employment", "accommodation", "money", "relationships",
    "identity", "practical_skills", "contact_arrangements", "attempts_to_engage", "offer_shared",
    "status_and_entitlements", "advocacy_offered", "known_plans", "open_door",
)


def editors_from_history(apps, schema_editor):
    plan_model = apps.get_model("pathway", "PathwayPlan")
    history_model = apps.get_model("pathway", "HistoricalPathwayPlan")
    staff_model = apps.get_model("careleavers", "Staff")
    staff_of_user = dict(staff_model.objects.values_list("user_id", "pk"))
    through = plan_model.editors.through
    rows = []
    for plan in plan_model.objects.only("pk", "created_by_id").iterator():
        editors = {plan.created_by_id} - {None}
        previous = None
        for version in history_model.objects.filter(id=plan.pk).order_by("history_date", "history_id"):
            content = tuple(getattr(version, field) for field in SECTIONS)
            if content != previous and version.history_user_id in staff_of_user:
                editors.add(staff_of_user[version.history_user_id])
            previous = content
        rows.extend(through(pathwayplan_id=plan.pk, staff_id=staff_id) for staff_id in editors)
    through.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('careleavers', '0004_card_sent'),
        ('pathway', '0003_reg_8_2_b_visit_before_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='pathwayplan',
            name='editors',
            field=models.ManyToManyField(blank=True, help_text='Who wrote any part of this version.', related_name='+', to='careleavers.staff'),
        ),
        migrations.RunPython(editors_from_history, migrations.RunPython.noop),
    ]
