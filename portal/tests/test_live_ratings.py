"""Rating blocks in guide prose show today's rating, in a constant number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comparisons.models import Aspect, Framework, Rating
from portal.models import GuidePage
from portal.tests.helpers import publish_guide_page as publish_page

pytestmark = pytest.mark.django_db


def rating_block(framework, aspect, note=""):
    return {"type": "rating", "value": {"framework": framework.pk, "aspect": aspect.pk, "note": note}}


def publish_guide_page(slug, body):
    return publish_page(slug, body, summary="A page with ratings.")


def render(client, url) -> str:
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def count_queries(client, url) -> int:
    render(client, url)  # per-process caches (site root paths, content types)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_rating_block_shows_the_current_label_and_score_linked_to_the_matrix_row(client, seeded):
    flask = Framework.objects.get(slug="flask")
    curve = Aspect.objects.get(slug="learning_curve")
    page = publish_guide_page("one-rating", [rating_block(flask, curve, "Little to learn beyond Python.")])

    html = render(client, page.url)
    assert 'Flask · Learning curve:</span> <strong class="live-rating__label">Easy</strong>' in html
    assert '<span class="live-rating__score">5/5</span>' in html
    assert 'href="/compare/#aspect-learning_curve"' in html
    assert "Little to learn beyond Python." in html

    Rating.objects.filter(framework=flask, aspect=curve).update(label="Gentle", score=4)
    html = render(client, page.url)
    assert '<strong class="live-rating__label">Gentle</strong>' in html
    assert '<span class="live-rating__score">4/5</span>' in html
    assert ">Easy<" not in html


def test_yes_no_and_text_aspects_show_their_label_without_a_score(client, seeded):
    django = Framework.objects.get(slug="django")
    admin, best_for = Aspect.objects.get(slug="admin"), Aspect.objects.get(slug="best_for")
    page = publish_guide_page("no-scores", [rating_block(django, admin), rating_block(django, best_for)])

    html = render(client, page.url)

    assert '<strong class="live-rating__label">Yes</strong>' in html
    assert '<strong class="live-rating__label">Full web apps, CMS, SaaS</strong>' in html
    assert "live-rating__score" not in html


def test_an_unrated_pair_says_so_and_a_deleted_framework_drops_out(client, seeded):
    flask = Framework.objects.get(slug="flask")
    curve = Aspect.objects.get(slug="learning_curve")
    gone = Framework.objects.create(name="Gone", slug="gone", kind="Test", summary="Deleted below.")
    Rating.objects.filter(framework=flask, aspect=curve).delete()
    page = publish_guide_page("gaps", [rating_block(flask, curve), rating_block(gone, curve)])
    gone.delete()

    html = render(client, page.url)

    assert 'Flask · Learning curve:</span> <span class="live-rating__label">not rated yet</span>' in html
    assert "Gone ·" not in html


def ratings_list(pairs):
    items = [{"framework": f.pk, "aspect": a.pk, "note": ""} for f, a in pairs]
    return {"type": "ratings", "value": {"title": "In short", "ratings": items}}


def test_queries_do_not_grow_with_the_number_of_rating_blocks(client, seeded):
    pairs = [(f, a) for a in Aspect.objects.all() for f in Framework.objects.all()]
    # Both kinds of block on each page: one of each, then ten single ratings and a list of five.
    one = publish_guide_page("one", [rating_block(*pairs[0]), ratings_list(pairs[1:2])])
    ten = publish_guide_page(
        "ten", [*(rating_block(*pair) for pair in pairs[:10]), ratings_list(pairs[10:15])]
    )

    small, large = count_queries(client, one.url), count_queries(client, ten.url)

    assert large == small, f"{small} queries with 2 ratings shown, {large} with 15"
    assert render(client, one.url).count('class="live-rating"') == 2
    assert render(client, ten.url).count('class="live-rating"') == 15


def test_the_seeded_guide_quotes_ratings_through_live_blocks(client, seeded):
    for slug, aspect in [
        ("performance", "performance"),
        ("async-support", "async"),
        ("learning-curve", "learning_curve"),
    ]:
        blocks = [block for block in GuidePage.objects.get(slug=slug).body if block.block_type == "ratings"]
        assert len(blocks) == 1, slug
        assert {r["aspect"].slug for r in blocks[0].value["ratings"]} == {aspect}
        assert {r["framework"].slug for r in blocks[0].value["ratings"]} == {"flask", "django", "fastapi"}
    Rating.objects.filter(framework__slug="django", aspect__slug="learning_curve").update(
        label="Moderate", score=3
    )

    html = render(client, "/guide/learning-curve/")

    assert 'Django · Learning curve:</span> <strong class="live-rating__label">Moderate</strong>' in html
    assert "Steep" not in html
