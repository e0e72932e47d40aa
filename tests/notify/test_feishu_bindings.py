"""Feishu bindings in the tenants file: ``tikpulse tenants check`` accepts group chat ids with
admins by open_id and says what to fix for a wrong id, a wrong admin or a chat bound twice."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from config.cli import tenants
from config.settings import Settings


def _check(tmp_path, *entries: dict) -> tuple[int, str]:
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": list(entries)}), encoding="utf-8")
    shown = CliRunner().invoke(tenants, ["check", str(path)], obj=Settings())
    return shown.exit_code, shown.output


def _tenant(tid: str, **feishu: object) -> dict:
    return {"id": tid, "name": tid.title(), "chats": {"feishu": [feishu]}}


def test_a_feishu_group_with_admins_checks_out(tmp_path) -> None:
    code, out = _check(tmp_path, _tenant("acme", chat="oc_acmeops0001",
                                         admins=["ou_acmeboss0001"]))
    assert code == 0 and "chats bound: 1" in out


def test_a_wrong_chat_id_or_admin_is_named_with_its_place(tmp_path) -> None:
    code, out = _check(tmp_path, _tenant("acme", chat="acme-ops"))
    assert code != 0 and "chats.feishu" in out and "oc_" in out
    code, out = _check(tmp_path, _tenant("acme", chat="oc_acmeops0001", admins=["zhangsan"]))
    assert code != 0 and "admins" in out and "ou_" in out


def test_a_chat_bound_to_two_tenants_is_refused(tmp_path) -> None:
    code, out = _check(tmp_path, _tenant("acme", chat="oc_sharedchat01"),
                       _tenant("rival", chat="oc_sharedchat01"))
    assert code != 0 and "feishu chat oc_sharedchat01 is already bound to tenant 'acme'" in out
