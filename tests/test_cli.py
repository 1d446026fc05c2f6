"""The command line end to end: run (rules), resume after SIGKILL, show, schema, export, help, secrets."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli import main
from summarizer.schema import ArticleRecord
from summarizer.store import read_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_ffa2c5b90b9276a4.txt"

PARAGRAPH = (
    "At least {n} people were killed and {m} others wounded when shells hit the market in the town on Tuesday, "
    "the regional governor said. \"We are burying our neighbours,\" said Anna Kovalenko, a teacher who lives nearby. "
    "The army denied firing on the town and said its forces had only targeted fighters in the hills.\n\n"
)


def _articles(directory: Path, count: int, paragraphs: int = 3) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = "".join(PARAGRAPH.format(n=n + 2, m=n + p + 3) for p in range(paragraphs))
        (directory / f"article-{n:03d}.txt").write_text(text, encoding="utf-8")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["SUMMARIZER_CACHE"] = str(tmp_path / "calls.sqlite")
    env["HOME"] = str(tmp_path)  # no user config file, no default store outside the test
    return env


def test_run_with_rules_writes_one_record_per_article(tmp_path: Path) -> None:
    _articles(tmp_path / "in", 3)
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "in" / "more.jsonl").write_text(json.dumps({"id": "article-000", "text": "dup"}) + "\n{bad\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(tmp_path / "in"), "-o", str(output), "--store", str(tmp_path / "runs.sqlite"),
                                  "--strategy", "rules", "--log-format", "json"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    records = {record.id: record for record in read_records(output)}
    assert set(records) == {"article-000", "article-001", "article-002", "empty", "article-000#duplicate-2", "more:2"}
    assert all(records[f"article-00{n}"].status == "ok" and records[f"article-00{n}"].casualties for n in range(3))
    assert records["empty"].error.kind == "empty_input"  # type: ignore[union-attr]
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [e["event"] for e in events].count("article_finished") == 6
    final = events[-1]
    assert final["event"] == "job_finished" and final["ok"] == 3 and final["failed"] == 3
    assert final["failed_by_kind"] == {"duplicate_id": 1, "empty_input": 1, "malformed_jsonl": 1}

    # the same command again: everything from the store, the output rewritten identically
    again = runner.invoke(main, ["run", str(tmp_path / "in"), "-o", str(tmp_path / "again.csv"), "--store",
                                 str(tmp_path / "runs.sqlite"), "--strategy", "rules", "-q", "--log-format", "json"],
                          env=_env(tmp_path))
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stderr.strip().splitlines()[-1])
    assert summary["reused_from_store"] == 3 and summary["articles"] == 6
    assert len([line for line in again.stderr.splitlines() if "article_finished" in line]) == 0  # quiet
    assert (tmp_path / "again.csv").read_text(encoding="utf-8").count("\n") == 7  # header + 6 rows

    # show: texts from the store, evidence highlighted
    view = tmp_path / "view.html"
    shown = runner.invoke(main, ["show", str(output), "--store", str(tmp_path / "runs.sqlite"), "--id", "article-001",
                                 "-o", str(view)], env=_env(tmp_path))
    assert shown.exit_code == 0, shown.output
    page = view.read_text(encoding="utf-8")
    assert "<mark" in page and "Anna Kovalenko" in page and "article-002" not in page

    exported = runner.invoke(main, ["export", "--store", str(tmp_path / "runs.sqlite"), "-o", str(tmp_path / "all.jsonl")])
    assert exported.exit_code == 0 and len(list(read_records(tmp_path / "all.jsonl"))) == 3


def test_stdin_and_text_progress(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["run", "-", "-o", str(tmp_path / "out.jsonl"), "--no-store", "--strategy", "rules"],
                           input=PARAGRAPH.format(n=4, m=5), env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    [record] = read_records(tmp_path / "out.jsonl")
    assert record.id == "stdin" and record.status == "ok"
    assert "1 ok, 0 failed" in result.stderr and "wall time" in result.stderr


def test_schema_prints_the_record_json_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == ArticleRecord.model_json_schema()


@pytest.mark.parametrize("command", [[], ["run"], ["show"], ["schema"], ["export"]])
def test_help_is_complete(command: list[str]) -> None:
    result = CliRunner().invoke(main, command + ["--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    if command in ([], ["run"]):
        for needle in ("OPENAI_API_KEY", "SUMMARIZER_BASE_URL", "SUMMARIZER_STORE", "embedded", "SmolLM2"):
            assert needle in result.output


def test_a_store_path_that_is_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    """SUMMARIZER_STORE=/some/dir (a common slip) names the problem instead of a sqlite traceback."""
    _articles(tmp_path / "in", 1, paragraphs=1)
    (tmp_path / "store").mkdir()
    result = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl")],
                                env=_env(tmp_path) | {"SUMMARIZER_STORE": str(tmp_path / "store")})
    assert result.exit_code == 1
    assert f"run store {tmp_path / 'store'} is a directory" in result.output
    assert "runs.sqlite" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_api_key_is_never_echoed(tmp_path: Path) -> None:
    """A failing endpoint with a key: error records, a summary, and the key nowhere."""
    secret = "sk-test-very-secret-1234"
    _articles(tmp_path / "in", 1, paragraphs=1)
    env = _env(tmp_path) | {"SUMMARIZER_MAX_ATTEMPTS": "1", "SUMMARIZER_TIMEOUT_S": "2"}
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "-o", str(output), "--store", str(tmp_path / "runs.sqlite"),
                                       "--strategy", "naive", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                                       "--api-key", secret, "--log-format", "json"], env=env)
    assert result.exit_code == 0, result.output
    [record] = read_records(output)
    assert record.status == "error" and record.error is not None and record.error.kind == "model_unavailable"
    for blob in (result.output, result.stderr, output.read_text(encoding="utf-8"), (tmp_path / "runs.sqlite").read_bytes().decode("latin-1")):
        assert secret not in blob


def test_resume_after_sigkill_loses_nothing_and_recomputes_nothing(tmp_path: Path) -> None:
    """A real job over 30 articles is SIGKILLed mid-run; the same command then finishes the rest."""
    _articles(tmp_path / "in", 30, paragraphs=6)
    store = tmp_path / "runs.sqlite"
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "run", str(tmp_path / "in"), "-o", str(output), "--store", str(store),
               "--strategy", "rules", "--concurrency", "2", "-q"]
    child = subprocess.Popen(command, cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done_before_kill = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if store.exists():
            try:
                with sqlite3.connect(store) as db:
                    done_before_kill = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                done_before_kill = 0
            if done_before_kill >= 5:
                break
        time.sleep(0.02)
    assert child.poll() is None, "the job finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert not output.exists()  # nothing half-written

    with sqlite3.connect(store) as db:
        before = dict(db.execute("SELECT id, finished_at FROM articles").fetchall())
    assert 5 <= len(before) < 30

    rerun = subprocess.run(command[:-1] + ["--log-format", "json"], cwd=ROOT, env=_env(tmp_path), capture_output=True,
                           text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stderr.strip().splitlines()[-1])
    assert summary["articles"] == 30 and summary["reused_from_store"] == len(before)
    ids = [record.id for record in read_records(output)]
    assert sorted(ids) == [f"article-{n:03d}" for n in range(30)]  # each exactly once
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT id, finished_at, attempts FROM articles").fetchall()
    assert len(rows) == 30
    after = {article_id: finished_at for article_id, finished_at, _ in rows}
    assert all(after[article_id] == finished_at for article_id, finished_at in before.items())  # none recomputed
    assert all(attempts == 1 for _, _, attempts in rows)


@pytest.mark.model
@pytest.mark.usefixtures("embedded_model")
def test_run_on_the_seed_with_the_embedded_model(tmp_path: Path) -> None:
    """``summarizer run`` starts the embedded server itself, asks it (naive strategy) and stops it."""
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    output = tmp_path / "out.jsonl"
    env = _env(tmp_path) | {"SUMMARIZER_N_CTX": "4096"}
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "run", str(SEED), "-o", str(output), "--store", str(tmp_path / "runs.sqlite"),
         "--strategy", "naive", "--concurrency", "1", "--log-format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [record] = read_records(output)
    assert record.status == "ok", record.error
    assert record.provenance is not None and record.provenance.backend == "embedded"
    assert record.provenance.model and "SmolLM2" in record.provenance.model
    assert record.provenance.usage.calls >= 1 and record.provenance.usage.prompt_tokens > 0
    summary = json.loads(result.stderr.strip().splitlines()[-1])
    assert summary["model_calls"] == record.provenance.usage.calls and summary["estimated_cost"] == 0.0
