"""The digest jobs end to end on a real RQ SimpleWorker and Redis, delivering to the fake Slack
and Telegram APIs through the real clients: fan-out per store, exactly once under 429s, a
server error and a lost answer, the hold for late data, and the run log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import redis
from conftest import make_env
from digest_seed import CHANNEL, CHAT, UK, US, seed, tenant_entry, write_tenants
from rq import Queue, SimpleWorker
from sqlalchemy import select

from jobs.digest.fanout import DeliveryIncomplete, enqueue_render_and_send
from jobs.digest.pipeline import take_snapshot
from jobs.digest.runs import channel_outcomes, load_run
from jobs.resources import QUEUE
from jobs.tasks import prepare_digest, send_digest
from jobs.warehouse.schema import deliveries


def work(redis_url: str) -> Queue:
    conn = redis.Redis.from_url(redis_url)
    queue = Queue(QUEUE, connection=conn)
    SimpleWorker([queue], connection=conn).work(burst=True)
    return queue


def job_statuses(queue: Queue) -> dict[str, str]:
    """Every job RQ still knows on this Redis db, with its status."""
    ids = [k.decode().removeprefix("rq:job:") for k in queue.connection.scan_iter("rq:job:*")]
    return {j.id: j.get_status().value for j in queue.job_class.fetch_many(ids, queue.connection)
            if j is not None}


def run_due_retries(queue: Queue) -> int:
    """Let time pass for RQ retries: move every scheduled (retrying) job onto the queue."""
    registry = queue.scheduled_job_registry
    ids = registry.get_job_ids()
    for job_id in ids:
        job = queue.fetch_job(job_id)
        registry.remove(job)
        queue.enqueue_job(job)
    return len(ids)


def test_two_stores_fan_out_and_deliver_everywhere_once(sqlite_engine, redis_url, slack, tg,
                                                         tmp_path, monkeypatch) -> None:
    seed(sqlite_engine)
    make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch)
    Queue(QUEUE, connection=redis.Redis.from_url(redis_url)).enqueue(
        prepare_digest, "acme", "2026-W47", None, job_id="digest-prepare-acme-2026-W47")
    queue = work(redis_url)
    statuses = job_statuses(queue)
    assert set(statuses.values()) == {"finished"}
    assert sorted(i.split("-2026-W47")[0] for i in statuses) == [
        "digest-prepare-acme", "digest-send-acme", "digest-store-acme", "digest-store-acme"]
    assert {i.split("-")[5] for i in statuses if i.startswith("digest-store")} == {UK, US}

    [summary] = slack.top_level(CHANNEL)
    assert summary.blocks[0]["text"]["text"] == "Acme Home 家居 weekly digest · 2026-W47"
    fields = [f["text"] for b in summary.blocks if "fields" in b for f in b["fields"]]
    assert any(f.startswith("*Gross GMV*\n$17,500") for f in fields)
    names = [f.filename for f in slack.thread(CHANNEL, summary.ts)]
    assert names == [f"acme-2026-W47-en-{n}.png" for n in (
        "summary", "trend", "drivers", "mix", "funnel")] + ["tikpulse-acme-2026-W47-en.pdf"]
    card, png = (slack.thread(CHANNEL, summary.ts)[i].data for i in (0, 1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1200
    assert int.from_bytes(card[16:20], "big") == 1080  # the phone-sized summary leads
    pdf = slack.thread(CHANNEL, summary.ts)[-1].data
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4

    kinds = [m.kind for m in tg.chat(CHAT)]  # the sections that did not fit follow the summary
    assert kinds == ["text", "text", "photo", "photo", "photo", "photo", "photo", "document"]
    first, more = tg.chat(CHAT)[:2]
    assert "Acme UK" in first.text and "raise the ad budget" in first.text
    assert more.reply_to == first.message_id and "(continued)" in more.text
    run = load_run(sqlite_engine, "acme", "2026-W47")
    assert run["status"] == "sent"
    assert channel_outcomes(run) == {f"slack:{CHANNEL}": "sent", f"telegram:{CHAT}": "sent"}
    assert [h["status"] for h in run["history"] if "status" in h] == [
        "scheduled", "rendering", "sending", "sent"]


def test_exactly_once_through_429s_a_server_error_and_a_lost_answer(env) -> None:
    deps = env.deps()
    take_snapshot(deps, deps.tenant("acme"), "2026-W47", due_at=None)
    env.slack.drop_reply_next(1, method="chat.postMessage")  # the worker dies after posting
    env.slack.fail_next(2, status=429, retry_after=0, method="files.getUploadURLExternal")
    env.tg.fail_next(1, status=429, retry_after=1, method="sendMessage")
    env.tg.fail_next(1, status=500, method="sendDocument")
    enqueue_render_and_send(deps, "acme", "2026-W47")
    queue = work(env.redis_url)
    assert len(queue.scheduled_job_registry.get_job_ids()) == 1  # the send, retrying
    assert load_run(env.engine, "acme", "2026-W47")["status"] == "failed"

    assert run_due_retries(queue) == 1
    work(env.redis_url)
    assert len(env.slack.top_level(CHANNEL)) == 1
    [summary] = env.slack.top_level(CHANNEL)
    assert len(env.slack.thread(CHANNEL, summary.ts)) == 5  # summary, 3 charts + PDF
    assert [m.kind for m in env.tg.chat(CHAT)] == ["text", *["photo"] * 4, "document"]
    run = load_run(env.engine, "acme", "2026-W47")
    assert run["status"] == "sent"
    with env.engine.connect() as conn:
        rows = conn.execute(select(deliveries.c.channel_kind, deliveries.c.status,
                                   deliveries.c.attempts)).all()
    assert sorted(rows) == [("slack", "sent", 2), ("telegram", "sent", 2)]

    assert run_due_retries(queue) == 0
    enqueue_render_and_send(deps, "acme", "2026-W47")  # a duplicate run changes nothing
    work(env.redis_url)
    assert len(env.slack.answered("chat.postMessage")) == 1
    assert len(env.tg.answered("sendMessage")) == 1


def test_late_data_is_held_then_sent_as_partial(sqlite_engine, redis_url, slack, tg, tmp_path,
                                                monkeypatch) -> None:
    seed(sqlite_engine, complete=False, stores=(UK,))
    make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch, stores=(UK,),
             telegram=False)
    now = datetime.now(UTC)
    assert prepare_digest("acme", "2026-W47", now.isoformat()) == "waiting"
    run = load_run(sqlite_engine, "acme", "2026-W47")
    assert run["missing"][0]["source"] == "orders" and slack.calls == []

    late = (now - timedelta(hours=7)).isoformat()  # past the 6-hour hold
    assert prepare_digest("acme", "2026-W47", late) == "rendering"
    work(redis_url)
    [summary] = slack.top_level(CHANNEL)
    text = " ".join(b["text"]["text"] for b in summary.blocks if b["type"] == "section"
                    and "text" in b)
    assert "Partial digest, data incomplete" in text and "Acme UK orders 2 day(s) behind" in text
    assert load_run(sqlite_engine, "acme", "2026-W47")["status"] == "partial"


def test_worker_killed_mid_delivery_then_retried_posts_once(env) -> None:
    deps = env.deps()
    take_snapshot(deps, deps.tenant("acme"), "2026-W47", due_at=None)
    code = "from jobs.tasks import send_digest; send_digest('acme', '2026-W47')"
    worker = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())

    def kill_on_post(call) -> None:  # type: ignore[no-untyped-def]
        if call.method == "chat.postMessage":  # posted in Slack, not yet recorded by the worker
            worker.kill()
            worker.wait()

    env.slack.on_call = kill_on_post
    assert worker.wait(timeout=120) == -signal.SIGKILL
    env.slack.on_call = None
    with env.engine.connect() as conn:
        claimed = conn.execute(select(deliveries.c.status, deliveries.c.extra_ids)
                               .where(deliveries.c.channel_kind == "slack")).one()
    assert claimed.status == "claimed" and claimed.extra_ids["pending"] == "summary:en"
    assert len(env.slack.top_level(CHANNEL)) == 1 and env.tg.calls == []

    with pytest.raises(DeliveryIncomplete, match="busy"):  # the dead worker's lock still holds
        send_digest("acme", "2026-W47")
    conn = redis.Redis.from_url(env.redis_url)
    for lock in conn.scan_iter("tikpulse:deliver:*"):
        conn.delete(lock)  # what the lock's expiry does a few minutes later
    outcomes = send_digest("acme", "2026-W47")  # the retry
    assert outcomes == {f"slack:{CHANNEL}": "sent", f"telegram:{CHAT}": "already_sent"}
    assert len(env.slack.top_level(CHANNEL)) == 1  # found again by its metadata marker
    assert len(env.slack.answered("chat.postMessage")) == 1
    assert len(env.slack.thread(CHANNEL, env.slack.top_level(CHANNEL)[0].ts)) == 5


def test_a_tenant_with_no_chat_bound_is_never_reported_as_sent(sqlite_engine, redis_url, slack,
                                                                tg, tmp_path, monkeypatch) -> None:
    seed(sqlite_engine, stores=(UK,))
    make_env(sqlite_engine, redis_url, slack, tg, tmp_path, monkeypatch, stores=(UK,))
    write_tenants(tmp_path, tenant_entry(stores=(UK,), slack=False, telegram=False))
    Queue(QUEUE, connection=redis.Redis.from_url(redis_url)).enqueue(
        prepare_digest, "acme", "2026-W47", None, job_id="digest-prepare-acme-2026-W47")
    work(redis_url)
    run = load_run(sqlite_engine, "acme", "2026-W47")
    assert run["status"] == "no_chat"
    assert "no Slack or Telegram chat is bound" in run["history"][-1]["note"]
    assert slack.calls_to("chat.postMessage") == [] and tg.calls_to("sendMessage") == []
