"""The opt-in attribution tagger: training, spans to quotes, merging with the rules, wiring.

A real (tiny) model is trained here on a handful of hand-written news sentences (seconds on
CPU), so the tests run without PolNeAR; the PolNeAR conversion is tested on the real train
split and skips when ``../shared`` is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.attribution import LABELS
from summarizer.attribution.tagger import (
    CONTENT_RULE,
    CUE_SUBJECT_RULE,
    SOURCE_RULE,
    AttributionTagger,
    TaggedSpan,
    merge,
    model_sha256,
    spans_to_candidates,
)
from summarizer.attribution.training import (Settings, attribution_parts, build_docbin, label_doc, labelled_doc, load_docbin,
                                             polnear_items, train)
from summarizer.rules.nlp import parse
from summarizer.rules.quotes import find_quotes

#: (text, [(part, label)]): each part is found in the text left to right.
ARTICLES: list[tuple[str, list[tuple[str, str]]]] = [
    ("The mayor, Maria Lopez, said the bridge would reopen in May. Crews worked through the night.",
     [("The mayor, Maria Lopez", "SOURCE"), ("said", "CUE"), ("the bridge would reopen in May", "CONTENT")]),
    ("Police chief Tom Reed told reporters that two suspects were arrested on Friday. The road stayed closed.",
     [("Police chief Tom Reed", "SOURCE"), ("told", "CUE"), ("two suspects were arrested on Friday", "CONTENT")]),
    ("John Smith said the company would cut 200 jobs. Its shares fell.",
     [("John Smith", "SOURCE"), ("said", "CUE"), ("the company would cut 200 jobs", "CONTENT")]),
    ("Senator Ann Park said the vote would take place next week. The chamber was empty.",
     [("Senator Ann Park", "SOURCE"), ("said", "CUE"), ("the vote would take place next week", "CONTENT")]),
    ("The council met on Monday. Its chairman, David Cho, said the budget would be balanced by June.",
     [("Its chairman, David Cho", "SOURCE"), ("said", "CUE"), ("the budget would be balanced by June", "CONTENT")]),
    ("Rain fell all day. Governor Lee Brown said schools would stay open on Tuesday.",
     [("Governor Lee Brown", "SOURCE"), ("said", "CUE"), ("schools would stay open on Tuesday", "CONTENT")]),
]


def _item(text: str, parts: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    spans, at = [], 0
    for part, label in parts:
        start = text.index(part, at)
        spans.append((start, start + len(part), label))
        at = start + len(part)
    return text, spans


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real tagger trained on :data:`ARTICLES` until it reproduces them."""
    import spacy

    vocab = spacy.blank("en").vocab
    docs = [labelled_doc(*_item(text, parts), vocab) for text, parts in ARTICLES] * 4
    out = tmp_path_factory.mktemp("tagger")
    settings = Settings(seed=1, epochs=60, width=32, depth=2, hidden=32, dropout=0.0, batch_words=200, heldout=0,
                        learn_rate=0.005)
    result = train(docs, out, settings, meta={"trained_on": "test sentences"}, log=lambda _: None)
    assert result.best_f == 1.0, result.epochs[-1]  # it learnt its training sentences
    return out


def test_labelled_doc_keeps_each_token_in_one_span_and_cuts_at_paragraphs() -> None:
    import spacy

    text = "Ann Park said the plan works.\n\nIt would cost little, she said."
    spans = [(0, 8, "SOURCE"), (9, 13, "CUE"), (14, 62, "CONTENT"), (0, 3, "SOURCE")]
    doc = labelled_doc(text, spans, spacy.blank("en").vocab)
    ents = [(e.label_, e.text) for e in doc.ents]
    assert ents == [("SOURCE", "Ann Park"), ("CUE", "said"), ("CONTENT", "the plan works."),
                    ("CONTENT", "It would cost little, she said.")]


def test_the_docbin_keeps_the_parse_and_label_doc_alone_sets_the_labels(tmp_path: Path) -> None:
    import spacy

    items = [_item(text, parts) for text, parts in ARTICLES[:3]]
    build_docbin([text for text, _ in items], tmp_path / "train.spacy")
    loaded = load_docbin(tmp_path / "train.spacy")
    assert [doc.text for doc in loaded] == [text for text, _ in items] and not any(doc.ents for doc in loaded)
    vocab = spacy.blank("en").vocab

    def tokens(doc):
        return [(t.text, t.whitespace_, t.tag_, t.ent_iob_, t.ent_type_) for t in doc]

    relabelled = [tokens(label_doc(doc, spans)) for doc, (_, spans) in zip(loaded, items)]
    assert relabelled == [tokens(labelled_doc(text, spans, vocab)) for text, spans in items]


