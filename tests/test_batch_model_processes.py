"""Hybrid and review on worker processes, against a real local server: the scripted oracle
(``summarizer/evaluation/oracle.py``, a scripted OpenAI-compatible server answering from the gold
labels over real HTTP; no model), and the same server made to answer HTTP 429. Real spawned
workers, real spaCy, the real openai client; each job gets a call cache of its own, so every
job's records say what its own requests cost. The last test runs the real embedded model."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Optional

import pytest

from summarizer.backend import ModelClient, ModelSettings
from summarizer.batch import AdaptiveThrottle, RateBudget, run_job, run_records, summarize_many, worker_processes
from summarizer.cache import CallCache
from summarizer.evaluation.oracle import LabelledArticle, OracleServer, gold_articles
from summarizer.pipeline import Summarizer
from summarizer.schema import ArticleRecord
from summarizer.store import RunStore, read_records
from summarizer.worker_pool import SummarizerPool, available_cpus, summarize_in_worker

SECRET = "sk-test-DO-NOT-LEAK-procs-0123456789"
GOLD = ("g1-wire-01", "g1-bulletin-02", "g2-hostile-01", "g3-feature-01", "g1-wire-02", "g1-bulletin-01")

pytestmark = pytest.mark.skipif(available_cpus() < 2, reason="worker processes need 2 CPUs to be chosen")


class KeyedOracle(OracleServer):
    """The scripted oracle, noting each request's Authorization header; the first ``refuse``
    requests get HTTP 429 (no Retry-After) instead of an answer."""

    def __init__(self, articles: list[LabelledArticle], refuse: int = 0) -> None:
        super().__init__(articles)
        self.refuse = refuse
        self.authorizations: list[str] = []
        self.refused = 0

    def handle_post(self, request: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        with self._lock:
            self.authorizations.append(request.headers.get("authorization", ""))
            refuse = self.refused < self.refuse
            self.refused += refuse
        if refuse:
            self.send_json(request, 429, {"error": {"message": "slow down", "type": "rate_limit"}})
            return
        super().handle_post(request, body)


def gold() -> list[LabelledArticle]:
    articles = {a.id: a for a in gold_articles()}
    chosen = [articles[i] for i in GOLD]
    # the same text under another id, right behind the first: it must get its answers from the
    # cache (as one after the other would), not race the first for them
    return chosen[:2] + [LabelledArticle(id="wire-01-again", text=chosen[0].text)] + chosen[2:]


def as_inputs(articles: list[LabelledArticle]) -> list[dict[str, str]]:
    return [{"id": a.id, "text": a.text} for a in articles]


def write_inputs(path: Path, articles: list[LabelledArticle]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in as_inputs(articles)), encoding="utf-8")
    return path


def summarizer_for(server: OracleServer, strategy: str, cache: Path, **settings: Any) -> Summarizer:
    model_settings = server.settings(**{"api_key": SECRET, "max_attempts": 1, **settings})
    return Summarizer(model_settings, strategy=strategy, client=ModelClient(model_settings, cache=CallCache(cache)))


def comparable(record: ArticleRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    if data.get("provenance"):
        data["provenance"].pop("latency_s")
    return data


@pytest.fixture()
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids the job's process handed to worker processes (a spy on the parent's side of the pool)."""
    ids: list[str] = []
    real = SummarizerPool.submit

    def spy(self: SummarizerPool, text: str, **kwargs: Any) -> Any:
        ids.append(kwargs["id"])
        return real(self, text, **kwargs)

    monkeypatch.setattr(SummarizerPool, "submit", spy)
    return ids


