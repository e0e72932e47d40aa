"""Fixed sentences the bot says, in English and Chinese, each saying what to do next."""

from __future__ import annotations

from bot.commands.vocab import COMMANDS, COMMANDS_BY_ID

TEXTS: dict[str, dict[str, str]] = {
    "setup_slack": {
        "en": "This channel ({channel}) is not connected to TikPulse yet, so I can't show any "
              "numbers here. An admin adds it to the tenants file under the tenant's "
              "`chats: slack:` as `- channel: {channel}` (channel id, not name), then asks "
              "`help` again.",
        "zh": "此频道（{channel}）尚未绑定 TikPulse，因此不显示任何数据。"
              "请管理员在租户配置文件对应租户的 "
              "`chats: slack:` 下添加 `- channel: {channel}`（填频道 ID），然后再发送 `help`。",
    },
    "setup_telegram": {
        "en": "This chat ({channel}) is not connected to TikPulse yet. An admin adds it to the "
              "tenants file under `chats: telegram:` as `- chat: {channel}`.",
        "zh": "此群（{channel}）尚未绑定 TikPulse。"
              "请管理员在租户配置文件的 `chats: telegram:` 下添加 "
              "`- chat: {channel}`。",
    },
    "setup_feishu": {
        "en": "This chat ({channel}) is not connected to TikPulse yet, so I can't show any "
              "numbers here. An admin adds it to the tenants file under the tenant's chats:\n"
              "```\nchats:\n  feishu:\n    - chat: {channel}\n      admins: [ou_...]\n```\n"
              "then @mentions me with `help` again.",
        "zh": "此群（{channel}）尚未绑定 TikPulse，因此不显示任何数据。"
              "请管理员在租户配置文件对应租户的 chats 下添加：\n"
              "```\nchats:\n  feishu:\n    - chat: {channel}\n      admins: [ou_...]\n```\n"
              "然后再 @我 发送 `help`。",
    },
    "dm_refused": {
        "en": "I only answer in your team's channel, where everyone sees the same numbers. Ask "
              "there, or have an admin bind this direct chat ({channel}) in the tenants file.",
        "zh": "请在团队频道里提问（大家看到同一份数据）。"
              "如需私聊使用，请管理员在租户配置文件中绑定此私聊（{channel}）。",
    },
    "no_tenant_terminal": {
        "en": "Name the tenant with --tenant; known tenants: {tenants}.",
        "zh": "请用 --tenant 指定租户；已有租户：{tenants}。",
    },
    "rate_limited": {
        "en": "You've asked {count} questions in the last minute (limit {limit}). "
              "Try again in {wait} s.",
        "zh": "您在一分钟内提问了 {count} 次（上限 {limit}）。请 {wait} 秒后再试。",
    },
    "admin_only": {
        "en": "`{command}` changes settings, so only admins of this channel can run it. "
              "Ask an admin, or have your user id ({user}) added to `admins` in the tenants file.",
        "zh": "`{command}` 会修改设置，仅本频道管理员可用。"
              "请联系管理员，或将您的用户 ID（{user}）加入租户配置的 "
              "`admins`。",
    },
    "unclear": {
        "en": "I didn't quite get that. {understood}Closest commands: {closest}. "
              "For example: `{example}`. Send `help` for the full list.",
        "zh": "没太看懂。{understood}最接近的命令：{closest}。"
              "例如：`{example}`。发送 `帮助` 查看全部命令。",
    },
    "ambiguous": {
        "en": "That asks for several things ({closest}); ask one at a time, e.g. `{example}`.",
        "zh": "一次问了多个问题（{closest}），请一次问一个，例如：`{example}`。",
    },
    "unknown_store": {
        "en": "I don't know a store called \u201c{said}\u201d here. Stores this channel can see:\n"
              "{stores}\nName one by its name, id or region, e.g. `{example}`.",
        "zh": "这里没有名为\u201c{said}\u201d的店铺。本频道可查看的店铺：\n{stores}\n"
              "可用店铺名、ID 或地区指定，例如：`{example}`。",
    },
    "several_stores": {
        "en": "\u201c{said}\u201d matches several stores:\n{stores}\n"
              "Name one exactly, or say `all`.",
        "zh": "\u201c{said}\u201d匹配到多个店铺：\n{stores}\n请写全店铺名，或用 `全部`。",
    },
    "bad_period": {
        "en": "I can't use that period: {problem}. Periods I understand: this week, last week, "
              "2026-W47, last 7 days, 11-01..11-15.",
        "zh": "无法识别时间范围：{problem}。可用：本周、上周、2026-W47、最近7天、11-01..11-15。",
    },
    "internal_error": {
        "en": "Something went wrong while answering (reference {ref}). It has been logged; "
              "please try again in a minute.",
        "zh": "回答时出错（编号 {ref}），已记录。请稍后再试。",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (English if missing) with ``values`` filled in."""
    options = TEXTS[key]
    return options.get(lang, options["en"]).format(**values)


def command_name(command_id: str, lang: str) -> str:
    """How a command is written in ``lang`` (its first phrase in that language)."""
    word = COMMANDS_BY_ID[command_id]
    if lang == "zh":
        zh = [p for p in word.phrases if not p.isascii()]
        if zh:
            return zh[0]
    return word.phrases[0]


def help_lines(lang: str, admin: bool) -> list[str]:
    """One line per command: an example and what it answers."""
    lines = []
    for cmd in COMMANDS:
        if cmd.admin and not admin:
            continue
        summary = cmd.summary_zh if lang == "zh" else cmd.summary_en
        example = cmd.example_zh if lang == "zh" and cmd.example_zh else cmd.example
        lines.append(f"`{example}` — {summary}")
    return lines
