"""TikPulse's I/O side: everything that talks to TikTok, the warehouse, Redis and the chats.

The map (one paragraph a room; ``tests/test_layers.py`` keeps the arrows pointing one way):

Entry points and composition
    ``tasks`` holds every RQ entry point (sync, token refresh, digest, alerts); ``cron_config``
    every schedule; ``wiring`` is the one composition root of workers and commands (settings in,
    connectors, digest deps and alert senders out); ``cli/`` is every ``tikpulse`` command, one
    module per group; ``worker_preload`` warms the RQ worker. ``sync`` and ``schedule`` (and
    ``digest/jobs``, ``alerts/jobs``) are one-release shims at old RQ dotted paths.

``resources``
    What every job talks to, named once: the ``Connectors`` bundle, the RQ ``QUEUE``, API limits.

``accounts/``
    Authorizations (OAuth exchange, token rotation, health states), tenancy (the tenants file is
    the authority; the warehouse adds shops connected by OAuth), the shop registry, targets and the
    OAuth callback page.

``ingestion/``
    Shop and ads syncs (``shop_sync``, ``ads_sync``, what both share in ``sync``; ``shop_run``),
    their extras (content, creators, settlements), cursors, the run log and the CSV import;
    every raw fact is written through ``writer``, which marks the touched local days stale in
    the same transaction, and rollups are refreshed once per run.

``sources/``
    ``tiktok/`` (signed clients of the Partner and Business APIs, wire records, envelope) and
    ``csv/`` (Seller Center and Ads Manager export readers); the error tree in ``errors``; the
    Redis rate limiter and retry policy.

``warehouse/``
    Schema, migrations, upsert and bulk load, rollups and stale days, FX rates, token crypto, and
    the read API: ``queries`` and ``reads`` answer the bot, the report and the alerts alike.

``report/``
    The frozen weekly report: ``build`` (KPIs per store and tenant), ``assemble`` (its sections),
    ``explanations`` (anomalies, drivers, movers), ``quality``, the ``model`` and its exact JSON
    form, and ``frozen`` (the one loader of a stored snapshot).

``digest/``, ``alerts/``, ``notify/``
    The Monday digest (compose, words, charts, documents, fan-out, delivery exactly once), alerts
    (rules, state machine, messages), and ``notify`` (the one Slack/Telegram client factory and
    the digest's notifiers).

The dependency rule: ``cli``/``tasks``/``cron_config`` -> ``wiring`` -> features (``digest`` ->
``report`` -> ``accounts``; ``alerts`` -> ``accounts``; ``ingestion`` -> ``accounts``) -> base
(``resources``, ``sources``, ``warehouse``, ``notify``) -> ``analytics``, ``config``. Features
never import ``tasks`` or ``wiring``; they enqueue by dotted path (``"jobs.tasks.send_digest"``).
``jobs`` never imports ``bot``; ``bot`` reads through the read API, the report model and the
accounts API.
"""