def test_auto_chooses_processes_for_model_strategies_that_parse_against_a_base_url() -> None:
    remote = ModelSettings(base_url="http://127.0.0.1:9/v1", model="m", api_key=SECRET)
    workers = min(4, available_cpus())
    for strategy in ("hybrid", "review"):
        assert worker_processes(Summarizer(remote, strategy=strategy), "auto", 4) == workers
        assert worker_processes(Summarizer(remote, strategy=strategy), "processes", 4) == workers
        assert worker_processes(Summarizer(remote, strategy=strategy), "threads", 4) == 0
    naive = Summarizer(remote, strategy="naive")
    assert worker_processes(naive, "auto", 4) == 0
    with pytest.raises(ValueError, match="strategies that parse"):
        worker_processes(naive, "processes", 4)
    embedded = Summarizer(ModelSettings(), strategy="hybrid")
    assert worker_processes(embedded, "auto", 4) == 0  # the llama.cpp server already uses the cores
    assert worker_processes(embedded, "processes", 4) == workers  # one shared server (last test)
    stand_in = Summarizer(remote, strategy="review", client=object())
    assert worker_processes(stand_in, "auto", 4) == 0
    with pytest.raises(ValueError, match="cannot rebuild"):
        worker_processes(stand_in, "processes", 4)