def test_trained_tagger_finds_source_cue_content_and_saves_its_provenance(tiny_model: Path) -> None:
    tagger = AttributionTagger(tiny_model)
    text, parts = ARTICLES[0]
    found = [(s.label, text[s.start:s.end]) for s in tagger.spans(parse(text))]
    assert found == [(label, part) for part, label in parts]
    info = json.loads((tiny_model / "training.json").read_text())
    assert info["trained_on"] == "test sentences" and info["weights_sha256"] == model_sha256(tiny_model) == tagger.sha256
    assert set(LABELS) == set(tagger.nlp.get_pipe("attribution").labels)


def test_tagged_content_becomes_a_grounded_indirect_quote_with_the_resolved_speaker(tiny_model: Path) -> None:
    text = ARTICLES[4][0]
    doc = parse(text)
    [candidate] = AttributionTagger(tiny_model).candidates(doc)
    quote = candidate.quote
    assert quote.text == "the budget would be balanced by June"
    assert text[quote.evidence.start:quote.evidence.end] == quote.text
    assert (quote.mode, quote.rule, quote.speaker_rule) == ("indirect", CONTENT_RULE, SOURCE_RULE)
    assert quote.speaker == "David Cho"  # "Its chairman, David Cho": the name in the apposition
    # the rules' own entities on the shared document are untouched by the tagger's copy
    assert [e.label_ for e in doc.ents] == [e.label_ for e in parse(text).ents]


def test_spans_to_candidates_resolves_a_pronoun_source_and_reads_marks_for_the_mode() -> None:
    text = "Mayor Maria Lopez visited the site on Monday.\n“We will reopen the bridge in May,” she said."
    doc = parse(text)
    content = text.index("“We")
    end = text.index("” she") + 1
    source = text.index("she said")
    spans = [TaggedSpan("CONTENT", content, end), TaggedSpan("SOURCE", source, source + 3),
             TaggedSpan("CUE", source + 4, source + 8)]
    [candidate] = spans_to_candidates(doc, spans)
    assert candidate.quote.text == "We will reopen the bridge in May"  # marks and the comma trimmed
    assert candidate.quote.mode == "direct"
    assert candidate.quote.speaker == "Maria Lopez" and candidate.speaker_cue == "pronoun_antecedent"
    one_word = [TaggedSpan("CONTENT", text.index("Monday"), text.index("Monday") + 6)]
    assert spans_to_candidates(doc, one_word) == []  # shorter than MIN_WORDS


def test_without_a_tagged_source_the_cue_verb_subject_speaks() -> None:
    text = "The hearing ended late. Senator Ann Park told reporters the vote would wait until June."
    doc = parse(text)
    cue, content = text.index("told"), text.index("the vote")
    [candidate] = spans_to_candidates(doc, [TaggedSpan("CUE", cue, cue + 4),
                                            TaggedSpan("CONTENT", content, len(text) - 1)])
    assert (candidate.quote.speaker, candidate.quote.speaker_rule) == ("Ann Park", CUE_SUBJECT_RULE)
    [alone] = spans_to_candidates(doc, [TaggedSpan("CONTENT", content, len(text) - 1)])
    assert alone.quote.speaker is None and alone.quote.speaker_rule is None


def test_a_broken_quote_keeps_its_source_and_cue_out_of_its_content() -> None:
    from summarizer.evaluation.polnear import PolnearAttribution, Span

    text = "\u201cWe will win,\u201d Ann Park said. \u201cThen we rest.\u201d"
    source, cue = text.index("Ann Park"), text.index("said")

    def span(start: int, end: int) -> Span:
        return Span(start=start, end=end, text=text[start:end])

    attribution = PolnearAttribution(source=span(source, source + 8), cue=span(cue, cue + 4), content=span(0, len(text)),
                                     speech=True, direct=True, named_source=True)
    parts = [(text[a:b], label) for a, b, label in attribution_parts(attribution)]
    assert parts == [("Ann Park", "SOURCE"), ("said", "CUE"), ("\u201cWe will win,\u201d ", "CONTENT"), (" ", "CONTENT"),
                     (". \u201cThen we rest.\u201d", "CONTENT")]  # label_doc trims the ends


def test_merge_adds_only_what_the_rules_missed_and_reindexes_nesting() -> None:
    text = ("The border would stay shut for a week, in the view of a guard. "
            "“He told me, ‘We will never give up on this town,’ and then he left,” Ann Park said.")
    doc = parse(text)
    rules = find_quotes(doc)
    assert [c.quote.nested_in for c in rules] == [None, 0]
    missed = (0, len("The border would stay shut for a week"))
    overlapping = text.index("He told")
    tagged = spans_to_candidates(doc, [
        TaggedSpan("CONTENT", *missed),
        TaggedSpan("CONTENT", overlapping, overlapping + len("He told me")),
    ])
    merged = merge(rules, tagged, "add")
    assert [c.quote.text for c in merged] == [
        "The border would stay shut for a week", rules[0].quote.text, rules[1].quote.text]
    assert [c.quote.nested_in for c in merged] == [None, None, 1]  # the nested quote still points at its outer one
    assert merged[0].quote.rule == CONTENT_RULE and merged[0].quote.mode == "indirect"
    assert merge(rules, tagged, "indirect") == merged  # the one added is indirect
    assert merge(rules, tagged, "tagger") == tagged


