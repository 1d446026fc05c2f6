"""``python -m summarizer``: the same command as the ``summarizer`` console script."""

from summarizer.cli import main

if __name__ == "__main__":
    main(prog_name="summarizer")
