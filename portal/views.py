from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.models import APIToken, Page
from wagtail.search.backends import get_search_backend

from core.search import search_sources
from decisions.models import Decision
from portal.forms import ApiTokenForm, DeleteAccountForm

MAX_QUERY_LENGTH = 200
PAGES_PER_PAGE = 10


def search(request):
    # Control characters (a NUL especially) break database full-text parsers.
    raw = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch.isspace())
    query = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    # The SQLite backend wraps each term in double quotes without escaping the term's own.
    terms = query.replace('"', " ").strip()
    context = {
        "search_query": query,
        "result_count": 0,
        "meta_description": "Search the Stackfit guide and matrix.",
    }
    if terms:
        backend = get_search_backend()
        pages = Paginator(Page.objects.live().public().specific().search(terms), PAGES_PER_PAGE)
        context["pages"] = pages.get_page(request.GET.get("page"))
        sections = []
        for source in search_sources():
            results = list(backend.search(terms, source.queryset.all())[: source.limit])
            context[source.name] = results
            sections.append({"source": source, "results": results})
        context["result_sections"] = sections
        context["result_count"] = pages.count + sum(len(section["results"]) for section in sections)
    return render(request, "pages/search.html", context)


def render_account(request, *, token_form=None, new_token=None, delete_form=None, status=200):
    """The account page: security links, API tokens, the decisions download, deletion."""
    return render(
        request,
        "pages/account.html",
        {
            "tokens": APIToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by(
                "-created"
            ),
            "token_form": token_form or ApiTokenForm(),
            "new_token": new_token,
            "delete_form": delete_form or DeleteAccountForm(user=request.user),
            "decision_count": Decision.objects.owned_by(request.user).count(),
            "meta_description": "Your Stackfit account.",
        },
        status=status,
    )


def _creates_token(request) -> bool:
    return request.method == "POST" and request.POST.get("action") == "create-token"


@login_required
# A token reaches every decision through the API: a session left open is not enough to mint one.
@reauthentication_required(enabled=_creates_token)
def account(request):
    if not _creates_token(request):
        return render_account(request)
    token_form = ApiTokenForm(request.POST)
    if not token_form.is_valid():
        return render_account(request, token_form=token_form, status=400)
    _, new_token = APIToken.create_token(user=request.user, name=token_form.cleaned_data["name"])
    messages.success(request, "Token created. Copy it now: it will not be shown again.")
    return render_account(request, new_token=new_token)


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(APIToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("account")


@login_required
@require_POST
def delete_account(request):
    form = DeleteAccountForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        status = 429 if form.has_error(NON_FIELD_ERRORS, "rate_limited") else 400
        return render_account(request, delete_form=form, status=status)
    user = request.user
    logout(request)
    # Decisions, snapshots, tokens and allauth's records go with the user (CASCADE).
    user.delete()
    messages.success(request, "Your account and all your decisions were deleted.")
    return redirect("/")
