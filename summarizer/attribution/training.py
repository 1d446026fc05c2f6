"""Train the attribution tagger reproducibly on CPU (``scripts/train-attribution-tagger.py``).

Data: articles with labelled character spans (``SOURCE``, ``CUE``, ``CONTENT``). For PolNeAR
(:func:`polnear_items`) only its *speech* attributions are labelled (the cue lexicon of
``evals/POLNEAR.md``): the tagger learns what our quotes are, not beliefs or intentions, which
stay unlabelled text. Where attributions nest ("X said Y told him Z"), the longer content wins
and the spans that overlap it are dropped: an entity recognizer labels each token once.

Each article is parsed once with the shared pipeline (the same parse the rules read at run
time), and its tokens, tags and dependencies are kept as a spaCy ``DocBin``
(:func:`build_docbin`), so repeated trainings cost no parse; the labels are set from the data
each time, in one place (:func:`label_doc`), as the mapping may have changed since the parse. Training (:func:`train`) is a plain
``nlp.update`` loop with a fixed seed, a fixed shuffle and a wall-clock cap; the model kept is
the epoch that scored best on a held-out slice of the *training* articles (never the dev split).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from spacy.tokens import Doc, DocBin, Span

from summarizer.attribution import LABELS
from summarizer.attribution.tagger import PARSE_FEATURES, features_doc, model_sha256

#: A training article: its text and labelled (start, end, label) character spans.
Item = tuple[str, list[tuple[int, int, str]]]

#: What the ``DocBin`` keeps of a parse: the words, their spacing and the tagger's feature tag.
_DOCBIN_ATTRS = ["ORTH", "SPACY", "TAG"]


@dataclass(frozen=True)
class Settings:
    """What shapes the model; all of it goes into the saved model's ``training.json``."""

    seed: int = 0
    epochs: int = 9
    max_minutes: float = 40.0
    width: int = 96
    depth: int = 4
    window: int = 1
    hidden: int = 64
    dropout: float = 0.2
    batch_words: int = 2000
    learn_rate: float = 0.001
    heldout: int = 40
    rows: tuple[int, ...] = (5000, 1000, 2500, 2500, 1000)


def polnear_items(path: Path | str) -> list[tuple[str, Item]]:
    """(article id, item) for every PolNeAR article at ``path``: its speech attributions' source,
    cue and content spans, non-overlapping (longest content first)."""
    from summarizer.evaluation.polnear import load_polnear

    out: list[tuple[str, Item]] = []
    for article in load_polnear(path):
        speech = sorted((a for a in article.attributions if a.speech), key=lambda a: a.content.start - a.content.end)
        spans: list[tuple[int, int, str]] = []
        for attribution in speech:
            for start, end, label in attribution_parts(attribution):
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, label))
        out.append((article.id, (article.text, sorted(spans))))
    return out


def attribution_parts(attribution) -> list[tuple[int, int, str]]:
    """One attribution's labelled spans: its source and cue, then its content less them.

    PolNeAR's content of a quote broken by its attribution (“A,” X said. “B.”) runs over the
    source and cue; the source must stay a ``SOURCE`` for the speaker, so the content is cut
    around them (the PolNeAR scorer joins the pieces again).
    """
    own = [(p.start, p.end, label) for p, label in ((attribution.source, "SOURCE"), (attribution.cue, "CUE")) if p is not None]
    pieces = [(attribution.content.start, attribution.content.end)]
    for start, end, _ in own:
        pieces = [piece for a, b in pieces for piece in ((a, min(b, start)), (max(a, end), b)) if piece[0] < piece[1]]
    return own + [(a, b, "CONTENT") for a, b in pieces]


def parsed_doc(text: str, vocab) -> Doc:
    """``text`` parsed by the shared pipeline, copied into ``vocab`` with the tagger's features
    (:func:`~summarizer.attribution.tagger.features_doc`), unlabelled."""
    from summarizer.rules.nlp import parse

    return features_doc(vocab, parse(text))


def labelled_doc(text: str, spans: Iterable[tuple[int, int, str]], vocab) -> Doc:
    """``text`` parsed (:func:`parsed_doc`) and labelled (:func:`label_doc`)."""
    return label_doc(parsed_doc(text, vocab), spans)


def label_doc(doc: Doc, spans: Iterable[tuple[int, int, str]]) -> Doc:
    """``doc`` with ``spans`` as its entities (expanded to token bounds and trimmed of spaces and
    punctuation at the ends; a span that would overlap one given before it is dropped, so the order
    is the priority)."""
    text = doc.text
    ents: list[Span] = []
    taken: set[int] = set()
    for start, end, label in spans:
        while start < end and (text[start].isspace() or text[start] in ",;"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
            end -= 1
        span = doc.char_span(start, end, label=label, alignment_mode="expand") if start < end else None
        if span is None or not len(span) or taken & set(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        ents.extend(_without_space_tokens(span))
    doc.set_ents(sorted(ents, key=lambda e: e.start), default="outside")
    return doc


def build_docbin(texts: Sequence[str], out: Path | str, *, progress: Optional[Callable[[int], None]] = None) -> DocBin:
    """Parse every text once (:func:`parsed_doc`) and save the parses as a ``DocBin`` at ``out``,
    unlabelled: :func:`label_doc` labels them after :func:`load_docbin`, without a parse."""
    import spacy

    vocab = spacy.blank("en").vocab
    docbin = DocBin(attrs=_DOCBIN_ATTRS, store_user_data=False)
    for i, text in enumerate(texts):
        docbin.add(parsed_doc(text, vocab))
        if progress is not None:
            progress(i + 1)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    docbin.to_disk(out)
    return docbin


def _new_pipeline(settings: Settings):
    import spacy

    attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE", *PARSE_FEATURES]
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", name="attribution", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": settings.hidden,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": settings.width, "attrs": attrs,
                      "rows": list(settings.rows), "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": settings.width,
                       "window_size": settings.window, "maxout_pieces": 3, "depth": settings.depth},
        },
    }})
    return nlp


