"""The hybrid path for capable models: the model adds quotes and claims the rules missed, and only
grounded ones reach the record.

A capable model is not reachable here, so a scripted OpenAI-compatible server on 127.0.0.1 plays
one: its answer is written in the test (what a strong model would propose, plus one invented quote).
Everything else is real: HTTP, the openai client, instructor's TOOLS mode, grounding, the record.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripted_server import ScriptedServer, Step
from summarizer import Summarizer
from summarizer.backend import ModelSettings

ARTICLE = (
    "GOMA - Fighting resumed near Sake on Monday as the rebel advance slowed.\n\n"
    "In the view of the army's regional commander, General Amani Kito, the rebels cannot hold the town "
    "for long. The rebel movement has a different story: its fighters withdrew from Sake in good order "
    "to spare civilians. Residents interviewed by phone saw no withdrawal at all.\n"
)
MISSED_QUOTE = "the rebels cannot hold the town for long"
MISSED_CLAIM = "its fighters withdrew from Sake in good order to spare civilians"
INVENTED_QUOTE = "We will take Goma by Friday"

ADDITIONS = Step(tool_arguments={
    "quotes": [
        {"text": MISSED_QUOTE, "speaker": "General Amani Kito", "mode": "indirect"},
        {"text": INVENTED_QUOTE, "speaker": "the rebel movement", "mode": "direct"},
    ],
    "claims": [
        {"claim": MISSED_CLAIM, "claimant": "The rebel movement", "disputant": "Residents",
         "evidence_text": "The rebel movement has a different story: its fighters withdrew from Sake in good "
                          "order to spare civilians."},
    ],
})


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "calls.sqlite"))


def test_rules_alone_miss_what_the_model_is_asked_to_add() -> None:
    with Summarizer(strategy="rules") as rules:
        record = rules.summarize(ARTICLE, id="goma")
    assert all(MISSED_QUOTE not in q.text for q in record.quotes)
    assert all("withdrew" not in c.claim for c in record.claims)


def test_grounded_additions_are_kept_with_offsets_and_invented_ones_dropped_and_counted() -> None:
    with ScriptedServer([ADDITIONS]) as server:
        settings = ModelSettings(base_url=server.base_url, model="capable-model", api_key="sk-local-test",
                                 timeout_s=5.0, max_attempts=1)
        with Summarizer(settings, strategy="hybrid", questions=frozenset({"additions"})) as summarizer:
            record = summarizer.summarize(ARTICLE, id="goma")

    assert record.status == "ok", record.error
    added = [q for q in record.quotes if q.text == MISSED_QUOTE]
    assert len(added) == 1 and added[0].speaker == "General Amani Kito" and added[0].mode == "indirect"
    assert ARTICLE[added[0].evidence.start:added[0].evidence.end] == added[0].evidence.text
    assert MISSED_QUOTE in added[0].evidence.text
    assert all(INVENTED_QUOTE not in q.text for q in record.quotes)
    assert record.dropped.quotes == 1 and any("Goma by Friday" in r for r in record.dropped.reasons)

    claims = [c for c in record.claims if "withdrew from Sake" in c.claim]
    assert len(claims) == 1 and claims[0].disputant == "Residents"
    assert ARTICLE[claims[0].evidence.start:claims[0].evidence.end] == claims[0].evidence.text

    # one real HTTP call in instructor's TOOLS mode, with the article fenced as data
    assert len(server.requests) == 1
    request = server.requests[0].body
    assert request["model"] == "capable-model"
    assert request["tool_choice"]["function"]["name"] == "DraftAdditions"
    user_text = " ".join(str(m.get("content")) for m in request["messages"] if m["role"] == "user")
    assert "<article>" in user_text and "General Amani Kito" in user_text
    assert record.provenance is not None and record.provenance.usage.calls == 1
    assert record.provenance.model == "capable-model" and record.provenance.strategy == "hybrid"
