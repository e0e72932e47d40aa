"""Replies rendered for each platform stay inside the platform's limits."""

from bot.commands.reply import Table, Text, as_text, display_width, reply, table_lines
from bot.slack.render import BLOCK_LIMIT, SECTION_LIMIT, escape, fallback_text, to_blocks


def test_cjk_tables_align_by_display_width():
    lines = table_lines(Table(("指标", "本期"), (("平台ROAS", "3.00x"), ("GMV", "1,400.00 USD"))))
    widths = {display_width(line) for line in (lines[0], lines[2], lines[3])}
    assert len(widths) == 1  # every row as wide as the header, counting CJK as two columns


def test_slack_blocks_respect_section_and_block_limits():
    rows = tuple((f"row {i}", f"{i:,} USD") for i in range(2000))
    blocks = to_blocks(reply(Text("Big", "heading"), Table(("name", "value"), rows)))
    assert len(blocks) <= BLOCK_LIMIT
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b["type"] == "section")
    assert blocks[0]["type"] == "header"


def test_slack_text_is_escaped_and_has_a_fallback():
    answer = reply(Text("A <b> & c", "heading"), Text("x < y"))
    assert escape("a<b>&") == "a&lt;b&gt;&amp;"
    assert fallback_text(answer) == "A &lt;b&gt; &amp; c"
    assert "x &lt; y" in str(to_blocks(answer))
    assert as_text(answer) == "A <b> & c\n\nx < y"
