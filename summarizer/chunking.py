"""Long articles: overlapping chunks whose results merge back with whole-article offsets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """``article[offset:offset + len(text)] == text``."""

    offset: int
    text: str


def split_into_chunks(text: str, max_chars: int, overlap: int) -> list[Chunk]:
    """Chunks of at most ``max_chars``, cut at paragraph or sentence ends where possible, each
    starting ``overlap`` characters before the previous one ended so no item is cut in two."""
    if max_chars <= overlap:
        raise ValueError("max_chars must exceed overlap")
    if len(text) <= max_chars:
        return [Chunk(0, text)]
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind("\n\n"), window.rfind(". "), window.rfind("\n"))
            if cut > max_chars // 2:
                end = start + cut + 1
        chunks.append(Chunk(start, text[start:end]))
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
        # begin the next chunk at a word boundary
        while start < end and not text[start - 1].isspace():
            start += 1
    return chunks
