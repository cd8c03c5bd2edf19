"""Where to write names on a server-drawn map so that they stay legible on a phone and do not run
over each other or the markers. Pure: SVG units in, label positions out.

A 1000-unit-wide map shows about 340 px wide on a 390 px phone, so a label of ``LABEL_FONT`` units
reads at about 10 px. Labels are placed greedily in the order given (most important first): each
tries right, left, above and below its point, and takes the first spot that stays inside the map
and overlaps no marker and no label placed before it; a point with no free spot gets no label (its
name is still in the marker's tooltip and in the map's text alternative).
"""
from dataclasses import dataclass

LABEL_FONT = 30
GAP = 6          # between a marker and its label, SVG units
HALO = 4         # free space kept around each label


@dataclass(frozen=True)
class Label:
    """A name as drawn: its baseline anchor point and how the text hangs from it."""

    x: float
    y: float
    text: str
    anchor: str = "start"   # SVG text-anchor: "start", "end" or "middle"


def text_width(text, font=LABEL_FONT):
    """The drawn width of ``text`` in SVG units, estimated: CJK characters are about one em wide,
    Latin ones about 0.6 em."""
    return sum(font if ord(ch) >= 0x2E80 else 0.6 * font for ch in text)


def marker_box(x, y, radius):
    """The box ``(x0, y0, x1, y1)`` a round marker of ``radius`` at ``(x, y)`` covers."""
    return (x - radius, y - radius, x + radius, y + radius)


def _overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _candidates(x, y, radius, width, font):
    """Label boxes and anchors around a point: right, left, above, below."""
    ascent, descent = 0.8 * font, 0.25 * font
    base = y + 0.3 * font  # a baseline that centres the text on the point
    off = radius + GAP
    yield (x + off, base - ascent, x + off + width, base + descent), Label(x + off, base, "", "start")
    yield (x - off - width, base - ascent, x - off, base + descent), Label(x - off, base, "", "end")
    top = y - off - descent
    yield (x - width / 2, top - ascent, x + width / 2, top + descent), Label(x, top, "", "middle")
    low = y + off + ascent
    yield (x - width / 2, low - ascent, x + width / 2, low + descent), Label(x, low, "", "middle")


def place_labels(points, taken, map_width, map_height, font=LABEL_FONT):
    """Labels for ``points`` ``[(x, y, radius, text), ...]`` (most important first), avoiding the boxes
    in ``taken`` (markers, the scale bar), which grows with each label placed. Returns one ``Label``
    or None per point, in the same order."""
    placed = []
    for x, y, radius, text in points:
        text = " ".join((text or "").split())
        if not text:
            placed.append(None)
            continue
        width = text_width(text, font)
        choice = None
        for box, label in _candidates(x, y, radius, width, font):
            padded = (box[0] - HALO, box[1] - HALO, box[2] + HALO, box[3] + HALO)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= map_width and box[3] <= map_height
            if inside and not any(_overlaps(padded, other) for other in taken):
                taken.append(box)
                choice = Label(round(label.x, 1), round(label.y, 1), text, label.anchor)
                break
        placed.append(choice)
    return placed
