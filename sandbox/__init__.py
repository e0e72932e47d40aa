"""sandbox: a faithful local TikTok Shop Partner API + TikTok Business API simulator, and a
deterministic, realistic data generator (Stripe-style test mode for TikPulse).

    from sandbox import Sandbox, GeneratorConfig, generate
    config = GeneratorConfig(seed=7, shops=3, weeks=10, end=date(2026, 11, 23))
    with Sandbox.start(config=config) as sb:
        sb.base_url, sb.shop_auth_url, sb.shop_api_url, sb.ads_api_url, sb.credentials, sb.truth
        sb.faults.add(endpoint="/order/202309/orders/search", kind="rate_limit",
                      shop_id=..., count=2)

Endpoints: shop auth (``/api/v2/token/get|refresh``); Shop API (``/authorization/202309/shops``,
orders, returns and cancellations search, finance statements and statement transactions,
affiliate orders and creator profiles, shop/video/LIVE performance, products and inventory);
Business API under ``/open_api/v1.3`` (``oauth2/access_token``, ``oauth2/advertiser/get``,
``advertiser/info``, ``campaign/get``, ``report/integrated/get``, ``gmv_max/report/get``); admin
under ``/sandbox/`` (faults, auth codes, token expiry, revocation, QPS, clock, stats, truth).
``Sandbox.set_clock(days_back)`` moves the API clock back whole days for incremental-sync tests.

Wire facts follow shared/reference/tiktok-api.md (paths, envelopes, signing, decimal-string money,
absolute token expiries, string ad metrics with "-", pagination, error codes in ``sandbox.codes``).

Data set (``generate``): ``end`` is exclusive; the data covers ``weeks * 7`` local days before it
in each shop's time zone, and the API clock is the last second before ``end`` (local midnight).
Money is generated in int64 minor units and served as decimal strings; truth uses ``Decimal``.
Shops: GB/GBP/Europe/London, US/USD/America/Los_Angeles, TH/THB/Asia/Bangkok,
MY/MYR/Asia/Kuala_Lumpur, VN/VND/Asia/Ho_Chi_Minh, ID/IDR/Asia/Jakarta (cycled; the 3-shop demo is
GB, US, TH). Advertisers linked to a shop use the shop's time zone and currency.

Truth definitions (``Sandbox.truth`` / ``Dataset.truth``:
``(shop_id, local Monday) -> ShopWeekTruth``):

- A line item is one unit (no quantity). ``line.sale_price = original_price - seller_discount``;
  ``payment.sub_total = sum(line.sale_price)``;
  ``total_amount = sub_total + shipping_fee + tax - platform_discount``.
- Sales-valid order: has ``paid_time``; not ``is_sample_order``; not ``is_replacement_order``; not a
  test order (``buyer_message`` contains "TEST ORDER"; recipient name "TEST").
- ``gross_gmv(shop, week)``: sum of ``sub_total`` of sales-valid orders whose ``paid_time`` is in
  the week (Monday 00:00 to Monday 00:00 in the shop's own time zone, DST-safe); ``orders``: their
  count; ``lines``: their line items.
- ``refunds(shop, week)``: sum of refund amounts (``refund_amount.refund_total``; the sandbox never
  refunds shipping or tax, so it equals ``refund_subtotal``) of completed returns/refunds
  (``RETURN_OR_REFUND_REQUEST_COMPLETE``) and post-payment cancellations
  (``CANCELLATION_REQUEST_COMPLETE``) of sales-valid orders, in the week the refund completed (the
  record's ``update_time`` once complete). ``net_gmv = gross_gmv - refunds``.
- ``spend`` / ``attributed_revenue`` (``total_onsite_shopping_value``): sums over the shop's
  advertisers' report rows with ``stat_time_day`` in the week, as served at the data set's end
  (the last three days' conversions are still maturing then, as on the real platform).
- Orders carry ``user_id`` (buyer id) so buyers can be counted.
The planted-anomaly manifest (``Sandbox.anomalies``) lists cvr_collapse, cpm_jump, creator_spike
and missing_day with ids and local dates; each is planted where the data can show it
(``sandbox.placement``: a shop with volume, a creator with steady sales and 5+ weeks of history, a
campaign delivering with purchases before and through the jump week, a hole in an unbroken ads
report), so a detector that misses one has missed something real.
"""

from __future__ import annotations

from sandbox.config import GeneratorConfig
from sandbox.credentials import DemoCredentials, DemoSeller
from sandbox.dataset import Dataset
from sandbox.faults import FaultClient
from sandbox.generator import generate
from sandbox.server import Sandbox
from sandbox.truth import ShopWeekTruth

__all__ = [
    "Dataset",
    "DemoCredentials",
    "DemoSeller",
    "FaultClient",
    "GeneratorConfig",
    "Sandbox",
    "ShopWeekTruth",
    "generate",
]
