"""Answers about the bot and the numbers themselves: ``help``, ``define <metric>``, and the reply
to a question that could not be read (what was understood, the closest commands, an example)."""

from __future__ import annotations

from analytics.catalog import METRICS, UnknownMetric, find_metric, get_metric
from bot.commands.context import BotContext
from bot.commands.middleware import Turn
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import store_label
from bot.commands.texts import command_name, help_lines, say
from bot.commands.vocab import COMMANDS_BY_ID


def help_(turn: Turn, ctx: BotContext) -> Reply:
    """Every command with an example, and the stores this channel can ask about."""
    assert turn.tenant is not None
    zh = turn.lang == "zh"
    head = f"TikPulse · {turn.tenant.name}"
    stores = ", ".join(f"{store_label(s)} ({s.region})" for s in turn.tenant.stores) or "-"
    periods = say("help_periods", turn.lang)
    where = f"{'店铺' if zh else 'Stores'}: {stores}"
    return reply(Text(head, "heading"), "\n".join(help_lines(turn.lang, turn.is_admin)),
                 say("help_natural", turn.lang), Text(f"{where}\n{periods}", "note"),
                 kind="help")


def unclear(turn: Turn, ctx: BotContext) -> Reply:
    """What was understood, the closest commands and an example of the first of them."""
    parsed = turn.parsed
    assert parsed is not None
    lang = turn.lang
    names = [f"`{command_name(c, lang)}`" for c in parsed.candidates]
    first = COMMANDS_BY_ID[parsed.candidates[0] if parsed.candidates else "help"]
    example = first.example_zh if lang == "zh" and first.example_zh else first.example
    if len(parsed.candidates) > 1 and _several_commands(parsed.text, parsed.candidates):
        return reply(say("ambiguous", lang, closest=", ".join(names), example=example),
                     kind="unclear")
    understood = []
    if parsed.period:
        understood.append(("时间 " if lang == "zh" else "period ") + parsed.period.said)
    if parsed.handle:
        understood.append(f"@{parsed.handle}")
    lead = ""
    if understood:
        lead = ("我看懂了：" if lang == "zh" else "I understood: ") + ", ".join(understood) + ". "
    return reply(say("unclear", lang, understood=lead, closest=", ".join(names), example=example),
                 kind="unclear")


def _several_commands(text: str, candidates: tuple[str, ...]) -> bool:
    lowered = text.casefold()
    return all(any(p in lowered for p in COMMANDS_BY_ID[c].phrases) for c in candidates)


def define(turn: Turn, ctx: BotContext) -> Reply:
    """A metric's definition from the catalog (the team's single source of definitions)."""
    parsed = turn.parsed
    assert parsed is not None
    zh = turn.lang == "zh"
    if parsed.metric is None:
        said = parsed.metric_said or ""
        try:
            metric = find_metric(said) if said else None
        except UnknownMetric as exc:
            near = ", ".join(exc.suggestions) or ", ".join(m.id for m in METRICS[:6])
            text = (f"没有叫\u201c{said}\u201d的指标。相近：{near}。例如：`define roas_true`" if zh
                    else f"No metric called \u201c{said}\u201d. Close: {near}. "
                    "Example: `define roas_true`")
            return reply(text, kind="unclear")
        if metric is None:
            rows = tuple((m.id, m.zh if zh else m.en) for m in METRICS)
            return reply(Table(("id", "名称" if zh else "name"), rows),
                         "例如：`define 投产比`" if zh else "Example: `define roas_true`")
    else:
        metric = get_metric(parsed.metric)
    name = f"{metric.zh} / {metric.en}" if zh else f"{metric.en} ({metric.zh})"
    lines = [f"{'公式' if zh else 'Formula'}: {metric.formula}"]
    if metric.caveat:
        lines.append(f"{'注意' if zh else 'Caveat'}: {metric.caveat}")
    lines.append(f"{'数据来源' if zh else 'Sources'}: {', '.join(metric.sources)}"
                 f" · id `{metric.id}`")
    return reply(Text(name, "heading"), "\n".join(lines))
