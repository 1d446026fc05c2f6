"""The batch job on Ray: same records as the thread pool, same output, same resume, no key shipped.

Tests marked ``ray`` start a one-node local Ray (2 CPUs) once per module and are skipped without
the ``ray`` extra; the others check the worker side in this process and need only pyarrow.
"""

from __future__ import annotations

import json
import os
import pickle
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripted_server import ScriptedServer, Step

from summarizer import ray_job
from summarizer.backend import ModelSettings
from summarizer.batch import summarize_many
from summarizer.pipeline import Summarizer
from summarizer.ray_job import SummarizeBatch, WorkerSettings, prepare_workers, ray_records, run_job_on_ray
from summarizer.schema import ArticleRecord
from summarizer.store import RunStore, read_records

SECRET = "sk-test-never-in-task-args-0123456789"
#: The key the local Ray's workers find in their environment (set before ``ray.init``).
NODE_KEY = "sk-test-from-the-node-environment"

TOWNS = ["Velmora", "Ostrava Nova", "Karsk", "Lintu Bay", "Deshir"]
OFFICIALS = ["the provincial governor", "a hospital director", "the interior ministry", "a local aid group"]
SPEAKERS = ["Mira Talvik", "Jonas Abeyta", "Sefa Orhun", "Petra Lind"]


def invented_article(seed: int) -> str:
    """A short made-up wire story: a casualty figure with its source, a quote and a denial."""
    rng = random.Random(seed)
    town, official, speaker = rng.choice(TOWNS), rng.choice(OFFICIALS), rng.choice(SPEAKERS)
    killed, injured = rng.randint(2, 90), rng.randint(3, 200)
    return (
        f"At least {killed} people were killed and {injured} injured when shells hit a market in {town} on "
        f"Monday, {official} said.\n\n"
        f"\"The stalls were full when the first shell landed,\" said {speaker}, a trader who survived the attack.\n\n"
        f"The northern command denied firing on the town and said its units had been targeting a depot "
        f"several kilometres away."
    )


#: Max article length for the summarizer under test: one article is made longer, so a worker refuses it.
MAX_CHARS = 600


def invented_articles() -> list[dict[str, Any]]:
    """~20 articles: 18 stories, one empty, one too long and one full of control characters
    (input problems, found as the input is read and never sent to a worker)."""
    articles: list[dict[str, Any]] = [
        {"id": f"story-{number:02d}", "title": f"Story {number}", "text": invented_article(number)} for number in range(18)
    ]
    articles[0].update(date="2031-04-07", url="https://news.example/velmora-market")
    articles.append({"id": "empty", "text": "   \n "})
    articles.append({"id": "too-long", "text": invented_article(99) + "\n\n" + invented_article(100)})
    articles.append({"id": "control-chars", "text": "Shelling resumed." + "\x01" * 40})
    return articles


def write_jsonl(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(article) + "\n" for article in articles), encoding="utf-8")
    return path


def comparable(record: ArticleRecord) -> dict[str, Any]:
    """What must match between executors: the whole record but its timing; for errors, the kind.

    Error wording and provenance differ by road in (``run`` reports input problems of files
    before a summarizer sees them; ``summarize_many`` leaves them to the summarizer).
    """
    if record.status == "error":
        return {"id": record.id, "error_kind": record.error.kind if record.error else None}
    data = record.model_dump(mode="json", exclude={"provenance"})
    if record.provenance is not None:
        data["provenance"] = record.provenance.model_dump(mode="json", exclude={"latency_s"})
    return data


# ---------------------------------------------------------------------------------------------
# The worker side, in this process (no Ray needed)


def test_worker_settings_never_carry_the_api_key() -> None:
    settings = ModelSettings(base_url="http://models.internal:8000/v1", model="m-large", api_key=SECRET)
    summarizer = Summarizer(settings, strategy="hybrid")
    worker = WorkerSettings.from_summarizer(summarizer, concurrency=3)
    assert SECRET not in repr(worker) and SECRET.encode() not in pickle.dumps(worker)
    assert worker.needs_api_key and worker.model_settings is not None
    assert worker.model_settings["base_url"] == "http://models.internal:8000/v1"

    rebuilt = worker.build_summarizer({"SUMMARIZER_API_KEY": "key-from-the-node"})
    assert rebuilt.settings.api_key.get_secret_value() == "key-from-the-node"
    assert rebuilt.describe() == summarizer.describe()  # the same run key on every worker
    with pytest.raises(RuntimeError, match="SUMMARIZER_API_KEY"):
        worker.build_summarizer({})


def test_the_embedded_model_is_refused_for_model_strategies() -> None:
    with pytest.raises(ValueError, match="base-url"):
        WorkerSettings.from_summarizer(Summarizer(ModelSettings(), strategy="naive"))
    rules = WorkerSettings.from_summarizer(Summarizer(strategy="rules", max_article_chars=MAX_CHARS))
    assert rules.model_settings is None and not rules.needs_api_key and rules.max_article_chars == MAX_CHARS


