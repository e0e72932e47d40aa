"""Pure analytics: warehouse-shaped DataFrames (and plain settings values) in, DataFrames and small
frozen result objects out. No I/O, no environment, no SDKs, no database.

Modules (one concept each; import from the module, e.g. ``analytics.kpi_report.weekly_report``):

- ``money``: int64 money units -> ``Decimal``; ratios that are ``None`` instead of dividing by 0.
- ``catalog``: the metric definitions (``METRICS``, ``get_metric``, ``find_metric``).
- ``weeks``: Monday-to-Monday weeks in a store's zone (``week_window``, ``iso_week_label``).
- ``clean``: which orders are sales and which refunds count (``clean_orders``, ``clean_refunds``).
- ``fx``: daily FX conversion (``FxRates``, ``MissingFxRate``).
- ``daily``: daily metric rows per store, the rollup shape (``daily_metrics``).
- ``totals`` (exact per-store totals in the reporting currency: ``store_totals``,
  ``exact_totals``) -> ``kpis`` (``KpiSet``, one period's KPIs from those totals:
  ``kpis_from_totals``); ``daily_kpis``: the same from ``daily`` rows (``compute_kpis``,
  ``count_buyers``); ``kpi_report``: a period against its previous period, baselines, year
  ago and targets (``KpiReport``, ``period_report``, ``weekly_report``).
- ``funnel`` (drop-off per channel), ``mix`` (channel shares), ``creators`` (leaderboard, risk),
  ``content`` (top content, winner traits), ``stock`` (forecast, reorder), ``quality`` (coverage,
  exclusions, reconciliation), ``suggestions`` (rule-based actions with reasons).
- ``series`` -> ``anomalies`` (robust flags, gated by volume and money: ``anomaly_types``,
  ``anomaly_baseline``, ``anomaly_detection``) -> ``explain`` (driver of a flag); ``events``
  (promotion calendar per region); ``drivers`` (GMV and ROAS decomposition, contribution
  tables).
Every module declares its public names in ``__all__``; its docstring says what goes in and out.
"""
