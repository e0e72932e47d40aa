"""``tikpulse digest``: files on disk, a dry run that sends nothing, send-now that reports only
confirmed delivery, and a corrected re-run that edits the earlier messages."""

from __future__ import annotations

from decimal import Decimal

from click.testing import CliRunner
from digest_seed import CHANNEL, CHAT, UK, seed

from jobs.cli import cli


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["digest", *args], catch_exceptions=False)


def test_out_writes_html_pngs_and_pdf(env, tmp_path) -> None:
    out = tmp_path / "digest"
    result = run("--tenant", "acme", "--week", "2026-W47", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["acme-2026-W47-en-drivers.png", "acme-2026-W47-en-funnel.png",
                     "acme-2026-W47-en-summary.png", "acme-2026-W47-en-trend.png",
                     "tikpulse-acme-2026-W47-en.html",
                     "tikpulse-acme-2026-W47-en.pdf", "tikpulse-acme-2026-W47-en.pptx"]
    html = (out / "tikpulse-acme-2026-W47-en.html").read_text(encoding="utf-8")
    assert 'src="acme-2026-W47-en-trend.png"' in html and "What changed and why" in html
    assert html.index('src="acme-2026-W47-en-summary.png"') < html.index("What changed and why")
    assert (out / "tikpulse-acme-2026-W47-en.pdf").read_bytes().startswith(b"%PDF")
    assert str(out) in result.output and env.slack.calls == []


def test_dry_run_says_where_and_sends_nothing(env) -> None:
    result = run("--tenant", "acme", "--week", "2026-W47", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"slack {CHANNEL}: would post" in result.output
    assert f"telegram {CHAT}: would post" in result.output
    assert "4 chart(s)" in result.output  # the summary image and three charts
    assert env.slack.calls == [] and env.tg.calls == []


def test_send_now_confirms_then_a_corrected_rerun_edits(env) -> None:
    sent = run("--tenant", "acme", "--week", "2026-W47", "--send-now")
    assert sent.exit_code == 0, sent.output
    assert f"slack:{CHANNEL}: sent" in sent.output and "Delivered" in sent.output
    again = run("--tenant", "acme", "--week", "2026-W47", "--dry-run")
    assert "already sent with these numbers" in again.output

    seed(env.engine, scale=Decimal("1.1"), stores=(UK,))  # late orders raise the week's GMV
    fixed = run("--tenant", "acme", "--week", "2026-W47", "--send-now")
    assert f"slack:{CHANNEL}: corrected" in fixed.output
    assert len(env.slack.answered("chat.postMessage")) == 1
    assert len(env.slack.answered("chat.update")) == 1
    assert len(env.tg.answered("sendMessage")) == 1 and env.tg.answered("editMessageText")
    assert "$7,700" in env.slack.top_level(CHANNEL)[0].text


def test_send_now_fails_loudly_when_a_channel_is_not_confirmed(env) -> None:
    env.slack.fail_next(1, status=200, error="channel_not_found", method="chat.postMessage")
    result = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--week", "2026-W47",
                                      "--send-now"])
    assert result.exit_code != 0
    assert f"slack:{CHANNEL}: failed" in result.output and "not confirmed" in result.output
    assert f"telegram:{CHAT}: sent" in result.output


def test_period_names_a_week_or_a_fortnight_and_week_still_works(env, tmp_path) -> None:
    week = run("--tenant", "acme", "--period", "2026-W47", "--dry-run")
    assert week.exit_code == 0 and "Digest acme 2026-W47 " in week.output
    pair = run("--tenant", "acme", "--period", "2026-W47-W48", "--dry-run")
    assert pair.exit_code == 0 and "Digest acme 2026-W47-W48 " in pair.output
    assert "bi-weekly digest · 2026-W47-W48" in pair.output
    assert env.slack.calls == [] and env.tg.calls == []


def test_a_bad_period_gets_the_accepted_forms_not_a_traceback(env) -> None:
    bad = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--period", "2026-W46-W47",
                                   "--dry-run"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "'2026-W46-W47' is not a bi-weekly period: the pairs are 2026-W45-W46" in bad.output
    nonsense = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--period", "Nov",
                                        "--dry-run"])
    assert "expected a week 2026-W47, two weeks 2026-W46-W47 or a month 2026-11" in (
        " ".join(nonsense.output.split()))
    both = CliRunner().invoke(cli, ["digest", "--tenant", "acme", "--week", "2026-W47",
                                    "--period", "2026-11", "--dry-run"])
    assert both.exit_code == 2 and "give --week or --period, not both" in both.output
