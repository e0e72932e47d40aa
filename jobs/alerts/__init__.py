"""Alerts: authorization failures, late data and business anomalies, said once and without noise.

Rules (``auth_rules``, ``freshness_rules``, ``order_rules``, ``business_rules``) turn the warehouse
into ``Finding``s; the state machine (``state``, persisted by ``store``) decides which become
messages (``messages`` in zh/en), ``routing`` and ``subscriptions`` decide where they go and
``deliver`` posts them. ``jobs.alerts.jobs`` holds the RQ entry points.
"""

from jobs.alerts.evaluate import AlertSetup, Evaluation, evaluate_tenant
from jobs.alerts.findings import Finding
from jobs.alerts.kinds import KINDS, AlertKind
from jobs.alerts.subscriptions import is_subscribed, subscribe, unsubscribe

__all__ = [
    "KINDS", "AlertKind", "AlertSetup", "Evaluation", "Finding", "evaluate_tenant",
    "is_subscribed", "subscribe", "unsubscribe",
]
