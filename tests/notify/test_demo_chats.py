"""``tikpulse demo --chat feishu``: after the demo's digest, the real fan-out delivers it to the
fake Feishu group and WeCom robot that the demo starts (``sandbox.chat_fakes``), and the demo
prints what they received: both cards with their sections, the charts, the PDFs, the markdown."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from jobs.cli import cli


@pytest.mark.slow
def test_the_demo_delivers_its_digest_to_fake_feishu_and_wecom(tmp_path, redis_url,
                                                              monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("TIKPULSE_SECRET_KEY", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    result = CliRunner().invoke(cli, ["demo", "--shops", "2", "--weeks", "4", "--out",
                                      str(tmp_path / "out"), "--chat", "feishu"],
                                terminal_width=160)
    assert result.exit_code == 0, result.output
    shown = result.output.split("in Feishu and WeCom (local fake servers)")[1]
    assert re.search(r"feishu:oc_demo\w+: sent", shown)
    assert re.search(r"wecom:demo-ops-\w+: sent", shown)
    assert re.search(r"\[card\] Demo Seller 演示卖家 周报 · \d{4}-W\d\d", shown)
    assert re.search(r"\[card\] Demo Seller 演示卖家 weekly digest", shown)
    assert "**本周核心指标**" in shown and "**This week's headline**" in shown
    assert re.search(r"↳ \[image\] img_v3_\w+ \(\d", shown)
    assert re.search(r"↳ \[file\] tikpulse-demo-\d{4}-W\d\d-zh\.pdf \(pdf, \d", shown)
    assert re.search(r"↳ \[file\] tikpulse-demo-\d{4}-W\d\d-zh\.pptx \(ppt, \d", shown)
    wecom = shown.split("WeCom robot")[1]
    sizes = [int(n) for n in re.findall(r"\[markdown\] (\d+) bytes", wecom)]
    assert len(sizes) >= 2 and max(sizes) <= 4096  # split by section under WeCom's limit
    assert re.search(r"\[image\] md5 [0-9a-f]{32}", wecom)
    assert re.search(r"\[file\] tikpulse-demo-\d{4}-W\d\d-en\.pdf", wecom)