def test_summarizer_and_cli_opt_in(tiny_model: Path, tmp_path: Path) -> None:
    from summarizer.cli import main
    from summarizer.pipeline import Summarizer

    text = ARTICLES[5][0]
    plain = Summarizer(strategy="rules").summarize(text, id="a")
    assert not any(q.rule == CONTENT_RULE for q in plain.quotes)
    with_tagger = Summarizer(strategy="rules", attribution_model=tiny_model, attribution_merge="tagger")
    record = with_tagger.summarize(text, id="a")
    assert [(q.text, q.speaker, q.rule) for q in record.quotes] == [
        ("schools would stay open on Tuesday", "Lee Brown", CONTENT_RULE)]
    settings = record.provenance.settings
    assert settings["attribution_sha256"] == model_sha256(tiny_model) and settings["attribution_merge"] == "tagger"
    with pytest.raises(FileNotFoundError):
        Summarizer(strategy="rules", attribution_model=tmp_path)
    with pytest.raises(ValueError):
        Summarizer(strategy="rules", attribution_model=tiny_model, attribution_merge="everything")

    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["run", str(article), "-o", str(out), "--no-store", "--strategy", "rules",
                                       "--parallel", "threads", "-q", "--attribution-model", str(tiny_model),
                                       "--attribution-merge", "tagger"])
    assert result.exit_code == 0, result.output
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert [q["rule"] for q in json.loads(line)["quotes"]] == [CONTENT_RULE]


def test_naive_reads_no_candidates_so_it_neither_loads_nor_names_the_tagger(tiny_model: Path) -> None:
    from summarizer.batch import job_run_key
    from summarizer.pipeline import Summarizer

    naive = Summarizer(strategy="naive", attribution_model=tiny_model)
    assert naive.attribution is None
    assert not any(key.startswith("attribution_") for key in naive.describe())
    assert naive.describe() == Summarizer(strategy="naive").describe()
    assert job_run_key(naive) == job_run_key(Summarizer(strategy="naive"))
    with pytest.raises(FileNotFoundError, match="no attribution model"):
        Summarizer(strategy="naive", attribution_model=tiny_model / "missing")
    loaded = AttributionTagger(tiny_model)  # as eval hands one tagger to every strategy it compares
    assert Summarizer(strategy="naive", attribution_model=loaded).attribution is None
    assert Summarizer(strategy="rules", attribution_model=tiny_model).attribution is not None


def test_eval_loads_the_tagger_once_for_every_strategy_it_compares(tiny_model: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.cli import main

    loads = []
    real_init = AttributionTagger.__init__

    def counted(self, *args, **kwargs):
        loads.append(args)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(AttributionTagger, "__init__", counted)
    result = CliRunner().invoke(main, ["eval", "--split", "dev", "--limit", "1", "--strategy", "rules", "--strategy", "rules",
                                       "--attribution-model", str(tiny_model), "--attribution-merge", "tagger",
                                       "--out", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    assert len(loads) == 1
    report = json.loads((tmp_path / "eval" / "rules" / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["describe"]["attribution_merge"] == "tagger"


def test_eval_of_naive_alone_still_checks_the_tagger_path(tmp_path: Path) -> None:
    """Naive loads no tagger, but a wrong --attribution-model is still refused, as ``run`` does
    (the endpoint is never called: the check comes before the first article)."""
    from summarizer.cli import main

    not_a_model = tmp_path / "not-a-model"  # a directory (the option checks that), but no tagger in it
    not_a_model.mkdir()
    result = CliRunner().invoke(main, ["eval", "--split", "dev", "--limit", "1", "--strategy", "naive",
                                       "--base-url", "http://127.0.0.1:9/v1", "--model", "none",
                                       "--attribution-model", str(not_a_model), "--out", str(tmp_path / "eval")])
    assert result.exit_code == 2, result.output
    assert "no attribution model" in result.output


def test_polnear_items_label_speech_attributions_without_overlap() -> None:
    from summarizer.evaluation.datasets import datasets_root

    path = datasets_root() / "polnear" / "train.jsonl"
    if not path.is_file():
        pytest.skip(f"PolNeAR train not at {path}")
    items = polnear_items(path)
    assert len(items) == 840
    labels = set()
    for _, (text, spans) in items[:50]:
        for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:]):
            assert e1 <= s2  # sorted and non-overlapping
        labels.update(label for _, _, label in spans)
    assert labels == set(LABELS)