def test_a_failing_batch_becomes_error_records(monkeypatch: pytest.MonkeyPatch) -> None:
    pa = pytest.importorskip("pyarrow")
    batch_fn = SummarizeBatch(WorkerSettings.from_summarizer(Summarizer(strategy="rules")))

    def broken(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise RuntimeError("worker bug")

    monkeypatch.setattr(ray_job, "run_records", broken)
    rows = pa.Table.from_pylist([{"id": "a", "text": "Two people died.", "title": None, "date": None, "url": None},
                                 {"id": "b", "text": "Three people died.", "title": "B", "date": "2031-01-02", "url": None}])
    out = batch_fn(rows).to_pylist()
    records = [ArticleRecord.model_validate_json(row["record_json"]) for row in out]
    assert [row["id"] for row in out] == ["a", "b"]
    assert all(record.status == "error" and record.error.kind == "internal_error" for record in records)
    assert "worker bug" in records[0].error.message and (records[1].title, records[1].date) == ("B", "2031-01-02")


# ---------------------------------------------------------------------------------------------
# One-node local Ray


def test_a_key_only_the_driver_knows_is_refused_before_ray_starts() -> None:
    settings = ModelSettings(base_url="http://models.internal:8000/v1", model="m", api_key=SECRET)
    with pytest.raises(ValueError, match="SUMMARIZER_API_KEY"):
        prepare_workers(Summarizer(settings, strategy="naive"), environ={})
    assert prepare_workers(Summarizer(settings, strategy="naive"), environ={"OPENAI_API_KEY": "k"}).needs_api_key


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A one-node Ray whose workers see NODE_KEY and a throwaway model-call cache in their environment."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    node_environment = {"SUMMARIZER_API_KEY": NODE_KEY,
                        "SUMMARIZER_CACHE": str(tmp_path_factory.mktemp("ray-cache") / "calls.sqlite")}
    saved = {name: os.environ.get(name) for name in node_environment}
    os.environ.update(node_environment)
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")  # loopback only
    try:
        yield
    finally:
        ray.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.mark.ray
def test_workers_call_the_endpoint_with_the_key_from_their_own_environment(local_ray: None) -> None:
    articles = [{"id": f"wire-{number}", "text": invented_article(500 + number)} for number in range(4)]
    with ScriptedServer([Step(tool_arguments={})]) as endpoint:  # an empty (valid) answer to every call
        settings = ModelSettings(base_url=endpoint.base_url, model="fake", api_key=SECRET, max_attempts=1, timeout_s=20)
        finished = list(ray_records(articles, summarizer=Summarizer(settings, strategy="naive"), actors=2))
    assert sorted(item.record.id for item in finished) == [f"wire-{number}" for number in range(4)]
    assert all(item.record.status == "ok" and item.record.provenance.usage.calls == 1 for item in finished)
    authorizations = [request.headers.get("authorization") for request in endpoint.requests]
    assert authorizations == [f"Bearer {NODE_KEY}"] * 4  # never the driver's SECRET


@pytest.mark.ray
def test_ray_job_matches_the_thread_pool_and_resumes(local_ray: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = invented_articles()
    source = write_jsonl(tmp_path / "articles.jsonl", articles)
    summarizer = Summarizer(strategy="rules", max_article_chars=MAX_CHARS)
    expected = {record.id: comparable(record) for record in summarize_many(articles, summarizer=summarizer)}

    with RunStore(tmp_path / "runs.sqlite") as store:
        first = run_job_on_ray([str(source)], tmp_path / "out.jsonl", summarizer=summarizer, store=store, actors=2,
                               batch_size=4)
        records = list(read_records(tmp_path / "out.jsonl"))
        assert sorted(record.id for record in records) == sorted(expected)  # one valid record per article
        assert {record.id: comparable(record) for record in records} == expected
        ok = [record for record in records if record.status == "ok"]
        assert len(ok) == 18 and all(record.casualties and record.quotes and record.claims for record in ok)
        by_id = {record.id: record for record in records}
        assert (by_id["story-00"].date, by_id["story-00"].url) == ("2031-04-07", "https://news.example/velmora-market")
        assert first.completed and first.articles == 21 and first.ok == 18 and first.reused == 0
        assert dict(first.failed) == {"empty_input": 1, "too_long": 1, "binary_input": 1}
        assert store.count(first.run_key) == 18  # everything sent to Ray was committed; input problems never are

        sent: list[list[str]] = []
        real_window = ray_job._summarize_window

        def spy(pending: dict[str, Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
            sent.append(sorted(pending))
            return real_window(pending, *args, **kwargs)

        monkeypatch.setattr(ray_job, "_summarize_window", spy)
        again = run_job_on_ray([str(source)], tmp_path / "again.parquet", summarizer=summarizer, store=store)
        assert sent == [] and again.reused == 18 and again.articles == 21
        pq = pytest.importorskip("pyarrow.parquet")
        table = pq.read_table(tmp_path / "again.parquet").to_pylist()
        assert {row["id"]: comparable(ArticleRecord.model_validate_json(row["record_json"])) for row in table} == expected

        articles[3]["text"] = invented_article(1234)  # an edited article is the only one summarised again
        write_jsonl(source, articles)
        edited = run_job_on_ray([str(source)], tmp_path / "edited.jsonl", summarizer=summarizer, store=store, actors=1)
        assert sent == [["story-03"]] and edited.reused == 17 and edited.ok == 18


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--strategy", "rules", "--rpm", "60"], "not shared across Ray actors"),
        (["--strategy", "naive"], "needs a shared model endpoint"),
        (["--strategy", "naive", "--base-url", "http://models.internal:8000/v1", "--model", "m", "--api-key", SECRET],
         "SUMMARIZER_API_KEY on every node"),
    ],
)
def test_run_with_ray_refuses_what_workers_cannot_honour(tmp_path: Path, flags: list[str], message: str) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    from click.testing import CliRunner

    from summarizer.cli import main

    source = write_jsonl(tmp_path / "in.jsonl", invented_articles()[:2])
    result = CliRunner().invoke(main, ["run", str(source), "-o", str(tmp_path / "out.jsonl"), "--no-store", "--ray", *flags])
    assert result.exit_code == 2 and message in result.output and SECRET not in result.output
    assert not (tmp_path / "out.jsonl").exists()
