"""analytics stays pure: no I/O libraries, SDKs or our I/O packages are imported by it."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["anomalies", "anomaly_baseline", "anomaly_detection", "anomaly_types", "catalog",
           "clean", "content", "creators", "daily", "daily_kpis", "display", "drivers", "events",
           "explain", "funnel", "fx", "kpi_report", "kpis", "mix", "money", "quality", "series",
           "stock", "suggestions", "totals", "weeks"]
FORBIDDEN = ["sqlalchemy", "httpx", "redis", "rq", "slack_sdk", "slack_bolt", "telegram",
             "psycopg", "jobs", "bot", "config", "sandbox", "matplotlib"]


def test_analytics_imports_nothing_with_io():
    code = (
        "import sys\n"
        + "".join(f"import analytics.{m}\n" for m in MODULES)
        + f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r}))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_money_scale_matches_the_warehouse():
    from analytics.money import MONEY_SCALE
    from jobs.warehouse.types import MONEY_SCALE as WAREHOUSE_SCALE

    assert MONEY_SCALE == WAREHOUSE_SCALE


def test_public_api_is_declared_and_documented():
    import importlib
    import inspect

    for name in MODULES:
        module = importlib.import_module(f"analytics.{name}")
        assert module.__doc__ and len(module.__doc__) > 100, name  # inputs and outputs described
        for public in module.__all__:
            obj = getattr(module, public)  # AttributeError: __all__ names something missing
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert obj.__doc__, f"analytics.{name}.{public} has no docstring"
