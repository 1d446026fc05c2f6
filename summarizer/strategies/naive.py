"""The naive strategy: the whole schema in one model call, then grounding (the comparison point)."""

from __future__ import annotations

from summarizer.drafts import DraftExtraction, ground_drafts
from summarizer.grounding import unsupported_terms
from summarizer.prompting import messages_for
from summarizer.schema import Usage
from summarizer.strategies import StrategyJob, StrategyResult

PROMPTS = {"system", "naive_extract"}


def naive_extraction(client, article: str) -> StrategyResult:
    """Ask once for everything; re-ask once with the grounding checkpoint's reasons; drop and
    count the rest."""
    usage = Usage()
    messages = messages_for("naive_extract", article)
    answer = client.ask(DraftExtraction, messages)
    usage.add(answer.usage)
    draft = answer.value or DraftExtraction()
    extraction, dropped = ground_drafts(article, draft.casualties, draft.quotes, draft.claims)
    if dropped.reasons and answer.value is not None:
        retry = messages + [
            {"role": "assistant", "content": draft.model_dump_json()},
            {"role": "user", "content": "These items are not supported by the article:\n- " + "\n- ".join(dropped.reasons)
             + "\nAnswer again with only items whose evidence and quotes are copied exactly from the article."},
        ]
        second = client.ask(DraftExtraction, retry)
        usage.add(second.usage)
        if second.value is not None:
            draft = second.value
            extraction, dropped = ground_drafts(article, draft.casualties, draft.quotes, draft.claims)
    summary = draft.summary.strip()
    if summary and not unsupported_terms(summary, article):
        extraction.summary = summary
    elif summary:
        dropped.reasons.append(f"summary: states {unsupported_terms(summary, article)} not in the article")
    return StrategyResult(extraction=extraction, dropped=dropped, usage=usage, prompts=set(PROMPTS))


def run(job: StrategyJob) -> StrategyResult:
    """The registry's entry (:class:`summarizer.strategies.Strategy`)."""
    return naive_extraction(job.client, job.article)
