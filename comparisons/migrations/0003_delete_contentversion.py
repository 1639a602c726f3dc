from django.db import migrations


def carry_version_to_core(apps, schema_editor):
    """Keep the token and its date, so ETags and Last-Modified survive the move."""
    Old = apps.get_model("comparisons", "ContentVersion")
    New = apps.get_model("core", "ContentVersion")
    for row in Old.objects.all():
        New.objects.update_or_create(key=row.key, defaults={"token": row.token})
        New.objects.filter(key=row.key).update(changed_at=row.changed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0002_chooser"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(carry_version_to_core, migrations.RunPython.noop),
        migrations.DeleteModel(name="ContentVersion"),
    ]