@pytest.mark.parametrize("strategy", ["hybrid", "review"])
def test_processes_write_the_threads_records_in_input_order(strategy: str, tmp_path: Path, submitted: list[str],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    articles = gold()
    source = write_inputs(tmp_path / "articles.jsonl", articles)
    with KeyedOracle(articles) as server:
        run_job([str(source)], tmp_path / "threads.jsonl", summarizer=summarizer_for(server, strategy, tmp_path / "t.sqlite"),
                concurrency=4, parallelism="threads")
        assert submitted == []
        with RunStore(tmp_path / "runs.sqlite") as store:
            summary = run_job([str(source)], tmp_path / "procs.jsonl", concurrency=4, parallelism="processes", store=store,
                              summarizer=summarizer_for(server, strategy, tmp_path / "p.sqlite"))
            stored = {r.id: comparable(r) for r in store.records(summary.run_key)}
    threads = [comparable(r) for r in read_records(tmp_path / "threads.jsonl")]
    procs = [comparable(r) for r in read_records(tmp_path / "procs.jsonl")]
    assert sorted(submitted) == sorted(a.id for a in articles)  # every article went to a worker process
    assert [r["id"] for r in procs] == [a.id for a in articles]  # input order
    assert sorted(procs, key=lambda r: r["id"]) == sorted(threads, key=lambda r: r["id"])  # the same records
    assert stored == {r["id"]: r for r in procs}
    assert all(r["status"] == "ok" and r["provenance"]["backend"] == "openai-compatible" for r in procs)
    by_id = {r["id"]: r for r in procs}
    assert by_id["g1-wire-01"]["provenance"]["usage"]["calls"] > 0
    again = by_id["wire-01-again"]["provenance"]["usage"]
    assert again["calls"] == 0 and again["cached_calls"] == by_id["g1-wire-01"]["provenance"]["usage"]["calls"]
    assert summary.model_calls == sum(r["provenance"]["usage"]["calls"] for r in threads)
    # the key went to the workers as a secret: sent to the server, in nothing written or logged
    assert server.authorizations and set(server.authorizations) == {f"Bearer {SECRET}"}
    for path in ("threads.jsonl", "procs.jsonl", "runs.sqlite", "p.sqlite"):
        assert SECRET.encode() not in (tmp_path / path).read_bytes()
    assert SECRET not in caplog.text


def test_a_rate_limited_article_is_requeued_on_processes(tmp_path: Path) -> None:
    articles = gold()[:4]
    with KeyedOracle(articles) as server:
        reference = {r.id: comparable(r) for r in summarize_many(
            as_inputs(articles), summarizer=summarizer_for(server, "review", tmp_path / "t.sqlite"), parallelism="threads")}
    with KeyedOracle(articles, refuse=2) as server:
        throttle = AdaptiveThrottle(4, max_pause_s=0.05)
        finished = list(run_records(as_inputs(articles), summarizer=summarizer_for(server, "review", tmp_path / "p.sqlite"),
                                    concurrency=4, throttle=throttle, parallelism="processes"))
    assert server.refused == 2 and throttle.rate_limited == 2 and throttle.concurrency < 4
    assert [f.record.id for f in finished] == [a.id for a in articles]
    records = {f.record.id: comparable(f.record) for f in finished}
    assert all(r["status"] == "ok" for r in records.values())  # the two refused were summarised again
    assert records == reference  # a refused request got no completion: nothing of it is in the record


def test_a_workers_warnings_reach_the_jobs_logger_without_the_key(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    articles = gold()[:1]
    with KeyedOracle(articles, refuse=1) as server, caplog.at_level("WARNING", logger="summarizer"):
        [record] = summarize_many(as_inputs(articles), parallelism="processes", concurrency=2,
                                  summarizer=summarizer_for(server, "review", tmp_path / "p.sqlite", max_attempts=2,
                                                            retry_initial_s=0.05))
    assert record.status == "ok" and server.refused == 1  # the backend's own retry, in the worker
    retries = [r for r in caplog.records if r.name == "summarizer.backend" and "HTTP 429 on attempt 1" in r.getMessage()]
    assert len(retries) == 1 and SECRET not in caplog.text


def test_the_rate_budget_holds_on_processes(tmp_path: Path) -> None:
    articles = gold()[:5]
    now = [0.0]
    fitted: list[bool] = []
    settled: list[tuple[int, int]] = []

    class Watched(RateBudget):
        """The job's budget, checked at every start: the requests in the window fit, or it was empty."""

        def acquire(self, tokens: int) -> float:
            waited = super().acquire(tokens)
            window = [event for event in self._events if event[0] > now[0] - self.WINDOW_S]
            fitted.append(len(window) == 1 or sum(event[1] for event in window) <= 4)
            return waited

        def settle(self, estimated_tokens: int, actual_tokens: int, actual_requests: int) -> None:
            settled.append((actual_tokens, actual_requests))
            super().settle(estimated_tokens, actual_tokens, actual_requests)

    def sleep(seconds: float) -> None:  # the budget's clock: the minutes pass at once
        now[0] += seconds

    budget = Watched(requests_per_minute=4, clock=lambda: now[0], sleep=sleep)
    with KeyedOracle(articles) as server:
        finished = list(run_records(as_inputs(articles), summarizer=summarizer_for(server, "hybrid", tmp_path / "p.sqlite"),
                                    concurrency=4, budget=budget, parallelism="processes"))
    assert [f.record.status for f in finished] == ["ok"] * 5
    assert fitted == [True] * 5 and budget.waited_s >= 60.0  # a start waited for the window to move on
    usage = [f.record.provenance.usage for f in finished]
    # settled with each record's real calls and tokens (hybrid asks several questions per article)
    assert sorted(settled) == sorted((u.prompt_tokens + u.completion_tokens, u.calls) for u in usage)
    assert sum(u.calls for u in usage) > 5


def die_on_marked_article(text: str, id: Optional[str], title: Optional[str], date: Optional[str],
                          url: Optional[str]) -> ArticleRecord:
    """Injected worker task: the worker process is killed (SIGKILL, as the OOM killer does) on a
    marked article, while the other articles it holds are waiting on the server."""
    if "KILL-THIS-WORKER" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return summarize_in_worker(text, id, title, date, url)


def test_a_worker_killed_mid_job_costs_only_its_article_and_the_store_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = gold()
    doomed = LabelledArticle(id="doomed", text="KILL-THIS-WORKER. Three people were killed in the blast, police said.")
    job = articles[:3] + [doomed] + articles[3:]
    source = write_inputs(tmp_path / "articles.jsonl", job)
    with KeyedOracle(job) as server:
        reference = {r.id: comparable(r) for r in summarize_many(
            as_inputs(articles), summarizer=summarizer_for(server, "hybrid", tmp_path / "t.sqlite"), parallelism="threads")}
        monkeypatch.setattr(SummarizerPool, "task", staticmethod(die_on_marked_article))
        restarts: list[int] = []
        real_restart = SummarizerPool.restart

        def restart(self: SummarizerPool) -> None:
            restarts.append(len(self.worker_pids()))  # live workers when the job noticed the death
            real_restart(self)

        monkeypatch.setattr(SummarizerPool, "restart", restart)
        with RunStore(tmp_path / "runs.sqlite") as store:
            summary = run_job([str(source)], tmp_path / "out.jsonl", store=store, concurrency=4, parallelism="processes",
                              summarizer=summarizer_for(server, "hybrid", tmp_path / "p.sqlite"))
            records = list(read_records(tmp_path / "out.jsonl"))
            assert [r.id for r in records] == [a.id for a in job]
            crashed = records[3]
            assert crashed.status == "error" and crashed.error is not None and crashed.error.kind == "internal_error"
            # none lost, none changed: an article retried after its worker died may find some of its
            # answers in the cache (asked before the death), so its usage is compared as requests in all
            def without_usage(record: ArticleRecord) -> dict[str, Any]:
                data = comparable(record)
                usage = data["provenance"].pop("usage")
                data["requests"] = usage["calls"] + usage["cached_calls"]
                return data

            assert {r.id: without_usage(r) for r in records if r.id != "doomed"} == {
                i: without_usage(ArticleRecord.model_validate(r)) for i, r in reference.items()}
            assert summary.completed and summary.failed["internal_error"] == 1
            assert restarts == [1, 1]  # killed twice (with others in flight, then alone); the other worker went on

            monkeypatch.undo()  # the next run: nothing dies; only the crashed article is summarised
            again = run_job([str(source)], tmp_path / "again.jsonl", store=store, concurrency=4, parallelism="processes",
                            summarizer=summarizer_for(server, "hybrid", tmp_path / "p.sqlite"))
    assert again.reused == len(articles) and again.ok == len(job) and again.completed
    redone = [r for r in read_records(tmp_path / "again.jsonl") if r.id == "doomed"][0]
    assert redone.status == "ok" and redone.casualties


# -- the real embedded model --------------------------------------------------------------------


def _descendants(root: int) -> Iterator[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(children.get(pid, []))


def _llama_servers() -> set[int]:
    """The llama.cpp server processes started by this test process or its workers."""
    found = set()
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if b"llama_cpp.server" in handle.read():
                    found.add(pid)
        except OSError:
            pass
    return found


@pytest.mark.model
def test_embedded_hybrid_on_processes_shares_one_llama_server(embedded_model: Path, tmp_path: Path) -> None:
    # each quote has no attribution and two people near it: hybrid asks the model who said it
    articles = [
        {"id": "bridge", "text": "Police chief John Carter met the mayor, Linda Price, on Monday. \"We will rebuild "
                                 "the bridge by spring.\" Two people died when it fell."},
        {"id": "factory", "text": "Maria Lopes and Ahmed Ali toured the factory where three workers died. \"The doors "
                                  "were locked,\" one of them told reporters."},
        {"id": "storm", "text": "Governor Ruth Adams visited the town with senator Paul King after the storm killed "
                                "five people. \"We will not abandon you.\""},
    ]
    cache = tmp_path / "calls.sqlite"
    settings = ModelSettings(n_ctx=2048)
    before = _llama_servers()  # the session's own server (tests/conftest.py), when another test started it
    seen: set[int] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.update(_llama_servers() - before)
            stop.wait(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    summarizer = Summarizer(settings, strategy="hybrid", client=ModelClient(settings, cache=CallCache(cache)))
    try:
        assert worker_processes(summarizer, "processes", 2) == 2
        procs = list(summarize_many(articles, summarizer=summarizer, concurrency=2, parallelism="processes"))
    finally:
        stop.set()
        watcher.join()
        summarizer.close()
    assert len(seen) == 1  # one llama.cpp server for the job's process and both workers
    assert _llama_servers() - before == set()  # stopped with the job's summarizer
    assert [r.id for r in procs] == ["bridge", "factory", "storm"]
    assert all(r.status == "ok" for r in procs), [r.error for r in procs]
    assert sum(r.provenance.usage.calls for r in procs) > 0  # the workers asked the shared server
    # the thread path, on the same cache: every request has the same key, so it calls no model
    with Summarizer(settings, strategy="hybrid", client=ModelClient(settings, cache=CallCache(cache))) as threaded:
        threads = {r.id: r for r in summarize_many(articles, summarizer=threaded, concurrency=2, parallelism="threads")}
    for record in procs:
        twin = threads[record.id]
        assert twin.provenance.usage.calls == 0 and twin.provenance.usage.cached_calls == record.provenance.usage.calls
        assert (record.provenance.backend, record.provenance.model) == ("embedded", twin.provenance.model) == (
            "embedded", twin.provenance.model)
        assert record.provenance.model and record.provenance.settings == twin.provenance.settings
        mine, theirs = comparable(record), comparable(twin)
        mine["provenance"].pop("usage"), theirs["provenance"].pop("usage")
        assert mine == theirs
