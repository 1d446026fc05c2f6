"""The rules strategy on worker processes: real spawned processes with real spaCy, compared with
the same summarizer called in this process. The crash test makes a worker die on purpose (an
injected task that calls ``os._exit`` on a marked article, as the OOM killer would end it)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import pytest

from summarizer.batch import cpu_bound, run_job, summarize_many, worker_processes
from summarizer.pipeline import Summarizer
from summarizer.schema import ArticleRecord
from summarizer.store import RunStore, read_records
from summarizer.worker_pool import SummarizerPool, available_cpus, summarize_in_worker

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "aid-convoy.txt"

ARTICLES = [
    {"id": "strike", "text": "At least 12 people were killed and 30 wounded in an air strike on a market in Idlib on "
                             "Tuesday, the civil defence said. \"We pulled children from the rubble,\" said rescuer "
                             "Ahmad Yousef. The army denied targeting civilians.", "date": "2024-03-05"},
    {"id": "convoy", "text": EXAMPLE.read_text(encoding="utf-8"), "title": "Aid convoy"},
    {"id": "empty", "text": "   "},
    {"id": "floods", "text": "Floods displaced more than 4,000 families in the north, the regional governor told "
                             "reporters on Monday. She said two people had drowned."},
    {"id": "protest", "text": "Police detained 45 protesters in the capital, according to a rights group. The interior "
                              "ministry said no one had been arrested, calling the report \"false\"."},
]

needs_two_cpus = pytest.mark.skipif(available_cpus() < 2, reason="worker processes need 2 CPUs to be chosen")


def comparable(record: ArticleRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    if data.get("provenance"):
        data["provenance"].pop("latency_s")
    return data


def in_process_records(articles: list[dict[str, Any]] = ARTICLES) -> list[dict[str, Any]]:
    """What this process's own summarizer makes of the articles that are not input problems."""
    summarizer = Summarizer(strategy="rules")
    return [comparable(summarizer.summarize(a["text"], id=a["id"], title=a.get("title"), date=a.get("date")))
            for a in articles if a["text"].strip()]


def without_input_problems(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not (r["error"] and r["error"]["kind"] == "empty_input")]


def write_inputs(path: Path, articles: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")


def test_auto_chooses_processes_for_the_rules_and_threads_for_model_work() -> None:
    rules = Summarizer(strategy="rules")
    naive = Summarizer(strategy="naive", client=object())
    assert cpu_bound(rules) and not cpu_bound(naive)
    expected = min(4, available_cpus())
    assert worker_processes(rules, "auto", 4) == (expected if expected >= 2 else 0)
    assert worker_processes(rules, "auto", 1) == 0  # one at a time: no pool to start
    assert worker_processes(rules, "threads", 4) == 0
    assert worker_processes(rules, "processes", 1) == 1
    assert worker_processes(naive, "auto", 4) == 0
    with pytest.raises(ValueError, match="strategies that parse"):
        worker_processes(naive, "processes", 4)
    with pytest.raises(ValueError, match="unknown parallelism"):
        worker_processes(rules, "greenlets", 4)


@needs_two_cpus
def test_a_process_job_writes_the_same_records_as_in_process_in_input_order(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    write_inputs(source, ARTICLES)
    with RunStore(tmp_path / "runs.sqlite") as store:
        summary = run_job([str(source)], tmp_path / "out.jsonl", summarizer=Summarizer(strategy="rules"),
                          store=store, concurrency=4, parallelism="processes")
        stored = {r.id: comparable(r) for r in store.records(summary.run_key)}
    run_job([str(source)], tmp_path / "threads.jsonl", summarizer=Summarizer(strategy="rules"), concurrency=1,
            parallelism="threads")
    written = [comparable(r) for r in read_records(tmp_path / "out.jsonl")]
    assert written == [comparable(r) for r in read_records(tmp_path / "threads.jsonl")]  # in input order
    assert without_input_problems(written) == in_process_records()  # same bytes apart from latency
    assert summary.ok == 4 and dict(summary.failed) == {"empty_input": 1}
    assert stored == {r["id"]: r for r in written if r["id"] in stored}
    assert set(stored) == {"strike", "convoy", "floods", "protest"}  # the store holds what the file holds


@needs_two_cpus
def test_summarize_many_on_processes_yields_input_order() -> None:
    records = list(summarize_many(ARTICLES, summarizer=Summarizer(strategy="rules"), concurrency=2))
    assert [r.id for r in records] == [a["id"] for a in ARTICLES]
    assert without_input_problems([comparable(r) for r in records]) == in_process_records()


@needs_two_cpus
def test_a_process_job_resumes_from_the_store_of_a_thread_job(tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    write_inputs(source, ARTICLES[:2])
    with RunStore(tmp_path / "runs.sqlite") as store:
        first = run_job([str(source)], tmp_path / "first.jsonl", summarizer=Summarizer(strategy="rules"),
                        store=store, concurrency=1, parallelism="threads")
        write_inputs(source, ARTICLES)  # three more articles since the first run
        second = run_job([str(source)], tmp_path / "second.jsonl", summarizer=Summarizer(strategy="rules"),
                         store=store, concurrency=2, parallelism="processes")
    assert first.ok == 2 and second.reused == 2 and second.articles == 5
    written = [comparable(r) for r in read_records(tmp_path / "second.jsonl")]
    assert without_input_problems(written) == in_process_records()


def die_on_marked_article(text: str, id: Optional[str], title: Optional[str], date: Optional[str],
                          url: Optional[str]) -> ArticleRecord:
    """Injected worker task: the worker process dies (no exception, no cleanup) on a marked article."""
    if "KILL-THIS-WORKER" in text:
        os._exit(9)
    return summarize_in_worker(text, id, title, date, url)


@needs_two_cpus
def test_a_worker_that_dies_costs_only_its_article_and_the_next_run_retries_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SummarizerPool, "task", staticmethod(die_on_marked_article))
    doomed = {"id": "doomed", "text": "KILL-THIS-WORKER. Three people were killed in the blast, police said."}
    articles = ARTICLES[:2] + [doomed] + ARTICLES[2:]
    source = tmp_path / "articles.jsonl"
    write_inputs(source, articles)
    with RunStore(tmp_path / "runs.sqlite") as store:
        summary = run_job([str(source)], tmp_path / "out.jsonl", summarizer=Summarizer(strategy="rules"),
                          store=store, concurrency=2, parallelism="processes")
        records = list(read_records(tmp_path / "out.jsonl"))
        assert [r.id for r in records] == [a["id"] for a in articles]
        crashed = records[2]
        assert crashed.status == "error" and crashed.error is not None
        assert crashed.error.kind == "internal_error" and "worker process" in crashed.error.message
        others = without_input_problems([comparable(r) for r in records if r.id != "doomed"])
        assert others == in_process_records()  # the articles in flight with it were retried, not lost
        assert summary.completed and summary.failed["internal_error"] == 1

        monkeypatch.undo()  # the next run: the worker no longer dies; only the crashed article is redone
        again = run_job([str(source)], tmp_path / "again.jsonl", summarizer=Summarizer(strategy="rules"),
                        store=store, concurrency=2, parallelism="processes")
    assert again.reused == 4 and again.ok == 5  # the four ok articles; the crashed one was redone
    redone = [r for r in read_records(tmp_path / "again.jsonl") if r.id == "doomed"][0]
    assert redone.status == "ok" and redone.casualties
