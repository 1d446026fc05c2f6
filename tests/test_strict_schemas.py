"""Every response model a strategy asks a model to fill can be sent in OpenAI strict mode.

``openai.lib._pydantic.to_strict_json_schema`` is what the openai client itself uses for strict
structured outputs; on top of it, the result must stay inside the strict subset: every object
closed (``additionalProperties: false``) with every property required, and no keyword strict mode
refuses (``default``, length and size bounds, ...).
"""

from __future__ import annotations

from typing import Any

import pytest
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel

from summarizer.drafts import DraftAdditions, DraftExtraction
from summarizer.strategies.hybrid import CasualtyCheck, SummaryAnswer, _choice_model
from summarizer.strategies.review import ReviewAnswer

RESPONSE_MODELS: list[type[BaseModel]] = [
    DraftExtraction, DraftAdditions, ReviewAnswer, CasualtyCheck, SummaryAnswer,
    _choice_model(["Adam Yahya", "Hafiz Bakheet"]),
]
_REFUSED = {"default", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "patternProperties",
            "minProperties", "maxProperties", "unevaluatedProperties", "propertyNames", "contains"}


def _problems(node: Any, path: str = "$") -> list[str]:
    problems: list[str] = []
    if isinstance(node, dict):
        for keyword in _REFUSED & set(node):
            if not (keyword == "default" and node[keyword] is None):
                problems.append(f"{path}: {keyword}")
        if node.get("type") == "object" or "properties" in node:
            if node.get("additionalProperties") is not False:
                problems.append(f"{path}: object not closed")
            if sorted(node.get("required", [])) != sorted(node.get("properties", {})):
                problems.append(f"{path}: not every property required")
        for key, value in node.items():
            problems += _problems(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            problems += _problems(value, f"{path}[{i}]")
    return problems


@pytest.mark.parametrize("model", RESPONSE_MODELS, ids=lambda m: m.__name__)
def test_response_model_is_accepted_in_strict_mode(model: type[BaseModel]) -> None:
    schema = to_strict_json_schema(model)
    assert _problems(schema) == []


def test_a_strict_answer_with_every_field_given_validates() -> None:
    """Strict mode makes the model send every field (nullable ones as null): that still validates."""
    answer = {"casualties": [], "quotes": [], "claims": [], "missed_casualties": [{
        "outcome": "killed", "figure": "at least 27", "victim_group": "people", "location": None, "time_scope": "incident",
        "period": None, "source": None, "perpetrator": None, "subset_of": None, "evidence_text": "killed at least 27 people"}],
        "missed_quotes": [], "missed_claims": [], "summary": ""}
    assert ReviewAnswer.model_validate(answer).missed_casualties[0].figure == "at least 27"
