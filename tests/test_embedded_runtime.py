"""Without the embedded runtime, asking the embedded model says which command installs it, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import embedded
from summarizer.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _without_the_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without llama-cpp-python's server, and with the embedded model as the endpoint."""
    monkeypatch.setattr(embedded, "missing_server_modules", lambda: ["llama_cpp"])
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "calls.sqlite"))
    for variable in ("OPENAI_BASE_URL", "SUMMARIZER_BASE_URL", "SUMMARIZER_GGUF"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("strategy", ["hybrid", "naive"])
def test_model_strategy_without_the_runtime_names_the_install_commands(
    strategy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_the_runtime(tmp_path, monkeypatch)
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["run", str(EXAMPLES), "-o", str(output), "--store", str(tmp_path / "runs.sqlite"),
                                       "--strategy", strategy])
    assert result.exit_code == 1
    assert f"--strategy {strategy} asks the embedded model" in result.output
    assert "`bash scripts/build-embedded-runtime.sh`" in result.output  # a checkout
    assert f'CMAKE_ARGS="{embedded.PORTABLE_CMAKE_ARGS}" pip install --no-cache-dir \'summarizer[embedded]\'' in result.output  # pip users
    assert not output.exists()


def test_the_default_needs_no_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_the_runtime(tmp_path, monkeypatch)
    for variable in ("OPENAI_API_KEY", "SUMMARIZER_API_KEY"):  # no key: auto is the rules
        monkeypatch.delenv(variable, raising=False)
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["run", str(EXAMPLES), "-o", str(output), "--store", str(tmp_path / "runs.sqlite"), "-q"])
    assert result.exit_code == 0, result.output
    assert "1 ok" in result.output


@pytest.mark.parametrize("strategy", ["hybrid", "naive"])
def test_eval_of_a_model_strategy_without_the_runtime_names_the_install_commands(
    strategy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_the_runtime(tmp_path, monkeypatch)
    out = tmp_path / "eval"
    result = CliRunner().invoke(main, ["eval", "--strategy", strategy, "--split", "dev", "--limit", "1", "--out", str(out)])
    assert result.exit_code == 1
    assert f"--strategy {strategy} asks the embedded model" in result.output
    assert "`bash scripts/build-embedded-runtime.sh`" in result.output
    assert not out.exists()  # said before any work
