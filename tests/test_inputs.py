"""Reading articles: every source kind, every encoding path, every specific problem."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from summarizer.inputs import (
    ArticleInput,
    InputProblem,
    UndecodableInput,
    count_articles,
    decode_bytes,
    html_to_text,
    iter_articles,
)

ARTICLE = "Five people were killed in the strike on Tuesday, police said.\n\nRescuers searched the rubble."


def _by_id(items: list) -> dict:
    return {item.id: item for item in items}


def test_txt_file_is_one_article_with_its_stem_as_id(tmp_path: Path) -> None:
    path = tmp_path / "strike.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [article] = list(iter_articles([str(path)]))
    assert isinstance(article, ArticleInput)
    assert (article.id, article.text, article.encoding) == ("strike", ARTICLE, "utf-8")


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())
    [article] = list(iter_articles([str(path)]))
    assert article.text == ARTICLE and article.encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("Le caf\u00e9 a \u00e9t\u00e9 touch\u00e9 : \u00ab douze morts \u00bb, selon la police. " * 2, "cp1252", "cp1252"),
        ("\u041f\u043e\u0433\u0438\u0431\u043b\u0438 12 \u0447\u0435\u043b\u043e\u0432\u0435\u043a \u0432 \u0440\u0435\u0437\u0443\u043b\u044c\u0442\u0430\u0442\u0435 \u043e\u0431\u0441\u0442\u0440\u0435\u043b\u0430 \u0433\u043e\u0440\u043e\u0434\u0430.", "cp1251", "cp1251"),
        (ARTICLE, "utf-16", "utf-16"),
    ],
)
def test_other_encodings_are_detected_and_recorded(tmp_path: Path, text: str, codec: str, expected: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(codec))
    [article] = list(iter_articles([str(path)]))
    assert isinstance(article, ArticleInput)
    assert article.text == text
    assert article.encoding == expected


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (bytes(range(256)) * 4, "binary_input"),  # NUL bytes
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 30, "binary_input"),  # control characters
        (bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40, "undecodable"),  # no encoding makes text of it
        (b"", "empty_input"),
        (b"  \n\t \n", "empty_input"),
    ],
)
def test_bad_bytes_become_specific_problems(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    [problem] = list(iter_articles([str(path)]))
    assert isinstance(problem, InputProblem)
    assert (problem.id, problem.kind, problem.origin) == ("bad", kind, str(path))
    record = problem.to_record()
    assert record.status == "error" and record.error is not None and record.error.kind == kind


def test_decode_bytes_raises_a_kind() -> None:
    with pytest.raises(UndecodableInput) as caught:
        decode_bytes(b"\x00\x01binary\x00")
    assert caught.value.kind == "binary_input"


def test_jsonl_lines_and_their_problems_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "a", "text": ARTICLE, "title": "Strike", "date": "2024-01-02", "url": "https://x.test/a"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": ARTICLE}),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "number-text", "text": 5}),
        json.dumps({"id": 7, "text": ARTICLE}),
        json.dumps({"id": "blank", "text": "   "}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _by_id(list(iter_articles([str(path)])))
    a = items["a"]
    assert isinstance(a, ArticleInput)
    assert (a.title, a.date, a.url, a.origin) == ("Strike", "2024-01-02", "https://x.test/a", f"{path}:1")
    assert items["batch:3"].kind == "malformed_jsonl" and items["batch:3"].origin == f"{path}:3"
    assert "line 3" in items["batch:3"].message
    assert items["batch:4"].kind == "malformed_jsonl"
    assert items["batch:5"].kind == "missing_field" and "'id'" in items["batch:5"].message
    assert items["no-text"].kind == "missing_field" and "'text'" in items["no-text"].message
    assert items["number-text"].kind == "invalid_field"
    assert isinstance(items["7"], ArticleInput)
    assert items["blank"].kind == "empty_input"
    assert len(items) == 8  # the blank line is skipped, not reported


def test_duplicate_ids_after_the_first_become_problems_across_files(tmp_path: Path) -> None:
    (tmp_path / "one.jsonl").write_text(
        "\n".join(json.dumps({"id": "x", "text": f"{ARTICLE} {n}"}) for n in range(3)), encoding="utf-8"
    )
    (tmp_path / "x.txt").write_text(ARTICLE, encoding="utf-8")
    items = list(iter_articles([str(tmp_path / "one.jsonl"), str(tmp_path / "x.txt")]))
    assert [item.id for item in items] == ["x", "x#duplicate-2", "x#duplicate-3", "x#duplicate-4"]
    assert isinstance(items[0], ArticleInput) and items[0].text.endswith(" 0")
    assert all(isinstance(item, InputProblem) and item.kind == "duplicate_id" for item in items[1:])
    assert f"{tmp_path / 'one.jsonl'}:1" in items[3].message


def test_too_long_by_characters_and_by_file_size(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("word " * 100, encoding="utf-8")
    (tmp_path / "huge.txt").write_text("w" * 5000, encoding="utf-8")
    (tmp_path / "ok.txt").write_text("fine text", encoding="utf-8")
    items = _by_id(list(iter_articles([str(tmp_path)], max_chars=400)))
    assert items["long"].kind == "too_long" and "500 characters" in items["long"].message
    assert items["huge"].kind == "too_long" and "bytes" in items["huge"].message  # rejected without reading
    assert isinstance(items["ok"], ArticleInput)


def test_html_drops_scripts_and_styles_and_keeps_paragraphs() -> None:
    html = (
        "<html><head><title>Strike  kills five</title><style>p {color: red}</style>"
        "<script>var x = '<p>not text</p>';</script></head><body><h1>Strike</h1>"
        "<p>Five people were <b>killed</b>,<br>police said.</p><noscript>enable js</noscript>"
        "<div>Rescuers &amp; medics   searched.</div></body></html>"
    )
    text, title = html_to_text(html)
    assert title == "Strike kills five"
    assert text == "Strike\n\nFive people were killed,\npolice said.\n\nRescuers & medics searched."


def test_directories_are_read_recursively_in_a_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "page.html").write_text("<title>T</title><p>Ten died.</p>", encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "j", "text": ARTICLE}), encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    items = list(iter_articles([str(tmp_path)]))
    assert [item.id for item in items] == ["a", "j", "b/page"]  # a directory's files, then its subdirectories
    assert items[2].text == "Ten died." and items[2].title == "T"
    assert count_articles([str(tmp_path)]) == 3


def test_stdin_jsonl_or_plain_text() -> None:
    jsonl = b"\n" + json.dumps({"id": "s1", "text": ARTICLE}).encode() + b"\n" + json.dumps({"id": "s2", "text": ARTICLE}).encode()
    assert [item.id for item in iter_articles(["-"], stdin=io.BytesIO(jsonl))] == ["s1", "s2"]
    [plain] = list(iter_articles(["-"], stdin=io.BytesIO(ARTICLE.encode())))
    assert isinstance(plain, ArticleInput) and (plain.id, plain.text, plain.origin) == ("stdin", ARTICLE, "<stdin>")
    assert count_articles(["-"]) is None


def test_missing_path_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    [problem] = list(iter_articles([str(tmp_path / "nope.txt")]))
    assert isinstance(problem, InputProblem) and problem.kind == "unreadable"


def test_jsonl_is_decoded_line_by_line(tmp_path: Path) -> None:
    """A legacy-encoded line is detected on its own; an undecodable line is one problem, not a lost file."""
    path = tmp_path / "mixed.jsonl"
    legacy = json.dumps({"id": "fr", "text": "Le caf\u00e9 a \u00e9t\u00e9 touch\u00e9, selon la police."}, ensure_ascii=False)
    path.write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"id": "u", "text": ARTICLE}).encode() + b"\n"
        + legacy.encode("cp1252") + b"\n"
        + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40 + b"\n"
        + json.dumps({"id": "last", "text": ARTICLE}).encode() + b"\n"
    )
    items = _by_id(list(iter_articles([str(path)])))
    assert set(items) == {"u", "fr", "mixed:3", "last"}
    assert items["fr"].text == "Le caf\u00e9 a \u00e9t\u00e9 touch\u00e9, selon la police." and items["fr"].encoding == "cp1252"
    assert items["mixed:3"].kind == "undecodable" and items["mixed:3"].origin == f"{path}:3"


@pytest.mark.parametrize(
    "text, binary",
    [
        ("Page one.\v\v\v\v\v\v\v\v Page two of the report: 12 people were killed.", False),  # vertical tabs are layout
        ("Twelve people were killed." + "\x01\x02\x03" * 10, True),
        ("Twelve people\x00 were killed.", True),
    ],
)
def test_one_binary_check_for_files_and_for_summarize(tmp_path: Path, text: str, binary: bool) -> None:
    """A text read from a file and the same text handed to ``Summarizer.summarize`` get the
    same verdict from the same check (there used to be two that disagreed on ``\\v``)."""
    from summarizer.inputs import binary_reason
    from summarizer.pipeline import Summarizer

    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    [read] = list(iter_articles([str(tmp_path / "a.txt")]))
    record = Summarizer(strategy="rules").summarize(text, id="a")
    reason = binary_reason(text)
    assert (reason is not None) == binary
    if binary:
        assert getattr(read, "kind", None) == "binary_input"
        assert record.status == "error" and record.error.kind == "binary_input" and record.error.message == reason
    else:
        assert getattr(read, "text", None) == text and record.status == "ok"
