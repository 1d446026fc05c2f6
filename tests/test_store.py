"""The run store (resume keys, no duplicate rows, transient errors retried) and atomic exports."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.schema import ArticleRecord, ErrorInfo, Provenance, Usage
from summarizer.store import FLAT_COLUMNS, RunStore, open_record_writer, read_records, run_key

TEXT = "Five people were killed, police said."


def _record(article_id: str, *, status: str = "ok", kind: str | None = None, calls: int = 1) -> ArticleRecord:
    return ArticleRecord(
        id=article_id,
        status=status,  # type: ignore[arg-type]
        error=ErrorInfo(kind=kind, message="boom") if kind else None,
        summary=f"summary of {article_id}",
        input_sha256="0" * 64,
        chars=len(TEXT),
        provenance=Provenance(summarizer_version="0", strategy="naive", backend="openai-compatible", model="m",
                              usage=Usage(calls=calls, prompt_tokens=100, completion_tokens=20)),
    )


def test_saved_articles_are_found_under_the_same_key_only(tmp_path: Path) -> None:
    key = run_key({"strategy": "naive", "model": "m"})
    other = run_key({"strategy": "naive", "model": "other"})
    assert key != other and key == run_key({"model": "m", "strategy": "naive"})
    with RunStore(tmp_path / "runs.sqlite") as store:
        store.save(key, _record("a"), TEXT)
        assert store.finished(key, "a", "0" * 64) == _record("a")
        assert store.finished(other, "a", "0" * 64) is None
        assert store.finished(key, "a", "1" * 64) is None  # the text changed
        assert store.text_for("a") == TEXT


def test_saving_again_replaces_the_row_and_counts_attempts(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        store.save("k", _record("a", status="error", kind="model_unavailable"), TEXT)
        assert store.finished("k", "a", "0" * 64) is None  # transient: retried next run
        store.save("k", _record("a"), TEXT)
        assert store.count("k") == 1
        assert store.finished("k", "a", "0" * 64) is not None
    with RunStore(path) as store:  # committed, visible to a new connection
        attempts = store._db.execute("SELECT attempts FROM articles").fetchone()[0]
        assert attempts == 2 and store.count() == 1


def test_permanent_errors_are_reused(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        store.save("k", _record("a", status="error", kind="too_long"), TEXT)
        reused = store.finished("k", "a", "0" * 64)
        assert reused is not None and reused.error is not None and reused.error.kind == "too_long"


def test_records_are_paged_in_order(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        for n in range(1203):
            store.save("k" if n % 2 else "j", _record(f"a{n:04d}"), TEXT)
        ids = [record.id for record in store.records()]
        assert len(ids) == 1203 and len(set(ids)) == 1203
        assert [record.id for record in store.records("k")] == [f"a{n:04d}" for n in range(1, 1203, 2)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_exports_appear_only_when_committed(tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    path = tmp_path / f"out.{fmt}"
    path.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with open_record_writer(path) as writer:  # type: ignore[attr-defined]
            writer.write(_record("a"))
            raise RuntimeError("killed mid-export")
    assert path.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind
    with open_record_writer(path) as writer:  # type: ignore[attr-defined]
        for n in range(3):
            writer.write(_record(f"a{n}", status="error" if n == 2 else "ok", kind="empty_input" if n == 2 else None))
    if fmt == "jsonl":
        assert [record.id for record in read_records(path)] == ["a0", "a1", "a2"]
    elif fmt == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert tuple(rows[0]) == FLAT_COLUMNS
        assert [(row["id"], row["status"], row["error_kind"], row["model_calls"]) for row in rows] == [
            ("a0", "ok", "", "1"), ("a1", "ok", "", "1"), ("a2", "error", "empty_input", "1")]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        assert table.column("id").to_pylist() == ["a0", "a1", "a2"]
        assert ArticleRecord.model_validate_json(table.column("record_json")[2].as_py()) == _record(
            "a2", status="error", kind="empty_input")


def test_a_killed_export_leaves_the_previous_file(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing: the destination is untouched, never half written."""
    path = tmp_path / "out.jsonl"
    path.write_text('{"previous": true}\n', encoding="utf-8")
    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from tests.test_store import _record
from summarizer.store import open_record_writer
with open_record_writer({str(path)!r}) as writer:
    for n in range(100000):
        writer.write(_record(f"a{{n}}"))
        if n == 2000:
            print("writing", flush=True)
            time.sleep(60)
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert path.read_text(encoding="utf-8") == '{"previous": true}\n'
    json.loads(path.read_text(encoding="utf-8"))


def _producers_copy(tmp_path: Path) -> Path:
    """A copy of the package's record-producing files, to change without touching the checkout."""
    import shutil

    import summarizer.store as store

    root = tmp_path / "package"
    shutil.copytree(store.PRODUCERS_ROOT, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def _change_a_lexicon(root: Path) -> Path:
    """Edit one lexicon entry where lexicons are data files, else one rule module's word list."""
    import re

    lexicons = sorted((root / "rules" / "lexicons").glob("*.toml"))
    target = lexicons[0] if lexicons else root / "rules" / "casualties.py"
    text = target.read_text(encoding="utf-8")
    changed = re.sub(r'"([a-z]+)"', r'"\1-changed"', text, count=1)
    assert changed != text, f"no lexicon entry to change in {target}"
    target.write_text(changed, encoding="utf-8")
    return target


def test_a_changed_rule_or_lexicon_recomputes_instead_of_reusing(tmp_path: Path, monkeypatch) -> None:
    import summarizer.store as store
    from summarizer.batch import run_job
    from summarizer.pipeline import Summarizer

    (tmp_path / "in").mkdir()
    for n in range(2):
        (tmp_path / "in" / f"a{n}.txt").write_text(f"Police said {n + 3} people were killed in Mosul.", encoding="utf-8")
    root = _producers_copy(tmp_path)
    monkeypatch.setattr(store, "PRODUCERS_ROOT", root)
    store.producer_fingerprint.cache_clear()

    def run() -> object:
        with RunStore(tmp_path / "runs.sqlite") as runs:
            return run_job([str(tmp_path / "in")], tmp_path / "out.jsonl", summarizer=Summarizer(strategy="rules"),
                           store=runs, concurrency=1)

    first, second = run(), run()
    assert (first.reused, second.reused) == (0, 2) and first.run_key == second.run_key

    cached = store.producer_fingerprint(root)
    _change_a_lexicon(root)
    assert store.producer_fingerprint(root) == cached  # computed once per process
    store.producer_fingerprint.cache_clear()  # as the next process would: it reads the changed bytes
    third = run()
    assert third.reused == 0 and third.ok == 2 and third.run_key != second.run_key
    store.producer_fingerprint.cache_clear()


def test_the_producer_fingerprint_follows_file_bytes_not_the_version(tmp_path: Path) -> None:
    import summarizer.store as store

    root = _producers_copy(tmp_path)
    before = store.producer_fingerprint(root)
    assert store.producer_fingerprint(root) == before
    weights = root / "rules" / "weights.bin"  # a trained-weights file anywhere under rules/ counts
    weights.write_bytes(b"\x00\x01")
    store.producer_fingerprint.cache_clear()
    with_weights = store.producer_fingerprint(root)
    assert with_weights != before
    (root / "cli.py").write_text("# not a record producer\n", encoding="utf-8")
    store.producer_fingerprint.cache_clear()
    assert store.producer_fingerprint(root) == with_weights
    assert run_key({"strategy": "rules"}, producers=before) != run_key({"strategy": "rules"}, producers=with_weights)
    store.producer_fingerprint.cache_clear()
