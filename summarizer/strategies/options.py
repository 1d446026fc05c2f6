"""The ``--strategy`` and ``--questions`` options, read from the registry, shared by ``summarizer
run``, ``summarizer eval`` and the injection suite: a wrong name is a usage error listing the
valid ones, before any article is read or any model started."""

from __future__ import annotations

from typing import Any, Optional

import click

from summarizer.strategies import AUTO, QUESTIONS, STRATEGY_CHOICES, Strategy, question_set


def _strategy_help() -> str:
    return "; ".join(f"{s.value}: {s.help}" for s in Strategy) + (
        f"; {AUTO}: hybrid with the questions that help this backend (none for the embedded model, i.e. rules)."
    )


def strategy_option(*, multiple: bool = False, default: str = AUTO) -> Any:
    """``--strategy NAME`` (``multiple``: repeatable, collected as ``strategies``)."""
    names = ("--strategy", "strategies") if multiple else ("--strategy",)
    extra = " Repeat to compare side by side." if multiple else ""
    return click.option(*names, type=click.Choice(STRATEGY_CHOICES), multiple=multiple,
                        default=(default,) if multiple else default, show_default=True,
                        help=_strategy_help() + extra)


class QuestionList(click.ParamType):
    """Comma-separated hybrid questions, each one of :data:`summarizer.strategies.QUESTIONS`."""

    name = "QUESTION[,QUESTION...]"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if value is None or isinstance(value, frozenset):
            return value
        try:
            return question_set(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def questions_option() -> Any:
    """``--questions speaker,summary``: what hybrid may ask (default: per backend)."""
    return click.option("--questions", type=QuestionList(), default=None,
                        help=f"Hybrid questions, comma-separated ({','.join(QUESTIONS)}); default per backend.")
