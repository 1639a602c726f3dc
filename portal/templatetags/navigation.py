"""The site's navigation, defined once: the header, the footer and in-page links use it.

Routes are reversed by name and Wagtail pages are found by type, so renaming a URL
or moving a page in the admin changes every link at once.
"""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from wagtail.models import Page

from portal.models import FAQPage, GuideIndexPage

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    # The aria-current value: "page" on the item's own URL, "true" elsewhere in its section.
    current: str = ""


# (key, label, URL name or page model, whether the paths below it belong to it)
MAIN_NAVIGATION = [
    ("chooser", "Find your framework", "comparisons:chooser", False),
    ("guide", "Guide", GuideIndexPage, True),
    ("compare", "Compare", "comparisons:compare", False),
    ("scenarios", "Cheat sheet", "comparisons:scenarios", False),
    ("faq", "FAQ", FAQPage, False),
]


def _current(path: str, url: str, *, section: bool = False) -> str:
    if path == url:
        return "page"
    if section and path.startswith(url):
        return "true"
    return ""


def _request_path(context) -> tuple[object, str]:
    request = context.get("request")
    return request, getattr(request, "path", "")


def _page_urls(request) -> dict[type, str]:
    """URLs of the live pages the navigation points to, in one query per request."""
    cached = getattr(request, "_navigation_page_urls", None)
    if cached is not None:
        return cached
    models = [target for _, _, target, _ in MAIN_NAVIGATION if not isinstance(target, str)]
    urls = {}
    for page in Page.objects.live().type(*models).order_by("path"):
        # Without the request Wagtail skips its Site lookup (a query on views it
        # does not serve) and still gives a local URL while there is one site.
        urls.setdefault(page.specific_class, page.get_url())
    if request is not None:
        request._navigation_page_urls = urls
    return urls


def _in_allauth(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.func.__module__.startswith("allauth.")


@register.simple_tag(takes_context=True)
def home_link(context) -> NavItem:
    """The site root, for the brand link: the current page only on the home page itself."""
    _, path = _request_path(context)
    url = reverse("wagtail_serve", args=("",))
    return NavItem("home", "Stackfit", url, _current(path, url))


@register.simple_tag(takes_context=True)
def main_navigation(context) -> list[NavItem]:
    """The main sections in menu order; a page that is not live is left out."""
    request, path = _request_path(context)
    page_urls = None
    items = []
    for key, label, target, section in MAIN_NAVIGATION:
        if isinstance(target, str):
            url = reverse(target)
        else:
            page_urls = page_urls if page_urls is not None else _page_urls(request)
            url = page_urls.get(target)
            if not url:
                continue
        items.append(NavItem(key, label, url, _current(path, url, section=section)))
    return items


@register.simple_tag(takes_context=True)
def nav_url(context, key: str) -> str:
    """The URL of a main navigation item, for links in page bodies ("" if its page is not live)."""
    return next((item.url for item in main_navigation(context) if item.key == key), "")


@register.simple_tag(takes_context=True)
def account_navigation(context) -> list[NavItem]:
    """Links for the signed-in reader (decisions, account) or for signing in and up."""
    request, path = _request_path(context)
    user = context.get("user")
    if user is not None and user.is_authenticated:
        decisions = reverse("decisions:list")
        account = reverse("account")
        return [
            NavItem("decisions", "My decisions", decisions, _current(path, decisions, section=True)),
            NavItem(
                "account",
                "Account",
                account,
                # allauth's pages (email, password, two-factor) belong to the account.
                _current(path, account) or ("true" if _in_allauth(request) else ""),
            ),
        ]
    login = reverse("account_login")
    signup = reverse("account_signup")
    return [
        NavItem("login", "Sign in", login, _current(path, login)),
        NavItem("signup", "Sign up", signup, _current(path, signup)),
    ]
