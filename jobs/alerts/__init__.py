"""Alerts: authorization failures, late data and business anomalies, said once and without noise.

Rules (``auth_rules``, ``freshness_rules``, ``order_rules``, ``business_rules``) turn the warehouse
into ``Finding``s; the state machine (``state``, persisted by ``store``) decides which become
messages (``messages`` in zh/en), ``routing`` and ``subscriptions`` decide where they go and
``deliver`` posts them. The RQ entry points are in ``jobs.tasks``.
"""

from typing import Any

from jobs.alerts.findings import Finding
from jobs.alerts.kinds import KINDS, AlertKind
from jobs.alerts.subscriptions import is_subscribed, subscribe, unsubscribe

#: Names served from ``jobs.alerts.evaluate`` on first use, so the bot's ``subscribe`` does not
#: load the rules, pandas and the chat clients.
_LAZY = {"AlertSetup", "Evaluation", "evaluate_tenant"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from jobs.alerts import evaluate

        return getattr(evaluate, name)
    raise AttributeError(f"module 'jobs.alerts' has no attribute {name!r}")

__all__ = [
    "KINDS", "AlertKind", "AlertSetup", "Evaluation", "Finding", "evaluate_tenant",
    "is_subscribed", "subscribe", "unsubscribe",
]
