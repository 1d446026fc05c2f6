"""One article in, one validated, grounded record out.

:class:`Summarizer` holds what is expensive to set up (the spaCy pipeline, the model client and,
for the embedded default, the local llama.cpp server, started only on the first model call) and
turns article text into an :class:`~summarizer.schema.ArticleRecord`. Bad input never raises: it
becomes an error record with a specific ``error.kind`` so a batch job keeps going.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from summarizer import __version__
from summarizer.chunking import split_into_chunks
from summarizer.grounding import verify
from summarizer.inputs import binary_reason
from summarizer.prompting import prompt_version
from summarizer.schema import ArticleRecord, ErrorInfo, Extraction, Provenance
from summarizer.strategies import AUTO, QUESTIONS, Strategy, StrategyJob, StrategyName, StrategyResult, question_set, strategy_named

#: What ``auto`` asks the small embedded model: only the questions the eval shows it helps (see
#: README, "Strategies"). None does: its speaker picks lowered speaker accuracy on both gold splits
#: (held-out 0.865 -> 0.802, dev 0.897 -> 0.818) and the casualty check and model summary lost
#: items or facts, so ``auto`` on the embedded model is the rules strategy and calls no model.
AUTO_EMBEDDED_QUESTIONS: frozenset[str] = frozenset()
#: What an explicit ``hybrid`` asks the embedded model: the narrowest question it can answer.
EMBEDDED_QUESTIONS: frozenset[str] = frozenset({"speaker"})
#: What an explicit ``hybrid`` asks any other endpoint (``auto`` there is the review strategy).
CAPABLE_MODEL_QUESTIONS: frozenset[str] = frozenset(QUESTIONS)

DEFAULT_MAX_ARTICLE_CHARS = 1_000_000
#: Articles longer than this are parsed in overlapping chunks (spaCy's memory grows with length).
CHUNK_CHARS = 60_000
CHUNK_OVERLAP = 2_000


class InputError(ValueError):
    """An article that cannot be summarised, with a stable ``kind`` for the error record."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def check_article_text(text: object, max_chars: int = DEFAULT_MAX_ARTICLE_CHARS) -> str:
    """The text if it can be summarised; else :class:`InputError` saying exactly why."""
    if isinstance(text, bytes):
        raise InputError("not_decoded", "article is bytes; decode it (see summarizer.inputs) before summarising")
    if not isinstance(text, str):
        raise InputError("not_text", f"article must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError("empty_input", "article is empty or whitespace only")
    binary = binary_reason(text)
    if binary is not None:
        raise InputError("binary_input", binary)
    if len(text) > max_chars:
        raise InputError(
            "too_long",
            f"article has {len(text):,} characters, over the limit of {max_chars:,} (set max_article_chars to raise it)",
        )
    return text


class Summarizer:
    """Summarise articles with one strategy and one model endpoint.

    ``strategy``: ``"auto"`` (review for any endpoint but the embedded model; there, hybrid with the
    questions that measure best, i.e. rules) or a
    :class:`~summarizer.strategies.Strategy` or its name (``"rules"``: no model call, ``"naive"``,
    ``"hybrid"``); ``questions``: what hybrid may ask (:data:`~summarizer.strategies.QUESTIONS`).
    A wrong name is a :class:`ValueError` listing the valid ones. ``settings`` is a
    :class:`summarizer.backend.ModelSettings` (None: from config file and environment).

    ``attribution_model``: the directory of a trained attribution tagger (opt-in, see
    :mod:`summarizer.attribution`; ``scripts/train-attribution-tagger.py`` makes one), whose
    quotes join the rules' candidates as ``attribution_merge`` says
    (:data:`~summarizer.attribution.tagger.MERGE_MODES`). Loaded here, once; a missing
    directory is a :class:`FileNotFoundError`. A tagger already loaded
    (:class:`~summarizer.attribution.tagger.AttributionTagger`, with its own merge) is used as it is. The naive strategy reads no candidates: it does
    not load the tagger, and its records' settings do not name it.
    """

    def __init__(
        self,
        settings: Any = None,
        *,
        strategy: StrategyName = AUTO,
        questions: Optional[Iterable[str]] = None,
        client: Any = None,
        max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS,
        attribution_model: Optional[Union[str, Path, Any]] = None,
        attribution_merge: Optional[str] = None,
    ) -> None:
        questions = question_set(questions)
        if attribution_merge is not None and attribution_model is None:
            raise ValueError("attribution_merge needs an attribution_model")
        self._settings = settings
        self._client = client
        if strategy == AUTO:
            # a capable endpoint reviews every field of the rules' candidates in one request (README,
            # "Capable models: the review strategy"); the embedded model gets hybrid's questions
            chosen = Strategy.HYBRID if self._is_embedded() else Strategy.REVIEW
        else:
            chosen = strategy_named(strategy)
        # after the names are checked: loading and hashing the weights is the slow part; naive reads
        # no candidates, so its records neither use nor name the tagger
        self.attribution: Any = None
        if attribution_model is not None and not chosen.parses:
            if isinstance(attribution_model, (str, Path)):
                from summarizer.attribution.tagger import require_model_dir

                require_model_dir(attribution_model)  # unused, but a wrong path is still the user's error to hear of
        elif attribution_model is not None:
            from summarizer.attribution import DEFAULT_MERGE
            from summarizer.attribution.tagger import AttributionTagger

            if isinstance(attribution_model, AttributionTagger):
                if attribution_merge not in (None, attribution_model.merge_mode):
                    raise ValueError("a loaded attribution tagger keeps its own merge")
                self.attribution = attribution_model
            else:
                self.attribution = AttributionTagger(attribution_model, attribution_merge or DEFAULT_MERGE)
        self._client_lock = threading.Lock()
        self.max_article_chars = max_article_chars
        if not chosen.questions:
            questions = frozenset()
        elif questions is None and not self._is_embedded():
            questions = CAPABLE_MODEL_QUESTIONS
        elif questions is None:
            questions = AUTO_EMBEDDED_QUESTIONS if strategy == AUTO else EMBEDDED_QUESTIONS
        self.questions = frozenset(questions) & chosen.questions
        if chosen is Strategy.HYBRID and not self.questions:
            chosen = Strategy.RULES  # hybrid with no question is the rules strategy: say so in records
        self.spec: Strategy = chosen
        #: The strategy's name, as records' provenance states it.
        self.strategy: str = chosen.value

    # -- model access -------------------------------------------------------------------------
    @property
    def settings(self) -> Any:
        if self._settings is None:
            from summarizer.backend import ModelSettings

            self._settings = ModelSettings.load()
        return self._settings

    def _is_embedded(self) -> bool:
        if self._client is not None:
            return getattr(getattr(self._client, "settings", None), "is_embedded", False)
        return getattr(self.settings, "base_url", None) in (None, "")

    @property
    def client(self) -> Any:
        """The model client, opened on first use (rules-only runs never open one)."""
        with self._client_lock:  # worker threads of a batch may all ask first
            if self._client is None:
                from summarizer.backend import open_client

                self._client = open_client(self.settings)
        return self._client

    def close(self) -> None:
        """Stop the embedded server if this summarizer started one."""
        if self._client is not None and hasattr(self._client, "close"):
            self._client.close()
        self._client = None

    def __enter__(self) -> "Summarizer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the work -------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """Settings that change the output: they are part of every record's provenance."""
        described: dict[str, Any] = {"strategy": self.strategy, "questions": sorted(self.questions)}
        if self.max_article_chars != DEFAULT_MAX_ARTICLE_CHARS:  # decides which articles are too_long
            described["max_article_chars"] = self.max_article_chars
        if self.attribution is not None:  # which weights made the tagger's quotes, and how they joined
            described["attribution_model"] = str(self.attribution.path)
            described["attribution_sha256"] = self.attribution.sha256
            described["attribution_merge"] = self.attribution.merge_mode
        if self.spec.uses_model:
            settings = self.settings
            for name in ("model", "mode", "temperature", "seed", "max_tokens", "n_ctx"):
                if hasattr(settings, name):
                    value = getattr(settings, name)
                    described[name] = getattr(value, "value", value)
        return described

    def summarize(
        self,
        text: object,
        *,
        id: Optional[str] = None,
        title: Optional[str] = None,
        date: Optional[str] = None,
        url: Optional[str] = None,
    ) -> ArticleRecord:
        """A record for one article: ``status="ok"`` with the extraction, or ``"error"`` saying why.

        ``title``, ``date`` and ``url`` are carried into the record as given (metadata, never sent
        to the model as instructions).
        """
        started = time.perf_counter()
        sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() if isinstance(text, str) else None
        record_id = id or (sha[:16] if sha else "article")
        metadata = {"title": title, "date": date, "url": url}
        try:
            article = check_article_text(text, self.max_article_chars)
            result = self._extract(article)
        except InputError as exc:
            return ArticleRecord(id=record_id, status="error", error=ErrorInfo(kind=exc.kind, message=str(exc)),
                                 **metadata, input_sha256=sha, chars=len(text) if isinstance(text, str) else 0,
                                 provenance=self._provenance(StrategyResult(Extraction()), started))
        except Exception as exc:  # a model/server failure: an error record, the batch goes on
            kind = getattr(exc, "kind", None) or ("model_unavailable" if type(exc).__name__ == "ModelUnavailable" else "internal_error")
            return ArticleRecord(id=record_id, status="error", error=ErrorInfo(kind=kind, message=f"{type(exc).__name__}: {exc}"),
                                 **metadata, input_sha256=sha, chars=len(text) if isinstance(text, str) else 0,
                                 provenance=self._provenance(StrategyResult(Extraction()), started))
        # the grounding checkpoint: whatever the strategy, no ungrounded item reaches the record
        extraction, ungrounded = verify(result.extraction, article)
        result.dropped.add(ungrounded)
        return ArticleRecord(
            id=record_id,
            **metadata,
            input_sha256=sha,
            chars=len(article),
            summary=extraction.summary,
            casualties=extraction.casualties,
            quotes=extraction.quotes,
            claims=extraction.claims,
            dropped=result.dropped,
            provenance=self._provenance(result, started),
        )

    def _extract(self, article: str) -> StrategyResult:
        if len(article) > CHUNK_CHARS:
            return self._extract_chunked(article)
        return self._extract_one(article)

    def _extract_one(self, article: str) -> StrategyResult:
        return self.spec.run(StrategyJob(article, self.questions, open_client=lambda: self.client,
                                         attribution=self.attribution))

    def _extract_chunked(self, article: str) -> StrategyResult:
        """Overlapping chunks, offsets moved back to the whole article, duplicates from overlaps merged."""
        from summarizer.merge import merge_chunk_results

        parts = []
        for chunk in split_into_chunks(article, CHUNK_CHARS, CHUNK_OVERLAP):
            parts.append((chunk.offset, self._extract_one(chunk.text)))
        return merge_chunk_results(article, parts)

    def _provenance(self, result: StrategyResult, started: float) -> Provenance:
        uses_model = self.spec.uses_model
        client = self._client
        return Provenance(
            summarizer_version=__version__,
            strategy=self.strategy,
            backend=("embedded" if self._is_embedded() else "openai-compatible") if uses_model else "none",
            model=getattr(client, "model", None) if uses_model and client is not None else None,
            prompt_version=prompt_version(result.prompts) if result.prompts else None,
            settings=self.describe(),
            usage=result.usage,
            latency_s=round(time.perf_counter() - started, 4),
        )


_default: Optional[Summarizer] = None


def summarize(
    text: str,
    *,
    id: Optional[str] = None,
    title: Optional[str] = None,
    date: Optional[str] = None,
    url: Optional[str] = None,
    **options: Any,
) -> ArticleRecord:
    """Summarise one article with the default settings (config file, environment, embedded model).

    ``options`` are :class:`Summarizer` arguments; without them a process-wide summarizer is reused.
    """
    global _default
    if options:
        with Summarizer(**options) as summarizer:
            return summarizer.summarize(text, id=id, title=title, date=date, url=url)
    if _default is None:
        _default = Summarizer()
    return _default.summarize(text, id=id, title=title, date=date, url=url)
