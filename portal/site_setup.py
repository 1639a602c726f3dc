"""The home page and the default Site, as a fresh install has them.

Shared by the data migration (portal/migrations/0002_create_homepage.py), which
passes its historical models, and by the content loader, which passes the live
registry to rebuild a site on a database that has none. Hence plain model
managers only: historical models have no treebeard or Wagtail page methods.
"""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant

HOME_TITLE = "Stackfit"
HOME_SEO_TITLE = "Stackfit: which Python web framework fits your project?"
STEP = 4  # treebeard's path step: four base-36 digits per level


def create_home_site(apps, *, intro: str = ""):
    """Make the locale, root page, home page and default Site that are missing; return the home page."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("portal", "HomePage")

    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
        root = Page.objects.create(
            title="Root",
            draft_title="Root",
            slug="root",
            content_type=page_type,
            path="0001",
            depth=1,
            numchild=0,
            url_path="/",
            locale=locale,
        )
    children = Page.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    home = HomePage.objects.filter(path__startswith=root.path, depth=root.depth + 1).first()
    if home is None:
        last = children.order_by("-path").values_list("path", flat=True).first()
        number = int(last[-STEP:], 36) + 1 if last else 1
        home_type, _ = ContentType.objects.get_or_create(app_label="portal", model="homepage")
        home = HomePage.objects.create(
            title=HOME_TITLE,
            draft_title=HOME_TITLE,
            seo_title=HOME_SEO_TITLE,
            slug="home",
            content_type=home_type,
            path=root.path + _base36(number).rjust(STEP, "0"),
            depth=root.depth + 1,
            numchild=0,
            url_path=f"{root.url_path}home/",
            intro=intro,
            show_in_menus=False,
            locale=locale,
        )
        Page.objects.filter(pk=root.pk).update(numchild=children.count())
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "site_name": HOME_TITLE, "root_page": home},
    )
    return home


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
    return text or "0"
