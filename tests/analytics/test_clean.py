from __future__ import annotations

from decimal import Decimal

from analytics_frames import m, orders, refunds

from analytics.clean import CleaningRules, clean_orders, clean_refunds


def _by_rule(result):
    return {e.rule: (e.rows, e.money) for e in result.exclusions}


def test_each_order_rule_excludes_and_reports_count_and_money():
    frame = orders(
        {"order_id": "ok", "sub_total": m("20")},
        {"order_id": "unpaid", "paid_time": None, "sub_total": m("5")},
        {"order_id": "cancelled", "paid_time": None, "cancel_time": "2026-11-16 11:00",
         "sub_total": m("7")},
        {"order_id": "sample", "is_sample": True, "sub_total": m("0")},
        {"order_id": "replacement", "is_replacement": True, "sub_total": m("12.5")},
        {"order_id": "test_msg", "buyer_message": "pls ignore - test order", "sub_total": m("3")},
        {"order_id": "test_name", "recipient_name": "TEST", "sub_total": m("4")},
        {"order_id": "paid_then_cancelled", "cancel_time": "2026-11-17 11:00", "sub_total": m("9")},
    )
    result = clean_orders(frame)
    assert sorted(result.valid["order_id"]) == ["ok", "paid_then_cancelled"]
    assert _by_rule(result) == {
        "cancelled_before_payment": (1, {"GBP": Decimal("7")}),
        "unpaid": (1, {"GBP": Decimal("5")}),
        "sample": (1, {"GBP": Decimal("0")}),
        "replacement": (1, {"GBP": Decimal("12.5")}),
        "test": (2, {"GBP": Decimal("7")}),
    }
    assert dict(zip(result.excluded["order_id"], result.excluded["excluded_by"], strict=True))[
        "test_name"] == "test"


def test_an_order_is_counted_under_its_first_rule_only():
    frame = orders({"paid_time": None, "is_sample": True, "recipient_name": "TEST"})
    assert _by_rule(clean_orders(frame))["unpaid"][0] == 1
    assert sum(e.rows for e in clean_orders(frame).exclusions) == 1


def test_test_markers_are_configurable():
    frame = orders({"buyer_message": "QA-ORDER 7"}, {"buyer_message": "test order"},
                   {"recipient_name": "Tester"})
    rules = CleaningRules(test_message_markers=("qa-order",), test_recipient_names=("Tester",))
    assert list(clean_orders(frame, rules).valid["order_id"]) == ["o1"]
    assert list(clean_orders(frame).valid["order_id"]) == ["o0", "o2"]


def test_no_exclusions_reports_zero_per_rule():
    result = clean_orders(orders({}, {}))
    assert len(result.valid) == 2
    assert all(e.rows == 0 and e.money == {} for e in result.exclusions)


def test_refund_rules():
    cleaned = clean_orders(orders({"order_id": "a"}, {"order_id": "s", "is_sample": True}))
    frame = refunds(
        {"order_id": "a", "refund_amount": m("4")},
        {"order_id": "a", "status": "PENDING", "completed_time": None, "refund_amount": m("1")},
        {"order_id": "a", "status": "COMPLETED", "completed_time": None, "refund_amount": m("2")},
        {"order_id": "s", "refund_amount": m("3")},
        {"order_id": "elsewhere", "refund_amount": m("6")},
        {"order_id": "a", "status": "return_or_refund_request_complete", "refund_amount": m("5")},
        {"order_id": "a", "status": "CANCELLATION_REQUEST_COMPLETE", "refund_amount": m("2")},
        {"order_id": "a", "status": "REQUEST_REJECTED", "refund_amount": m("7")},
    )
    result = clean_refunds(frame, cleaned)
    assert list(result.valid["refund_id"]) == ["r0", "r5", "r6"]
    assert _by_rule(result) == {
        "not_completed": (3, {"GBP": Decimal("10")}),
        "order_not_found": (1, {"GBP": Decimal("6")}),
        "order_excluded": (1, {"GBP": Decimal("3")}),
    }
