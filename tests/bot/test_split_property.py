"""Message splitting never breaks an entity, a tag or a span (property tests over random markup).

Telegram refuses a whole message whose HTML does not parse (the user gets nothing), so every
piece must stand on its own: under the limit, only Telegram's tags, balanced, every ``&`` a whole
entity, and the pieces together show exactly the original text. Slack pieces stay under the
section limit with whole entities and every formatting span closed on its line.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.commands.reply import Table, Text, reply
from bot.slack.render import SECTION_LIMIT, escape, split_mrkdwn, to_blocks
from bot.telegram.render import MESSAGE_LIMIT, _html, split_html, text_messages, units

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

#: Tags Telegram's HTML parse mode accepts.
TELEGRAM_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                           "tg-spoiler", "a", "tg-emoji", "code", "pre", "blockquote"})
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG = re.compile(r"</?[a-z][\w-]*(?:\s[^<>]*)?>")

ELEMENTS = (("<b>", "</b>"), ("<i>", "</i>"), ("<u>", "</u>"), ("<s>", "</s>"),
            ("<code>", "</code>"), ("<pre>", "</pre>"), ("<tg-spoiler>", "</tg-spoiler>"),
            ('<a href="https://example.com/?a=1&amp;b=2">', "</a>"),
            ('<span class="tg-spoiler">', "</span>"), ("<blockquote>", "</blockquote>"))
CHARS = st.sampled_from([*"abyz <>&\"'\n", "中", "文", "é", "😀"])
LEAF = st.one_of(
    st.text(CHARS, max_size=30).map(html.escape),
    st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#123;", "&#x4e2d;"]),
)


def _markup(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return LEAF
    element = st.tuples(st.sampled_from(ELEMENTS), st.lists(_markup(depth - 1), max_size=4))
    return st.one_of(LEAF, element.map(lambda e: e[0][0] + "".join(e[1]) + e[0][1]))


DOCUMENTS = st.lists(_markup(3), min_size=1, max_size=30).map("".join)


class TelegramHtml(HTMLParser):
    """Parses one message: the visible text, and every problem Telegram would refuse."""

    def __init__(self, message: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.parts: list[str] = []
        self.problems += [f"bare & at {m.start()}" for m in re.finditer("&", message)
                          if not _ENTITY.match(message, m.start())]
        self.problems += [f"bare < at {m.start()}" for m in re.finditer("<", message)
                          if not _TAG.match(message, m.start())]
        self.feed(message)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed {self.stack}")

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"tag {tag}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"stray </{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _check_telegram(pieces: list[str], limit: int) -> str:
    """Assert every piece is a valid message; return their visible text joined."""
    seen = []
    for piece in pieces:
        parsed = TelegramHtml(piece)
        assert units(piece) <= limit, (units(piece), piece)
        assert parsed.problems == [], (parsed.problems, piece)
        assert parsed.text.strip(), f"whitespace-only message {piece!r}"
        seen.append(parsed.text)
    return "".join(seen)


@PROPERTY
@given(DOCUMENTS, st.integers(200, 600))
@example("a" * 300 + "&lt;&lt;", 301)  # today's cut fell inside "&lt;"
@example("<b>" + "x" * 400 + "</b>", 200)  # ... and inside an open <b>
def test_telegram_pieces_are_valid_html_and_keep_the_visible_text(document, limit):
    original = TelegramHtml(document).text
    assume(not re.search(rf"\s{{{limit // 4},}}", original))  # such runs may be dropped
    joined = _check_telegram(split_html(document, limit), limit)
    assert original.startswith(joined) and joined.rstrip() == original.rstrip()


def test_telegram_cut_never_falls_inside_an_entity_or_an_open_tag():
    for answer in (reply(Text("a" * 4094 + "<<<")), reply(Text("x" * 5000, "heading")),
                   reply(Text("& " * 3000, "note"))):
        shown = _check_telegram(text_messages(answer), MESSAGE_LIMIT)
        assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", answer.blocks[0].text)


@PROPERTY
@given(st.lists(st.tuples(st.text(CHARS, min_size=1, max_size=12), st.integers(1, 700),
                          st.sampled_from(["plain", "heading", "note", "table"])),
                min_size=1, max_size=4))
def test_telegram_messages_of_long_replies_are_valid(blocks):
    built: list[Text | Table] = []
    for text, times, style in blocks:
        long = (text * times)[:6000]
        if style == "table":
            rows = tuple((long[i:i + 30], "1.00x") for i in range(0, len(long), 30))
            built.append(Table(("name", "value"), rows, title=text))
        else:
            built.append(Text(long, style))  # type: ignore[arg-type]
    answer = reply(*built)
    shown = _check_telegram(text_messages(answer), MESSAGE_LIMIT)
    expected = "".join(TelegramHtml(_html(block)).text for block in built)
    assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", expected)


# Slack: words, some wrapped in *bold*, _italic_, ~strike~ or `code` spans, on several lines.
WORD = st.text(st.sampled_from([*"ab<>&", "中"]), min_size=1, max_size=15)
SPAN = st.tuples(st.sampled_from("*_~`"), st.lists(WORD, min_size=1, max_size=5)).map(
    lambda s: s[0] + " ".join(s[1]) + s[0])
LINE = st.lists(st.one_of(WORD, SPAN), max_size=30).map(" ".join)
MRKDWN = st.lists(LINE, min_size=1, max_size=8).map("\n".join)


@PROPERTY
@given(MRKDWN, st.integers(20, 300))
@example("*" + "b" * 50 + " c*", 30)
@example("a" * 28 + "&amp;b", 30)
def test_slack_pieces_keep_entities_and_spans_whole(text, limit):
    escaped = escape(text)
    pieces = split_mrkdwn(escaped, limit)
    for piece in pieces:
        assert len(piece) <= limit and piece.strip()
        assert all(_ENTITY_SLACK.match(piece, m.start()) for m in re.finditer("&", piece)), piece
        for line in piece.split("\n"):
            for marker in "*_~`":
                assert line.count(marker) % 2 == 0, (marker, line, piece)
    content = re.compile(r"[\s*_~`]")
    assert content.sub("", "".join(pieces)) == content.sub("", escaped)


_ENTITY_SLACK = re.compile(r"&(?:amp|lt|gt);")


def test_slack_long_text_and_tables_stay_under_the_section_limit():
    answer = reply(Text("*" + "x & y " * 900 + "*"), Text("note <a|b> " * 400, "note"),
                   Table(("name", "value"), (("<&>" * 1200, "1"),), title="Big"))
    blocks = to_blocks(answer)
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert len(texts) > 3 and all(0 < len(t) <= SECTION_LIMIT for t in texts)
    assert all(_ENTITY_SLACK.match(t, m.start()) for t in texts for m in re.finditer("&", t))
    tables = [t for t in texts if "```" in t]
    assert len(tables) > 1 and tables[0].startswith("*Big*\n```")  # the title stays on top
