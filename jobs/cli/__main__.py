"""``python -m jobs.cli``: the same as the ``tikpulse`` console script."""

from jobs.cli import main

main()
