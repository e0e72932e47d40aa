"""Preload for ``rq worker -c jobs.worker_preload``: import the heavy modules once in the parent.

RQ forks a work horse per job; whatever the parent has imported is shared with every fork for
free. Without this, each digest job pays for importing pandas and matplotlib and for loading the
CJK font (seconds per job). The module defines no upper-case names, so it changes no RQ setting.
"""

from __future__ import annotations

import jobs.tasks  # noqa: F401  (every job target and everything they import)
from analytics import charts
from config.logs import install_redaction

install_redaction()  # before any job logs: every fork inherits it


def warm_up() -> int:
    """Draw one small chart with Chinese text so the fonts are parsed before forking."""
    png = charts.funnel([("曝光 views", 100, None), ("订单 orders", 10, None)],
                        title="预热 warm-up", period="-", lang="zh")
    return len(png)


warm_up()
