"""Strategy and question names: one registry, read by the pipeline and every command; a wrong
name is a clear error listing the valid ones, before any article is read or model started."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from summarizer import Summarizer
from summarizer.cli import main
from summarizer.evaluation.injection import main as injection_main
from summarizer.strategies import QUESTIONS, STRATEGY_CHOICES, Strategy, StrategyJob, question_set, strategy_named


def test_every_registered_strategy_resolves_to_its_entry_function() -> None:
    assert STRATEGY_CHOICES == ("auto", *(s.value for s in Strategy))
    for strategy in Strategy:
        module, function = strategy.entry.split(":")
        entry = getattr(__import__(module, fromlist=[function]), function)
        assert callable(entry), strategy
    assert Strategy.HYBRID.questions == frozenset(QUESTIONS)
    assert not Strategy.RULES.uses_model and Strategy.NAIVE.uses_model


def test_the_pipeline_runs_the_registered_strategy() -> None:
    record = Summarizer(strategy=Strategy.RULES).summarize("Police said 12 people were killed in Mosul on Monday.", id="a")
    assert record.provenance.strategy == "rules" and [c.figure.low for c in record.casualties] == [12]
    direct = Strategy.RULES.run(StrategyJob("Police said 12 people were killed in Mosul on Monday."))
    assert [c.figure.low for c in direct.extraction.casualties] == [12]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"strategy": "rulez"}, "unknown strategy 'rulez'; choose from auto, rules, naive, hybrid, review"),
        ({"strategy": "hybrid", "questions": {"speakr"}},
         "unknown question 'speakr'; choose from speaker, casualty_check, summary, additions"),
    ],
)
def test_summarizer_refuses_unknown_names(options: dict, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Summarizer(**options)
    assert str(raised.value) == message


def test_question_lists_parse_and_name_what_is_wrong() -> None:
    assert question_set("speaker, summary") == {"speaker", "summary"}
    assert question_set(None) is None
    with pytest.raises(ValueError, match=r"unknown questions 'nope', 'speakr'; choose from speaker,"):
        question_set("speakr,summary,nope")
    assert strategy_named("naive") is Strategy.NAIVE


@pytest.mark.parametrize(
    "command, args, shown",
    [
        (main, ["eval", "--strategy", "hybrid", "--questions", "speakr", "--split", "dev"],
         "Invalid value for '--questions': unknown question 'speakr'; choose from speaker, casualty_check, summary, additions"),
        (main, ["eval", "--strategy", "hybird"], "'hybird' is not one of 'auto', 'rules', 'naive', 'hybrid', 'review'"),
        (main, ["run", "x.txt", "-o", "out.jsonl", "--strategy", "reveiw"], "'reveiw' is not one of 'auto', 'rules'"),
        (injection_main, ["--questions", "summary,speakr"], "unknown question 'speakr'"),
    ],
)
def test_commands_reject_a_wrong_name_with_the_valid_ones(command, args: list[str], shown: str) -> None:
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2, result.output
    assert shown in " ".join(result.output.split())
