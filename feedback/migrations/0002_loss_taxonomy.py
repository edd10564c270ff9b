from django.db import migrations

# (name, category, controllable, check_for_excuse)
TAXONOMY = [
    ("Service level below what was sold", "service", True, False),
    ("Slow responses or missed deadlines", "responsiveness", True, False),
    ("Partner or management not reachable during an escalation", "access", True, False),
    ("Errors and rework (notices, penalties)", "quality", True, False),
    ("Staff or partner turnover, lost continuity", "people", True, False),
    ("Fees: level, surprise bills, billing disputes", "fees", True, False),
    ("Scope and engagement-letter misunderstandings", "scope", True, False),
    ("Not proactive, not kept informed", "communication", True, False),
    ("Missing expertise, client outgrew us", "expertise", True, False),
    ("Technology and portal friction", "technology", True, False),
    ("Client sold, merged, closed or retired", "external", False, False),
    ("Work moved in-house", "external", False, False),
    ("Followed a departing partner", "external", False, False),
    ("Mandatory rotation or price-only tender", "external", False, False),
    ("Difficult client", "relationship", False, True),
]


def seed_taxonomy(apps, schema_editor):
    LossReason = apps.get_model("feedback", "LossReason")
    for position, (name, category, controllable, excuse) in enumerate(TAXONOMY, start=1):
        LossReason.objects.update_or_create(
            name=name,
            defaults={
                "category": category,
                "controllable": controllable,
                "check_for_excuse": excuse,
                "position": position,
            },
        )


def remove_taxonomy(apps, schema_editor):
    apps.get_model("feedback", "LossReason").objects.filter(
        name__in=[row[0] for row in TAXONOMY]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed_taxonomy, remove_taxonomy)]
