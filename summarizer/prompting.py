"""Prompts as versioned files, and the one way article text reaches a model.

Instructions come only from the package's own ``summarizer/prompts/*.md`` (shipped in the wheel as
package data, so an installed package can make model calls; the repository's top-level ``prompts``
is a symlink to it, never a second source); the article is always a separate user message
fenced by ``<article>`` markers, with any marker-lookalike inside it neutralised, so that text in an
article cannot close the fence and pose as instructions (prompt injection). A record names the
prompt version it was made with: a short hash over the exact bytes of the files a strategy used.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The packaged prompt files (``summarizer/prompts``); the only place prompts are read from.
PROMPTS_DIR: Traversable = files("summarizer") / "prompts"


def prompt_names() -> list[str]:
    """Every prompt file's name (without ``.md``), sorted; the folder's README is not a prompt."""
    return sorted(
        entry.name[: -len(".md")]
        for entry in PROMPTS_DIR.iterdir()
        if entry.name.endswith(".md") and entry.is_file() and entry.name.lower() != "readme.md"
    )


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of the packaged prompt ``summarizer/prompts/NAME.md``."""
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt file missing: {path} (is the package installed with its package data?)")
    return path.read_text(encoding="utf-8").strip()


def prompt_version(names: Iterable[str]) -> str:
    """A short, stable hash of the named prompt files (order-independent)."""
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(load_prompt(name).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


_FENCE = re.compile(r"<\s*/?\s*article\s*>", re.IGNORECASE)


def fence_article(text: str) -> str:
    """The article between ``<article>`` markers, with lookalike markers inside it defused."""
    return "<article>\n" + _FENCE.sub("[article-marker]", text) + "\n</article>"


def messages_for(task: str, article_text: str, question: str = "") -> list[dict[str, str]]:
    """Chat messages for one question: system rules + task instructions, then the fenced data."""
    system = load_prompt("system") + "\n\n" + load_prompt(task)
    user = fence_article(article_text)
    if question:
        user += "\n\n" + question
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
