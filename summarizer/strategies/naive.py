"""The naive strategy: the whole schema in one model call, then grounding (the comparison point)."""

from __future__ import annotations

from summarizer.drafts import DraftExtraction, ground_drafts
from summarizer.grounding import unsupported_terms
from summarizer.prompting import messages_for
from summarizer.rules.injection import InstructionGuard
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
    # injection hook: a grounded item copied from instruction-shaped text is still not content
    guard = InstructionGuard(article)
    extraction.casualties = guard.keep_outside(extraction.casualties, "casualties", link="subset_of")
    extraction.quotes = guard.keep_outside(extraction.quotes, "quotes", link="nested_in")
    extraction.claims = guard.keep_outside(extraction.claims, "claims")
    guard.clear_injected_names(extraction)
    summary = draft.summary.strip()
    missing = unsupported_terms(summary, guard.masked_text()) if summary else []
    if summary and not missing and not guard.echoed_instruction(summary):
        extraction.summary = summary
    elif summary:
        dropped.reasons.append(f"summary: states {missing} not in the article's news text" if missing
                               else "summary: repeats instruction-shaped text")
    dropped.add(guard.dropped)
    return StrategyResult(extraction=extraction, dropped=dropped, usage=usage, prompts=set(PROMPTS))


def run(job: StrategyJob) -> StrategyResult:
    """The registry's entry (:class:`summarizer.strategies.Strategy`)."""
    return naive_extraction(job.client, job.article)
