"""summarizer: structured, source-grounded summaries of news articles.

>>> from summarizer import summarize
>>> record = summarize(text)            # embedded local model, no key needed
>>> record.casualties[0].figure.low

The pydantic models in :mod:`summarizer.schema` are the whole interface; every item carries the
character offsets of its evidence in the article.
"""

__version__ = "0.1.0"

from summarizer.schema import (  # noqa: E402
    ArticleRecord,
    CasualtyReport,
    DisputedClaim,
    Evidence,
    Extraction,
    Figure,
    Quote,
)


def __getattr__(name: str):
    # heavy imports (spaCy, openai) only when the pipeline is used
    if name in ("summarize", "Summarizer"):
        from summarizer import pipeline

        return getattr(pipeline, name)
    if name in ("summarize_many", "summarize_many_async"):
        from summarizer import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")


__all__ = [
    "ArticleRecord", "CasualtyReport", "DisputedClaim", "Evidence", "Extraction", "Figure", "Quote",
    "summarize", "Summarizer", "summarize_many", "summarize_many_async", "__version__",
]
