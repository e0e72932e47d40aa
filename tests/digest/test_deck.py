"""The PPTX deck: title, summary, one slide per section, chart and store, charts as pictures,
every line of the digest's text on a slide, the metric definitions in the speaker notes, and
every shape inside the 16:9 slide."""

from __future__ import annotations

import io
import re

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from test_pdf_text import editions  # noqa: F401  (the seeded two-store zh+en digest)

from jobs.digest.chat_format import heading
from jobs.digest.deck import deck_bytes
from jobs.digest.fonts import pdf_safe
from jobs.digest.render import is_summary
from jobs.digest.words import Words, apart


def slides_of(e):  # type: ignore[no-untyped-def]
    data = deck_bytes(e.text, e.zone, e.charts, [(n, imgs) for _, n, imgs in e.stores])
    return Presentation(io.BytesIO(data))


def test_deck_has_the_report_slide_by_slide(editions) -> None:  # noqa: F811
    for e in editions:
        deck, t = slides_of(e), e.text
        titles = [s.shapes.title.text for s in deck.slides]
        parts = [re.fullmatch(r"(.*) \((\d+)/(\d+)\)", x) for x in titles]
        assert all(m is None or m[2] == "1" or titles[i - 1].startswith(m[1])
                   for i, m in enumerate(parts))  # a long section continues on its next slide
        titles = [x if m is None else m[1] for x, m in zip(titles, parts, strict=True)
                  if m is None or m[2] == "1"]
        assert titles[0] == t.title
        assert titles[1] == heading("summary", t.lang)
        charts = [c for c in e.charts if not is_summary(c)]  # its cards are on slide 2
        expected = [heading("changes", t.lang), *(title for title, _ in t.sections),
                    heading("suggestions", t.lang), *(c.title for c in charts),
                    *(name for name, _ in t.stores), heading("quality", t.lang)]
        assert titles[2:] == expected
        pictures = [sum(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in s.shapes)
                    for s in deck.slides]
        assert sum(pictures) == len(charts) + sum(len(imgs) for *_, imgs in e.stores)
        uk = [s.shapes.title.text for s in deck.slides].index("Acme UK")
        assert pictures[uk] == 2


def test_every_line_is_on_a_slide_and_every_shape_inside(editions) -> None:  # noqa: F811
    for e in editions:
        deck, t = slides_of(e), e.text
        text = "\n".join(sh.text_frame.text for s in deck.slides for sh in s.shapes
                         if sh.has_text_frame)
        for line in (*t.summary, *t.changes, *t.suggestions, *t.quality, t.period, t.partial or "",
                     *(c.value for c in t.headline), *(c.change for c in t.headline)):
            assert pdf_safe(line) in text, (t.lang, line)
        for s in deck.slides:
            for sh in s.shapes:
                assert sh.left >= 0 and sh.top >= 0, (t.lang, sh.name)
                assert sh.left + sh.width <= deck.slide_width, (t.lang, sh.name)
                assert sh.top + sh.height <= deck.slide_height, (t.lang, sh.name)
            boxes = [(sh.left, sh.top, sh.left + sh.width, sh.top + sh.height)
                     for sh in s.shapes if sh.has_text_frame and sh.text_frame.text]
            assert all(b[3] - b[1] > 0 for b in boxes), t.lang  # no box left without a height
            for i, a in enumerate(boxes):  # text never drawn over other text
                for b in boxes[i + 1:]:
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (
                        t.lang, s.shapes.title.text if s.shapes.title else "", a, b)


def test_speaker_notes_define_the_metrics(editions) -> None:  # noqa: F811
    for e in editions:
        deck, zh = slides_of(e), e.text.lang == "zh"
        notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else ""
                 for s in deck.slides]
        assert ("总GMV: Σ sub_total" if zh else "Gross GMV: Σ sub_total") in notes[1]
        assert ("真实ROAS:" if zh else "True ROAS:") in notes[1]
        more = [bool(re.search(r" \([2-9]\d*/\d+\)$", s.shapes.title.text)) for s in deck.slides]
        # every slide but the title and quality defines its metrics (a section's continuation
        # slide may name none: its first slide has them)
        assert all(notes[i] or more[i] for i in range(1, len(notes) - 1)), notes


def test_a_value_with_its_reporting_figure_comes_apart_for_the_card() -> None:
    for lang in ("zh", "en"):
        assert apart(Words(lang).beside("THB222,719", "US$6,353")) == ("THB222,719", "US$6,353")
    assert apart("US$84,778") == ("US$84,778", "")
