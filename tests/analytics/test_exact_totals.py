"""The exact sums KPIs start from: ``add_scaled`` keeps one integer per store and metric at the
most digits of its rates, and ``exact_totals`` gives the same ``Decimal`` (value and exponent)
as adding each rate's products apart; ``kpis_from_totals`` builds the ``KpiSet`` its fields
make, and one store's (each total taken as adding it to 0 makes it) the same as with an empty
store beside it; the ratios treat every zero alike."""

from __future__ import annotations

import pickle
import random
from dataclasses import fields, replace
from decimal import Context, Decimal

from analytics.kpis import KpiSet, kpis_from_totals
from analytics.money import add_scaled, money_ratio, ratio, scaled_rate
from analytics.totals import exact_totals

WIDE = Context(prec=80)


def _one_group_per_digits(parts: list[tuple[str, str, int, str]], whole: dict[str, int]) -> (
    dict[str, dict[str, Decimal]]
):
    """The sums made apart per (store, metric, digits) and added as ``Decimal``: the way the
    totals were made before one integer per metric."""
    groups: dict[tuple[str, str, int], int] = {}
    for shop, metric, units, rate in parts:
        coefficient, digits = scaled_rate(rate)
        groups[(shop, metric, digits)] = groups.get((shop, metric, digits), 0) + (
            units * coefficient)
    out: dict[str, dict[str, Decimal]] = {}
    for key, units in whole.items():
        shop, metric = key.split("/")
        out.setdefault(shop, {})[metric] = Decimal(units).scaleb(-4)
    for (shop, metric, digits), total in groups.items():
        amount = Decimal(total).scaleb(-(4 + digits), WIDE)
        found = out.setdefault(shop, {}).get(metric)
        out[shop][metric] = amount if found is None else WIDE.add(found, amount)
    return out


def test_one_integer_per_metric_gives_the_decimals_of_one_sum_per_rate():
    rng = random.Random(19)
    rates = ["1.27", "1.270", "1.26238", "0.028112", "4e-05", "0.0000400800", "31.5", "2E+1",
             "0.0000393123456789012345678901", "1"]
    for _ in range(300):
        parts = [(rng.choice("ab"), rng.choice(["spend", "gross_gmv"]),
                  rng.randrange(-10**6, 10**13), rng.choice(rates))
                 for _ in range(rng.randrange(1, 9))]
        whole = {f"{shop}/{metric}": rng.randrange(10**9) for shop, metric, *_ in parts
                 if rng.random() < .3}
        scaled: dict[str, dict[str, list[int]]] = {}
        for shop, metric, units, rate in parts:
            add_scaled(scaled.setdefault(shop, {}), metric, units, *scaled_rate(rate))
        books = {}
        for key, units in whole.items():
            shop, metric = key.split("/")
            books.setdefault(shop, {})[metric] = units
        got = exact_totals([books], scaled)
        expected = _one_group_per_digits(parts, whole)
        assert repr(got) == repr(expected), parts


def test_stores_come_in_the_order_the_whole_books_then_the_converted_money_name_them():
    counts = {"b": {"orders": 2}}
    money = {"c": {"spend": 10}, "b": {"spend": 5}}
    got = exact_totals([counts, money], {"a": {"spend": [127, 2]}, "c": {"spend": [1, 0]}})
    assert list(got) == ["b", "c", "a"]
    assert got["b"] == {"orders": Decimal(2), "spend": Decimal("0.0005")}
    assert repr(got["c"]["spend"]) == repr(Decimal("0.0011"))
    assert repr(got["a"]["spend"]) == repr(Decimal("0.000127"))


def test_a_kpi_set_from_totals_is_the_dataclass_its_fields_make():
    totals = {"s": {"gross_gmv": Decimal("12345.6789"), "orders": Decimal(280),
                    "units": Decimal(301), "refunds": Decimal("512.0432"),
                    "spend": Decimal("2301.1234"), "impressions": Decimal(140000),
                    "clicks": Decimal(4200), "purchases": Decimal(93),
                    "purchase_value": Decimal("6012.2211"), "visitors": Decimal(10500),
                    "traffic_buyers": Decimal(269), "traffic_gmv": Decimal("6370.4749"),
                    "paid_gmv": Decimal("2229.6659"), "commission_cost": Decimal("1203.1234")}}
    kpis = kpis_from_totals(totals, 7, "USD", buyers=250)
    made = KpiSet(**{f.name: getattr(kpis, f.name) for f in fields(KpiSet)})
    assert kpis == made and hash(kpis) == hash(made) and repr(kpis) == repr(made)
    assert replace(kpis) == kpis and pickle.loads(pickle.dumps(kpis)) == kpis
    assert kpis.aov == Decimal("44.0917") and kpis.cpm == Decimal("16.4366")
    assert kpis.ctr == float(Decimal(4200) / Decimal(140000)) and kpis.settled_revenue is None


def test_every_zero_divides_to_nothing():
    for zero in (Decimal(0), Decimal("0E-4"), Decimal("-0"), 0, 0.0):
        assert ratio(Decimal("1.5"), zero) is None
        assert money_ratio(Decimal("1.5"), zero) is None
    assert ratio(Decimal(3), Decimal(2)) == 1.5 and ratio(3, 2) == 1.5
    assert money_ratio(Decimal(10), 3) == Decimal("3.3333")
    assert money_ratio(None, 3) is None and money_ratio(Decimal(1), None) is None


def test_one_stores_kpis_are_those_of_a_table_of_two_with_an_empty_one():
    """Totals as exact conversions make them (up to 37 digits, beyond the 28 a sum rounds to),
    zeros of every exponent, negative money, metrics missing: the same ``KpiSet``, field for
    field and exponent for exponent."""
    rng = random.Random(7)
    metrics = ["gross_gmv", "orders", "units", "refunds", "spend", "impressions", "clicks",
               "purchases", "purchase_value", "visitors", "page_views", "traffic_buyers",
               "traffic_gmv", "paid_gmv", "commission_cost", "settled_revenue"]

    def value() -> Decimal:
        pick = rng.random()
        if pick < .15:
            return Decimal(rng.choice(["0", "0E-4", "-0", "0E-12"]))
        whole, places = rng.choice([1, 3, 7]), rng.choice([0, 4, 10, 20, 24, 25, 30])
        units = rng.randrange(10 ** places, 10 ** (whole + places)) * rng.choice([1, 1, -1])
        return Decimal(units).scaleb(-places, WIDE)

    for _ in range(2000):
        totals = {m: value() for m in metrics if rng.random() < .8}
        days, currency = rng.choice([1, 7, 28]), rng.choice(["USD", "THB"])
        one = kpis_from_totals({"s": totals}, days, currency)
        assert repr(one) == repr(kpis_from_totals({"s": totals, "t": {}}, days, currency)), totals
