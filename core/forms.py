class PlainLabelsMixin:
    """Labels without Django's trailing colon, like allauth's forms on the same site."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
