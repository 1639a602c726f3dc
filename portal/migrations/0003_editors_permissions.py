from django.contrib.auth.management import create_permissions
from django.db import migrations

MATRIX_MODELS = ["framework", "aspect", "rating", "scenario", "question", "option", "optionweight"]
ACTIONS = ["add", "change", "delete", "view"]


def grant_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; create the
    # matrix's now so they can be granted here.
    app_config = apps.get_app_config("comparisons")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comparisons",
            codename__in=[f"{a}_{m}" for a in ACTIONS for m in MATRIX_MODELS],
        )
    )
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    root = Page.objects.get(depth=1)
    for codename in ["add_page", "change_page", "publish_page"]:
        GroupPagePermission.objects.get_or_create(
            group=editors,
            page=root,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_create_homepage"),
        ("comparisons", "0002_chooser"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant_editors, migrations.RunPython.noop)]
