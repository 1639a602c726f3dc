from django.db import migrations

from portal.site_setup import create_home_site

HOME_INTRO = (
    "<p>Stackfit helps you decide which Python web framework fits your project. "
    "Read the guide, compare Flask, Django and FastAPI aspect by aspect, "
    "or jump to the cheat sheet.</p>"
)


def create_homepage(apps, schema_editor):
    Page = apps.get_model("wagtailcore.Page")

    # Replace the placeholder page that wagtailcore's initial data creates.
    Page.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", depth=2, slug="home"
    ).delete()
    create_home_site(apps, intro=HOME_INTRO)


def remove_homepage(apps, schema_editor):
    apps.get_model("portal.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
