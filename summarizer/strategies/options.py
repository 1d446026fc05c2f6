"""The ``--strategy`` and ``--questions`` options, read from the registry, shared by ``summarizer
run``, ``summarizer eval`` and the injection suite: a wrong name is a usage error listing the
valid ones, before any article is read or any model started."""

from __future__ import annotations

from pathlib import Path
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


def attribution_options() -> Any:
    """``--attribution-model PATH`` and ``--attribution-merge MODE``: the opt-in learned
    attribution tagger (:mod:`summarizer.attribution`) and how its quotes join the rules'."""
    from summarizer.attribution import DEFAULT_MERGE, MERGE_MODES

    def decorate(command: Any) -> Any:
        command = click.option(
            "--attribution-merge", type=click.Choice(MERGE_MODES), default=None,
            help=f"With --attribution-model: add (the tagger's quotes that overlap no rules quote; default "
                 f"{DEFAULT_MERGE}), indirect (only its indirect ones), tagger (its quotes alone, for comparison).")(command)
        return click.option(
            "--attribution-model", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
            envvar="SUMMARIZER_ATTRIBUTION_MODEL",
            help="Directory of a trained attribution tagger (scripts/train-attribution-tagger.py; optional, "
                 "trained on PolNeAR): its quotes join the rules' candidates. Env SUMMARIZER_ATTRIBUTION_MODEL.")(command)

    return decorate


def require_embedded_runtime(settings: Any, strategy: str) -> None:
    """Refuse ``--strategy`` once, before any work, when it would ask the embedded model and this
    machine's runtime cannot run it (rather than an error record for every article); ``run`` and
    ``eval`` both call it. Settings for any other endpoint pass."""
    if not getattr(settings, "is_embedded", False):
        return
    from summarizer.embedded import runtime_problem

    problem = runtime_problem(settings.gguf_path)
    if problem is not None:
        raise click.ClickException(f"--strategy {strategy} asks the embedded model, which cannot run: {problem}")
