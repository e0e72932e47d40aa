"""Pure analytics: warehouse-shaped DataFrames (and plain settings values) in, DataFrames and small
frozen result objects out. No I/O, no environment, no SDKs, no database.

Modules (one concept each; import from the module, e.g. ``analytics.kpis.weekly_report``):

- ``money``: int64 money units -> ``Decimal``; ratios that are ``None`` instead of dividing by 0.
- ``catalog``: the metric definitions (``METRICS``, ``get_metric``, ``find_metric``).
- ``weeks``: Monday-to-Monday weeks in a store's zone (``week_window``, ``iso_week_label``).
- ``clean``: which orders are sales and which refunds count (``clean_orders``, ``clean_refunds``).
- ``fx``: daily FX conversion (``FxRates``, ``MissingFxRate``).
- ``daily``: daily metric rows per store, the rollup shape (``daily_metrics``).
- ``kpis``: period KPIs, references and targets (``compute_kpis``, ``weekly_report``).
- ``funnel``, ``mix``, ``creators``, ``content``, ``anomalies``, ``drivers``, ``stock``,
  ``quality``, ``suggestions``: see each module's docstring.
"""
