"""Chooser answers as they travel through query strings, forms and pages.

Shared by the chooser page and saved decisions, which show and link the same answers.
"""

from urllib.parse import urlencode


def answers_from_query(snapshot, data) -> dict[str, list[str]]:
    """Answers from a query string or form: one key per question slug, repeated for lists.

    Keys that are not questions are ignored, so tracking parameters and the
    like do not break a shared link; unknown option values are kept and
    reported by the engine's validation.
    """
    answers = {}
    for question in snapshot.questions:
        values = [value for value in data.getlist(question.slug) if value]
        if values:
            answers[question.slug] = values if question.kind == "multiple" else values[:1]
    return answers


def answers_to_query(answers: dict[str, list[str]]) -> str:
    return urlencode([(slug, option) for slug, options in answers.items() for option in options])


def describe_flip(snapshot, flip) -> list[dict]:
    """Human labels for a flip's changes: question prompt, options before and after."""
    if not flip:
        return []
    described = []
    for change in flip["changes"]:
        question = snapshot.question(change["question"])

        def labels(slugs, question=question):
            return [question.option(slug).label for slug in slugs if question.option(slug)]

        described.append(
            {
                "question": question.prompt,
                "before": labels(change["from"]),
                "after": labels(change["to"]),
            }
        )
    return described


def describe_answers(snapshot, answers: dict) -> list[dict]:
    """Answers as prompt and option labels, in question order (for pages and exports)."""
    described = []
    for question in snapshot.questions:
        chosen = answers.get(question.slug)
        if not chosen:
            continue
        labels = [o.label if (o := question.option(slug)) else slug for slug in chosen]
        described.append({"question": question.prompt, "answers": labels})
    return described
