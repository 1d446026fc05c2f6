"""The built wheel is self-contained: installed in a clean venv outside the checkout it makes a model call.

Builds the wheel from this checkout and installs it (``--no-deps``) into a new virtual environment
under a temporary directory. The dependencies come from the test venv's site-packages through a
``.pth`` line (installing them again takes minutes on 2 cores); that line adds the folder only, so
its editable-install hook for this checkout is not run, and the test checks that ``summarizer`` is
imported from the new venv. From there, with the checkout nowhere on the path, it runs ``summarizer run`` on an example article with the naive
strategy against a local OpenAI-compatible server (``tests/scripted_server.py``: scripted answers,
labelled as such) and loads every packaged prompt file. This is what ``pip install summarizer``
(or ``summarizer[ray]`` on worker nodes) gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from scripted_server import ScriptedServer, Step

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "aid-convoy.txt"

pytestmark = pytest.mark.packaging


def _pip(python: Path, *args: str, timeout: float = 900) -> None:
    done = subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True, timeout=timeout,
                          env=os.environ | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh venv (outside the checkout) with the wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    assert ROOT not in work.parents
    _pip(Path(sys.executable), "wheel", "--no-deps", "-q", str(ROOT), "-w", str(work / "dist"))
    [wheel] = (work / "dist").glob("summarizer-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    _pip(bin_dir / "python", "install", "-q", "--no-deps", str(wheel))
    [site_packages] = (work / "venv" / "lib").glob("python3.*/site-packages")
    dependencies = [path for path in map(Path, sys.path) if path.name == "site-packages" and path.is_dir()]
    (site_packages / "zz_test_dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    return bin_dir


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SUMMARIZER_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    return env | {"SUMMARIZER_CACHE": str(tmp / "calls.sqlite"), "SUMMARIZER_STORE": str(tmp / "runs.sqlite"), "HOME": str(tmp)}


def test_the_installed_wheel_ships_every_prompt_and_py_typed(installed: Path, tmp_path: Path) -> None:
    checkout_prompts = sorted(path.stem for path in (ROOT / "summarizer" / "prompts").glob("*.md") if path.stem.lower() != "readme")
    probe = (
        "import json, pathlib, summarizer\n"
        "from summarizer.prompting import load_prompt, messages_for, prompt_names\n"
        "from summarizer.store import prompts_version_for\n"
        "names = prompt_names()\n"
        "texts = {name: load_prompt(name) for name in names}\n"
        "messages = [messages_for(name, 'An article.') for name in names if name != 'system']\n"
        "package = pathlib.Path(summarizer.__file__).parent\n"
        "print(json.dumps({'file': summarizer.__file__, 'names': names, 'empty': [n for n, t in texts.items() if not t],"
        " 'py_typed': (package / 'py.typed').is_file(), 'version': prompts_version_for('naive'), 'messages': len(messages)}))\n"
    )
    done = subprocess.run([str(installed / "python"), "-c", probe], cwd=tmp_path, env=_clean_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # The package is the wheel's copy in the new venv, not this checkout (editable install) or its tree.
    assert Path(seen["file"]).is_relative_to(installed.parent) and not Path(seen["file"]).is_relative_to(ROOT)
    assert seen["names"] == checkout_prompts and not seen["empty"] and seen["py_typed"]
    assert seen["messages"] == len(checkout_prompts) - 1
    from summarizer.store import prompts_version_for

    assert seen["version"] == prompts_version_for("naive")  # the same bytes as the checkout's prompt files


def test_the_installed_wheel_runs_the_naive_strategy_against_a_local_server(installed: Path, tmp_path: Path) -> None:
    answer = {
        "summary": "Shelling killed at least 14 people on an aid convoy near Kadugli, the state health ministry said.",
        "casualties": [{"outcome": "killed", "figure": "At least 14", "victim_group": "people",
                        "source": "the state health ministry",
                        "evidence_text": "At least 14 people were killed and 23 wounded on Tuesday when shells struck "
                                         "an aid convoy on the road south of Kadugli, the state health ministry said."}],
        "quotes": [{"text": "There is no excuse for this.", "speaker": "Amina Osman", "mode": "direct"}],
        "claims": [],
    }
    output = tmp_path / "out.jsonl"
    with ScriptedServer([Step(tool_arguments=answer)]) as server:
        done = subprocess.run(
            [str(installed / "summarizer"), "run", str(EXAMPLE), "-o", str(output), "--strategy", "naive",
             "--base-url", server.base_url, "--model", "scripted", "--log-format", "json"],
            cwd=tmp_path, env=_clean_env(tmp_path), capture_output=True, text=True, timeout=600,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = output.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["status"] == "ok", record.get("error")
    assert record["provenance"]["strategy"] == "naive" and record["provenance"]["prompt_version"]
    assert [quote["text"] for quote in record["quotes"]] == ["There is no excuse for this."]
    assert [casualty["figure"]["low"] for casualty in record["casualties"]] == [14]
    [request] = server.requests
    system = request.body["messages"][0]["content"]
    assert "Amina Osman" not in system and "Amina Osman" in request.body["messages"][1]["content"]  # article = data
    assert (ROOT / "summarizer" / "prompts" / "naive_extract.md").read_text(encoding="utf-8").strip() in system
