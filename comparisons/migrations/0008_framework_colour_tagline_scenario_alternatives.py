import re

import django.core.validators
import modelcluster.fields
from django.db import migrations, models

# The colours static/css/site.css gave the seed's frameworks until now; the third
# takes its darker text shade, the only one of its pair that passes AA for text.
SEED_LOOKS = {
    "flask": ("#2f3a45", "Routing and requests, then it steps aside"),
    "django": ("#0c4b33", "Everything a database-backed site needs, in one box"),
    "fastapi": ("#00695c", "Typed async APIs with their documentation built in"),
}


def seed_colours(apps, schema_editor):
    Framework = apps.get_model("comparisons", "Framework")
    for slug, (colour, tagline) in SEED_LOOKS.items():
        Framework.objects.filter(slug=slug, colour="").update(colour=colour)
        Framework.objects.filter(slug=slug, tagline="").update(tagline=tagline)


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0007_publish_existing_moderators_workflow"),
    ]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="colour",
            field=models.CharField(
                default="",
                help_text="Accent and text colour, as #rrggbb. It must reach a 4.5:1 contrast against "
                "white and the shaded panels, because names and links are written in it.",
                max_length=7,
                validators=[
                    django.core.validators.RegexValidator(
                        re.compile("^#[0-9a-fA-F]{6}$"), "Write the colour as #rrggbb, e.g. #0c4b33."
                    )
                ],
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="framework",
            name="tagline",
            field=models.CharField(
                blank=True, help_text='One short line, e.g. "Batteries included".', max_length=120
            ),
        ),
        migrations.AddField(
            model_name="scenario",
            name="alternatives",
            field=modelcluster.fields.ParentalManyToManyField(
                blank=True,
                help_text="Other frameworks that fit this situation too; they share its credit in the chooser.",
                related_name="alternative_in",
                to="comparisons.framework",
            ),
        ),
        migrations.RunPython(seed_colours, migrations.RunPython.noop),
    ]
