from django.db import migrations


def link_frameworks_to_their_pages(apps, schema_editor):
    GuidePage = apps.get_model("portal", "GuidePage")
    Framework = apps.get_model("comparisons", "Framework")
    for page_id, framework_id in GuidePage.objects.filter(framework__isnull=False).values_list(
        "pk", "framework_id"
    ):
        Framework.objects.filter(pk=framework_id).update(guide_page_id=page_id)
    check_links_now(schema_editor)


def link_pages_to_their_frameworks(apps, schema_editor):
    GuidePage = apps.get_model("portal", "GuidePage")
    Framework = apps.get_model("comparisons", "Framework")
    guide_pages = GuidePage.objects.values_list("pk", flat=True)
    # Several frameworks may share a page now; going back, the first in display order keeps it.
    for framework in Framework.objects.filter(guide_page__in=guide_pages).order_by("-sort_order", "-pk"):
        GuidePage.objects.filter(pk=framework.guide_page_id).update(framework_id=framework.pk)
    check_links_now(schema_editor)


def check_links_now(schema_editor):
    # PostgreSQL refuses to alter a table with deferred foreign-key checks still pending,
    # and dropping GuidePage.framework alters the framework table in this same transaction.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_editors_permissions"),
        ("comparisons", "0004_framework_guide_page"),
    ]

    operations = [
        migrations.RunPython(link_frameworks_to_their_pages, link_pages_to_their_frameworks),
        migrations.RemoveField(model_name="guidepage", name="framework"),
    ]
