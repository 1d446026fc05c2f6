"""An optional learned attribution tagger: Source, Cue and Content spans of speech, as quotes.

The rules find quotes from typography and grammar (:mod:`summarizer.rules.quotes`); reported
speech is where they miss most on real news. This package trains a small spaCy entity
recognizer on annotated attributions (PolNeAR train: :mod:`summarizer.attribution.training`,
``scripts/train-attribution-tagger.py``) and turns its spans into the same
:class:`~summarizer.rules.quotes.QuoteCandidate` items the rules make
(:mod:`summarizer.attribution.tagger`), which then go through the same guard and grounding
checkpoint.

It is an opt-in extra: no weights ship with the package (PolNeAR states no license), nothing is
downloaded, and nothing here is imported unless ``Summarizer(attribution_model=PATH)`` or
``--attribution-model PATH`` asks for it.
"""

from typing import Literal

MergeMode = Literal["add", "indirect", "tagger"]
#: How the tagger's quotes join the rules' (:func:`summarizer.attribution.tagger.merge`).
MERGE_MODES: tuple[str, ...] = ("add", "indirect", "tagger")
#: The merge the opt-in uses unless told otherwise (the one that measured best on PolNeAR dev).
DEFAULT_MERGE: MergeMode = "add"

#: The span labels the tagger predicts (one per token, as PolNeAR annotates them).
LABELS: tuple[str, ...] = ("SOURCE", "CUE", "CONTENT")
