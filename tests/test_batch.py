"""Batch jobs: bounded concurrency, resume from the store, budgets, backoff on 429, job summaries."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from summarizer.batch import AdaptiveThrottle, PriceTable, RateBudget, run_job, summarize_many, summarize_many_async
from summarizer.schema import ArticleRecord, ErrorInfo, Provenance, Usage
from summarizer.store import RunStore, read_records

TEXT = "Five people were killed in the strike on Tuesday, police said."


class CountingSummarizer:
    """Stands in for :class:`summarizer.pipeline.Summarizer`: counts calls and concurrency.

    ``rate_limit_first`` calls fail as a 429 would after the backend's own retries.
    """

    strategy = "naive"
    client = None
    max_article_chars = 1_000_000

    def __init__(self, *, delay_s: float = 0.0, rate_limit_first: int = 0) -> None:
        self.delay_s = delay_s
        self.rate_limit_first = rate_limit_first
        self.calls: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def describe(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "model": "counting"}

    def summarize(self, text: str, *, id: Optional[str] = None, title: Optional[str] = None,
                  date: Optional[str] = None, url: Optional[str] = None) -> ArticleRecord:
        with self._lock:
            self.calls.append(id or "")
            number = len(self.calls)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay_s)
            sha = hashlib.sha256(text.encode()).hexdigest()
            provenance = Provenance(summarizer_version="0", strategy="naive", backend="openai-compatible", model="counting",
                                    usage=Usage(calls=1, prompt_tokens=1000, completion_tokens=100))
            if number <= self.rate_limit_first:
                return ArticleRecord(id=id or "?", status="error", input_sha256=sha, provenance=provenance,
                                     error=ErrorInfo(kind="model_unavailable", message="model server x answered HTTP 429: slow down"))
            return ArticleRecord(id=id or "?", summary=text[:20], input_sha256=sha, chars=len(text), title=title,
                                 date=date, url=url, provenance=provenance)
        finally:
            with self._lock:
                self.active -= 1

    def close(self) -> None:
        pass


def test_strings_and_dicts_in_records_out_with_bounded_concurrency() -> None:
    fake = CountingSummarizer(delay_s=0.02)
    items: list[Any] = [f"{TEXT} {n}" for n in range(10)] + [{"id": "d", "text": TEXT, "title": "T", "date": "2024-03-01", "url": "https://example.org/d"}, {"id": "e", "text": ""}]
    records = list(summarize_many(items, summarizer=fake, concurrency=3))
    assert sorted(record.id for record in records) == sorted([str(n) for n in range(10)] + ["d", "e"])
    by_id = {record.id: record for record in records}
    assert (by_id["d"].date, by_id["d"].url) == ("2024-03-01", "https://example.org/d")
    assert by_id["d"].title == "T" and by_id["e"].error is not None and by_id["e"].error.kind == "empty_input"
    assert len(fake.calls) == 11  # the empty one never reached the summarizer
    assert 1 < fake.max_active <= 3


def test_a_second_run_reuses_the_store_with_zero_calls(tmp_path: Path) -> None:
    items = [{"id": f"a{n}", "text": f"{TEXT} {n}"} for n in range(20)]
    with RunStore(tmp_path / "runs.sqlite") as store:
        first = list(summarize_many(items, summarizer=CountingSummarizer(), store=store))
        again = CountingSummarizer()
        second = list(summarize_many(items, summarizer=again, store=store))
        assert again.calls == []
        assert sorted(r.id for r in second) == sorted(r.id for r in first) and store.count() == 20
        changed = CountingSummarizer()
        items[3] = {"id": "a3", "text": "A different text."}
        list(summarize_many(items, summarizer=changed, store=store))
        assert changed.calls == ["a3"]  # only the changed article is recomputed
        assert store.count() == 21  # the old text's record is kept under its own hash


def test_rate_limited_records_slow_the_job_and_are_retried() -> None:
    fake = CountingSummarizer(rate_limit_first=2)
    throttle = AdaptiveThrottle(4, max_pause_s=0.05)
    from summarizer.batch import run_records

    finished = list(run_records([f"{TEXT} {n}" for n in range(6)], summarizer=fake, concurrency=4, throttle=throttle))
    assert [f.record.status for f in finished] == ["ok"] * 6
    assert len(fake.calls) == 8  # two retried
    assert throttle.rate_limited == 2 and throttle.concurrency < 4 and throttle.pause_s > 0


def test_rate_limit_retries_are_bounded() -> None:
    fake = CountingSummarizer(rate_limit_first=100)
    from summarizer.batch import run_records

    throttle = AdaptiveThrottle(1, max_pause_s=0.01)
    [finished] = list(run_records([TEXT], summarizer=fake, throttle=throttle, max_rate_limit_retries=2))
    assert finished.record.status == "error" and len(fake.calls) == 3


def test_throttle_recovers_after_successes() -> None:
    throttle = AdaptiveThrottle(8, recover_after=2)
    throttle.on_rate_limited()
    throttle.on_rate_limited()
    assert (throttle.concurrency, throttle.pause_s) == (2, 2.0)
    for _ in range(4):
        throttle.on_success()
    assert (throttle.concurrency, throttle.pause_s) == (4, 0.5)


def test_rate_budget_waits_for_the_window() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = RateBudget(requests_per_minute=2, tokens_per_minute=10_000, clock=lambda: now[0], sleep=sleep)
    assert budget.acquire(100) == 0 and budget.acquire(100) == 0
    assert budget.acquire(100) == pytest.approx(60.0)  # the third request waits for the first to leave
    now[0] = 200.0
    budget.acquire(9_000)
    budget.settle(9_000, 500, 1)  # it really used 500 tokens: room again
    assert budget.acquire(9_000) == 0


def test_an_article_over_the_whole_token_budget_still_runs() -> None:
    budget = RateBudget(tokens_per_minute=100, clock=lambda: 0.0, sleep=lambda s: None)
    assert budget.acquire(5_000) == 0


def test_async_iterator_yields_the_same_records() -> None:
    async def collect() -> list[ArticleRecord]:
        return [record async for record in summarize_many_async([TEXT, TEXT + " 2"], summarizer=CountingSummarizer())]

    records = asyncio.run(collect())
    assert sorted(r.id for r in records) == ["0", "1"] and all(r.status == "ok" for r in records)


def test_price_table_estimates_cost(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"counting": {"input_per_million": 1.0, "output_per_million": 10.0}}), encoding="utf-8")
    table = PriceTable.load(path)
    record = CountingSummarizer().summarize(TEXT, id="a")
    assert table.cost(record) == pytest.approx((1000 * 1.0 + 100 * 10.0) / 1e6)
    assert PriceTable().cost(record) is None


def test_run_job_turns_every_bad_input_into_its_record_and_goes_on(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(TEXT, encoding="utf-8")
    (inputs / "empty.txt").write_text("", encoding="utf-8")
    (inputs / "binary.txt").write_bytes(bytes(range(256)))
    (inputs / "latin.txt").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40)
    (inputs / "long.txt").write_text("word " * 400, encoding="utf-8")
    (inputs / "lines.jsonl").write_text("\n".join([
        json.dumps({"id": "j1", "text": TEXT}), "{oops", json.dumps({"text": TEXT}), json.dumps({"id": "j3"}),
        json.dumps({"id": "j1", "text": TEXT + " again"}), json.dumps({"id": "j5", "text": TEXT + " last"}),
    ]), encoding="utf-8")
    fake = CountingSummarizer()
    fake.max_article_chars = 1_000
    output = tmp_path / "out.jsonl"
    summary = run_job([str(inputs)], output, summarizer=fake, store=RunStore(tmp_path / "runs.sqlite"))
    kinds = {record.id: (record.error.kind if record.error else "ok") for record in read_records(output)}
    assert kinds == {
        "binary": "binary_input", "empty": "empty_input", "latin": "undecodable", "long": "too_long", "good": "ok",
        "j1": "ok", "lines:2": "malformed_jsonl", "lines:3": "missing_field", "j3": "missing_field",
        "j1#duplicate-2": "duplicate_id", "j5": "ok",
    }
    assert sorted(fake.calls) == ["good", "j1", "j5"]
    assert summary.completed and summary.articles == 11 and summary.ok == 3 and summary.failures == 8
    assert summary.failed["missing_field"] == 2 and summary.model_calls == 3 and summary.cost is None
    assert summary.prompt_tokens == 3000 and summary.completion_tokens == 300
