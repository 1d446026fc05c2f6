"""Reading articles from files, directories, JSONL and stdin, one specific problem at a time.

:func:`iter_articles` turns what a user points the CLI at into a stream of :class:`ArticleInput`
(text ready to summarise) and :class:`InputProblem` (why a file or line cannot be summarised).
A problem is never an exception: it becomes an error record in the output and the job goes on.

* ``.txt`` files are one article each; the id is the file name without suffix (the path relative
  to the directory given, for files found in one).
* ``.jsonl`` files hold one article per line: ``{"id": ..., "text": ...}`` plus optional
  ``title``, ``date`` and ``url``.
* ``.html``/``.htm`` files are converted to text (scripts and styles dropped, paragraph breaks
  kept). Evidence offsets in a record refer to that converted text, which is what the run store
  keeps next to the record.
* ``-`` is stdin: JSONL when the first non-blank line is a JSON object, else one plain article.

Bytes are decoded as UTF-8 (with or without a BOM); anything else is detected with
``charset-normalizer`` and the encoding is recorded on the input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Optional, Union

from summarizer.schema import ArticleRecord, ErrorInfo

#: File suffixes read when a directory is given (a file named explicitly is read whatever its suffix).
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".html", ".htm")

#: Bytes per character allowed before a file is rejected as too long without being read.
_MAX_BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class ArticleInput:
    """One article's text and metadata, decoded and ready to summarise."""

    id: str
    text: str
    title: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    #: Where it came from: a path, ``path:line`` for JSONL, ``<stdin>``, ``<python>``.
    origin: str = "<python>"
    #: The encoding the bytes were decoded from (``utf-8`` unless detected otherwise).
    encoding: str = "utf-8"

    @property
    def sha256(self) -> str:
        """SHA-256 of the text as UTF-8: the same value a record's ``input_sha256`` carries."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class InputProblem:
    """Why one file, line or item cannot be summarised; becomes an error record."""

    id: str
    kind: str
    message: str
    origin: str = "<python>"
    title: Optional[str] = None

    def to_record(self) -> ArticleRecord:
        """The error record the output carries for this problem."""
        return ArticleRecord(
            id=self.id,
            status="error",
            title=self.title,
            error=ErrorInfo(kind=self.kind, message=f"{self.origin}: {self.message}"),
        )


ArticleOrProblem = Union[ArticleInput, InputProblem]


class UndecodableInput(ValueError):
    """Bytes that are not text in any encoding we can tell; ``kind`` is the problem kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# -------------------------------------------------------------------------------------------
# Decoding