@dataclass
class TrainingLog:
    """What one training run did: per-epoch loss and held-out scores, the epoch kept, the time."""

    epochs: list[dict] = field(default_factory=list)
    best_epoch: Optional[int] = None
    best_f: float = -1.0
    seconds: float = 0.0
    sha256: Optional[str] = None


def train(docs: Sequence[Doc], out_dir: Path | str, settings: Settings = Settings(), *,
          meta: Optional[dict] = None, log: Callable[[str], None] = print) -> TrainingLog:
    """Train on ``docs`` (labelled documents, e.g. from a ``DocBin``) and save the best epoch
    to ``out_dir`` (a spaCy pipeline directory plus ``training.json``).

    The last :attr:`Settings.heldout` documents (in the given order) are held out to choose the
    epoch; training stops after the epoch that passes :attr:`Settings.max_minutes`.
    """
    import spacy
    from spacy.training import Example
    from spacy.training.batchers import minibatch_by_words
    from spacy.util import fix_random_seed

    fix_random_seed(settings.seed)
    rng = random.Random(settings.seed)
    nlp = _new_pipeline(settings)
    held = settings.heldout if len(docs) > settings.heldout else 0
    train_docs, heldout_docs = list(docs[: len(docs) - held]), list(docs[len(docs) - held:])

    def example(doc: Doc) -> Example:
        predicted = features_doc(nlp.vocab, doc)
        reference = Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        reference.set_ents([Span(reference, p.start, p.end, label=p.label_)
                            for ent in doc.ents for p in _without_space_tokens(ent)], default="outside")
        return Example(predicted, reference)

    train_examples = [example(d) for d in train_docs]
    heldout_examples = [example(d) for d in heldout_docs] or train_examples[:20]
    for label in LABELS:
        nlp.get_pipe("attribution").add_label(label)
    optimizer = nlp.initialize(lambda: train_examples[:50])
    optimizer.learn_rate = settings.learn_rate
    out_dir = Path(out_dir)
    result = TrainingLog()
    started = time.perf_counter()
    for epoch in range(1, settings.epochs + 1):
        rng.shuffle(train_examples)
        losses: dict[str, float] = {}
        for batch in minibatch_by_words(train_examples, size=settings.batch_words, discard_oversize=False):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            scores = nlp.evaluate(heldout_examples)
            per_type = {k: {m: round(float(v), 4) for m, v in s.items()} for k, s in (scores.get("ents_per_type") or {}).items()}
            f = per_type.get("CONTENT", {}).get("f", 0.0)
            elapsed = time.perf_counter() - started
            row = {"epoch": epoch, "loss": round(float(losses.get("attribution", 0.0)), 2), "ents_f": round(float(scores.get("ents_f") or 0.0), 4),
                   "per_type": per_type, "minutes": round(elapsed / 60, 2)}
            result.epochs.append(row)
            log(f"epoch {epoch}: loss {row['loss']}, held-out ents F {row['ents_f']:.3f}, CONTENT F {f:.3f}, "
                f"{row['minutes']:.1f} min")
            if f > result.best_f:
                result.best_f, result.best_epoch = f, epoch
                nlp.to_disk(out_dir)
        if elapsed > settings.max_minutes * 60:
            log(f"stopping after epoch {epoch}: {elapsed / 60:.1f} min > {settings.max_minutes} min")
            break
    result.seconds = round(time.perf_counter() - started, 1)
    result.sha256 = model_sha256(out_dir)
    info = {"settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(settings).items()},
            "spacy": spacy.__version__, "train_docs": len(train_docs), "heldout_docs": len(heldout_docs),
            "best_epoch": result.best_epoch, "best_content_f": result.best_f, "epochs": result.epochs,
            "seconds": result.seconds, "weights_sha256": result.sha256, **(meta or {})}
    (out_dir / "training.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return result


def load_docbin(path: Path | str) -> list[Doc]:
    """The parsed documents of a ``DocBin`` written by :func:`build_docbin`, in order (unlabelled;
    a ``DocBin`` from before labels were kept out has its old ones, which :func:`label_doc` replaces)."""
    import spacy

    return list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))


def _without_space_tokens(span) -> list:
    """``span`` cut at whitespace tokens (paragraph breaks): spaCy's entity recognizer never puts
    a whitespace token inside an entity, so a content running over paragraphs is one piece per
    paragraph (the PolNeAR scorer joins such fragments again)."""
    pieces, start = [], None
    for token in span:
        if token.is_space:
            if start is not None:
                pieces.append(Span(span.doc, start, token.i, label=span.label_))
            start = None
        elif start is None:
            start = token.i
    if start is not None:
        pieces.append(Span(span.doc, start, span.end, label=span.label_))
    return pieces