def binary_reason(text: str) -> Optional[str]:
    """Why ``text`` is binary data rather than an article (None: it is text): NUL characters, or
    more than 1% control characters in its first 10,000 (tabs, line and page breaks aside).

    The one binary check: of inputs as they are read and of any text handed to
    :meth:`summarizer.pipeline.Summarizer.summarize`."""
    if "\x00" in text:
        return "the text contains NUL characters: binary data, not text"
    sample = text[:10_000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > max(5, len(sample) // 100):
        return f"the text has {controls} control characters in its first {len(sample):,}: binary data, not text"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` for ``data``; raises :class:`UndecodableInput` saying why not.

    UTF-8 (a BOM is stripped) is tried first, because most text is UTF-8 and detection on short
    inputs can guess wrong; then UTF-16 by BOM; then a detected encoding (see :func:`_detect`).
    NUL bytes mean binary data unless detection is confident the bytes are UTF-16/32.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _text_or_binary(data.decode("utf-16", errors="strict") if _decodes(data, "utf-16") else None, "utf-16", data)
    if b"\x00" in data:
        guess = _detect(data)
        if guess is None or not guess[1].startswith(("utf_16", "utf_32")):
            raise UndecodableInput("binary_input", "the bytes contain NUL bytes: binary data, not text")
        return _text_or_binary(*guess, data)
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    if _decodes(data, codec):
        return _text_or_binary(data.decode(codec), codec, data)
    guess = _detect(data)
    if guess is None:
        raise UndecodableInput("undecodable", "the bytes are not UTF-8 and no text encoding fits them")
    return _text_or_binary(*guess, data)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _text_or_binary(text: Optional[str], encoding: str, data: bytes) -> tuple[str, str]:
    if text is None:
        raise UndecodableInput("undecodable", f"the bytes start with a {encoding} byte-order mark but do not decode as {encoding}")
    reason = binary_reason(text)
    if reason is not None:
        raise UndecodableInput("binary_input", f"decoded as {encoding}, {reason}")
    return text, encoding


#: Non-ASCII characters that Western (cp1252) news text plausibly contains.
_WESTERN = re.compile(r"[\u00a0-\u00ff\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u20ac\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


def _detect(data: bytes) -> Optional[tuple[str, str]]:
    """``(text, encoding)`` from charset-normalizer, or None when nothing plausible fits.

    Two corrections to its guess: mostly-ASCII text whose few other bytes read as Western
    letters and punctuation in cp1252 is cp1252 (detection picks cp775 or cp1250 for such short
    French or English snippets); and a guess with no coherent language for text that is mostly
    non-ASCII is treated as undecodable rather than returned as mojibake.
    """
    from charset_normalizer import from_bytes

    high = sum(1 for byte in data if byte >= 0x80)
    if high and high <= len(data) // 4 and _decodes(data, "cp1252"):
        western = data.decode("cp1252")
        if all(_WESTERN.match(char) for char in western if ord(char) >= 0x80):
            return western, "cp1252"
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return None
    if best.percent_coherence == 0 and high > len(data) * 0.3:
        return None
    return str(best), best.encoding


# -------------------------------------------------------------------------------------------
# HTML


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one paragraph per block element, scripts and styles dropped."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object"})
    _BLOCKS = frozenset({
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
        "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
        "pre", "figure", "figcaption", "hr", "form", "fieldset", "address", "details", "summary",
    })

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title: Optional[str] = None
        self._current: list[str] = []
        self._skipping: list[str] = []
        self._in_title = False
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping.append(tag)
        elif tag == "br":
            self._current.append("\n")
        elif tag in self._BLOCKS:
            self._end_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "br":
            self._current.append("\n")
        elif tag in self._BLOCKS:
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
        elif tag in self._SKIP:
            if tag in self._skipping:
                while self._skipping and self._skipping.pop() != tag:
                    pass
        elif tag in self._BLOCKS:
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif not self._skipping:
            self._current.append(data)

    def _end_paragraph(self) -> None:
        lines = "".join(self._current).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._end_paragraph()


def html_to_text(html: str) -> tuple[str, Optional[str]]:
    """``(text, title)``: paragraphs separated by blank lines, whitespace inside them collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "\n\n".join(parser.paragraphs), parser.title


# -------------------------------------------------------------------------------------------
# Sources


def iter_articles(
    sources: Iterable[str],
    *,
    max_chars: Optional[int] = None,
    stdin: Optional[BinaryIO] = None,
) -> Iterator[ArticleOrProblem]:
    """Articles (and problems) from files, directories, JSONL files and ``-`` (stdin), lazily.

    ``max_chars``: longer texts become ``too_long`` problems (None: no limit here; the
    summarizer applies its own). ``stdin``: a binary stream to read for ``-`` (default
    ``sys.stdin.buffer``). The second and later uses of an id become ``duplicate_id`` problems
    whose record id is ``"<id>#duplicate-<n>"``, so no record silently replaces another.
    """
    yield from mark_duplicate_ids(_iter_sources(sources, max_chars, stdin))


def mark_duplicate_ids(items: Iterable[ArticleOrProblem]) -> Iterator[ArticleOrProblem]:
    """``items`` with every repeated id after the first turned into a ``duplicate_id`` problem.

    Memory grows with the number of distinct ids (a set of strings), not with the texts.
    """
    first_seen: dict[str, str] = {}
    repeats: dict[str, int] = {}
    for item in items:
        origin = first_seen.get(item.id)
        if origin is None:
            first_seen[item.id] = item.origin
            yield item
            continue
        repeats[item.id] = repeats.get(item.id, 1) + 1
        renamed = f"{item.id}#duplicate-{repeats[item.id]}"
        while renamed in first_seen:
            repeats[item.id] += 1
            renamed = f"{item.id}#duplicate-{repeats[item.id]}"
        first_seen[renamed] = item.origin
        yield InputProblem(
            id=renamed,
            kind="duplicate_id",
            message=f"id {item.id!r} was already used by {origin}; this occurrence was not summarised",
            origin=item.origin,
            title=item.title,
        )


def count_articles(sources: Iterable[str]) -> Optional[int]:
    """How many items :func:`iter_articles` will yield (for a progress bar), or None for stdin.

    Counts files and non-blank JSONL lines without decoding or parsing them.
    """
    total = 0
    for source in sources:
        if source == "-":
            return None
        path = Path(source)
        if path.is_dir():
            files: Iterable[Path] = _walk(path)
        else:
            files = [path]
        for file in files:
            if file.suffix.lower() == ".jsonl":
                try:
                    with open(file, "rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                except OSError:
                    total += 1
            else:
                total += 1
    return total


def _iter_sources(sources: Iterable[str], max_chars: Optional[int], stdin: Optional[BinaryIO]) -> Iterator[ArticleOrProblem]:
    for source in sources:
        if source == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _read_stdin(stream, max_chars)
            continue
        path = Path(source)
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file, _relative_id(file, path), max_chars)
        elif path.exists():
            yield from _read_file(path, path.stem, max_chars)
        else:
            yield InputProblem(id=path.stem or source, kind="unreadable", message="no such file or directory", origin=source)


def _walk(directory: Path) -> Iterator[Path]:
    """Article files under ``directory``, recursively, in a stable (sorted) order."""
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(ARTICLE_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def _relative_id(file: Path, directory: Path) -> str:
    return file.relative_to(directory).with_suffix("").as_posix()


def _read_file(path: Path, article_id: str, max_chars: Optional[int]) -> Iterator[ArticleOrProblem]:
    origin = str(path)
    try:
        size = path.stat().st_size
        if max_chars is not None and path.suffix.lower() != ".jsonl" and size > max_chars * _MAX_BYTES_PER_CHAR:
            yield InputProblem(article_id, "too_long", f"file has {size:,} bytes, over the limit of {max_chars:,} characters", origin)
            return
        if path.suffix.lower() == ".jsonl" and not _needs_whole_file_decoding(path):
            yield from _stream_jsonl(path, max_chars)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputProblem(article_id, "unreadable", f"cannot read: {exc.strerror or exc}", origin)
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(data, origin, max_chars)
        return
    try:
        text, encoding = decode_bytes(data) if data.strip() else ("", "utf-8")
    except UndecodableInput as exc:
        yield InputProblem(article_id, exc.kind, str(exc), origin)
        return
    title = None
    if suffix in (".html", ".htm"):
        text, title = html_to_text(text)
    yield _checked(ArticleInput(id=article_id, text=text, title=title, origin=origin, encoding=encoding), max_chars)


def _read_stdin(stream: BinaryIO, max_chars: Optional[int]) -> Iterator[ArticleOrProblem]:
    data = stream.read()
    first_line = next((line for line in data.splitlines() if line.strip()), b"")
    if first_line.lstrip().startswith((b"{", b"\xef\xbb\xbf{")):
        yield from _read_jsonl(data, "<stdin>", max_chars)
        return
    try:
        text, encoding = decode_bytes(data) if data.strip() else ("", "utf-8")
    except UndecodableInput as exc:
        yield InputProblem("stdin", exc.kind, str(exc), "<stdin>")
        return
    yield _checked(ArticleInput(id="stdin", text=text, origin="<stdin>", encoding=encoding), max_chars)


def _read_jsonl(data: bytes, origin: str, max_chars: Optional[int]) -> Iterator[ArticleOrProblem]:
    """One item per non-blank line; a bad line is a problem naming the file and line number."""
    try:
        content, encoding = decode_bytes(data) if data.strip() else ("", "utf-8")
    except UndecodableInput as exc:
        yield InputProblem(Path(origin).stem, exc.kind, str(exc), origin)
        return
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            yield from _parse_jsonl_line(line, number, origin, Path(origin).stem, encoding, max_chars)


def _parse_jsonl_line(line: str, number: int, origin: str, stem: str, encoding: str, max_chars: Optional[int]) -> Iterator[ArticleOrProblem]:
    where = f"{origin}:{number}"
    fallback_id = f"{stem}:{number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        yield InputProblem(fallback_id, "malformed_jsonl", f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})", where)
        return
    if not isinstance(item, dict):
        yield InputProblem(fallback_id, "malformed_jsonl", f"line {number} is JSON but not an object", where)
        return
    yield _from_mapping(item, where, fallback_id, encoding, max_chars)


def _needs_whole_file_decoding(path: Path) -> bool:
    """UTF-16/32 JSONL cannot be split on newline bytes; everything else is read line by line."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head


def _stream_jsonl(path: Path, max_chars: Optional[int]) -> Iterator[ArticleOrProblem]:
    """:func:`_read_jsonl` one line at a time, so a large file never sits in memory whole.

    Each line is decoded on its own (UTF-8, else detected), so one badly encoded line is one
    problem, not a lost file.
    """
    origin = str(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line, encoding = decode_bytes(raw)
            except UndecodableInput as exc:
                yield InputProblem(f"{path.stem}:{number}", exc.kind, f"line {number}: {exc}", f"{origin}:{number}")
                continue
            yield from _parse_jsonl_line(line, number, origin, path.stem, encoding, max_chars)


def article_from_mapping(item: dict, *, origin: str = "<python>", fallback_id: Optional[str] = None) -> ArticleOrProblem:
    """An article from a dict with ``id`` and ``text`` (optional ``title``, ``date``, ``url``)."""
    return _from_mapping(item, origin, fallback_id or origin, "utf-8", None)


def _from_mapping(item: dict, origin: str, fallback_id: str, encoding: str, max_chars: Optional[int]) -> ArticleOrProblem:
    raw_id = item.get("id")
    title = item.get("title") if isinstance(item.get("title"), str) else None
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        return InputProblem(fallback_id, "missing_field", "missing field 'id'", origin, title)
    if not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
        return InputProblem(fallback_id, "invalid_field", f"field 'id' must be a string or integer, got {type(raw_id).__name__}", origin, title)
    article_id = str(raw_id)
    text = item.get("text")
    if text is None:
        return InputProblem(article_id, "missing_field", "missing field 'text'", origin, title)
    if not isinstance(text, str):
        return InputProblem(article_id, "invalid_field", f"field 'text' must be a string, got {type(text).__name__}", origin, title)
    metadata = {name: item.get(name) for name in ("title", "date", "url")}
    for name, value in metadata.items():
        if value is not None and not isinstance(value, str):
            return InputProblem(article_id, "invalid_field", f"field {name!r} must be a string, got {type(value).__name__}", origin, title)
    article = ArticleInput(id=article_id, text=text, origin=origin, encoding=encoding, **metadata)
    return _checked(article, max_chars)


def _checked(article: ArticleInput, max_chars: Optional[int]) -> ArticleOrProblem:
    """The article, or the problem that keeps it from being summarised."""
    if not article.text.strip():
        return InputProblem(article.id, "empty_input", "the article is empty or whitespace only", article.origin, article.title)
    reason = binary_reason(article.text)
    if reason is not None:
        return InputProblem(article.id, "binary_input", reason, article.origin, article.title)
    if max_chars is not None and len(article.text) > max_chars:
        return InputProblem(
            article.id, "too_long", f"the article has {len(article.text):,} characters, over the limit of {max_chars:,}",
            article.origin, article.title,
        )
    return article
