"""Code 128 barcodes (code set B), drawn as SVG, with no dependency.

A Code 128 symbol is a start character, the data characters, a modulo-103 check
character and a stop pattern. Every character but the stop is three bars and three
spaces, 11 modules wide; the stop is four bars and three spaces, 13 modules wide.
Code set B holds printable ASCII (space to ``~``) and DEL: character ``c`` has the
value ``ord(c) - 32``. The check value is the start value plus each data value times
its position (1, 2, ...), modulo 103. A quiet zone of at least 10 modules sits on both
sides (ISO/IEC 15417).
"""

from __future__ import annotations

from collections.abc import Sequence

START_B = 104
STOP = 106
QUIET_ZONE = 10
"""Modules of blank space required on each side of the symbol."""

# Bar and space widths (in modules) of the 107 symbol values, bar first (ISO/IEC 15417).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
)  # fmt: skip


def code128b_values(text: str) -> tuple[int, ...]:
    """The symbol values for ``text``: start B, the data, the check value, stop.

    Raises ``ValueError`` for an empty text or a character outside code set B.
    """
    if not text:
        raise ValueError("a barcode needs at least one character")
    data = []
    for char in text:
        if not " " <= char <= "\x7f":
            raise ValueError(f"{char!r} cannot be encoded in Code 128 set B")
        data.append(ord(char) - 32)
    return (START_B, *data, code128_check_value(START_B, data), STOP)


def code128_check_value(start: int, data: Sequence[int]) -> int:
    """The modulo-103 check value of a start value and the data values."""
    return (start + sum(position * value for position, value in enumerate(data, 1))) % 103


def module_widths(values: Sequence[int]) -> tuple[int, ...]:
    """Alternating bar and space widths, in modules, of a sequence of symbol values."""
    return tuple(int(width) for value in values for width in PATTERNS[value])


def code128_svg(text: str, *, height: int = 50, quiet_zone: int = QUIET_ZONE) -> str:
    """An SVG drawing of ``text`` as Code 128 (set B), one user unit per module.

    The drawing has no size of its own (only a ``viewBox``), so the page decides how
    wide it prints; it stretches without keeping the aspect ratio, which keeps every
    module the same width. The text itself is not part of the drawing. The bars are one
    ``path`` of rectangles (``M x 0 h width v height h -width z`` each), not an element
    per bar: drawing ~30 elements was a tenth of a label's rendering time.
    """
    widths = module_widths(code128b_values(text))
    bars = []
    x = quiet_zone
    for index, width in enumerate(widths):
        if index % 2 == 0:
            bars.append(f"M{x} 0h{width}v{height}h-{width}z")
        x += width
    total = x + quiet_zone
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {total} {height}"'
        ' preserveAspectRatio="none" shape-rendering="crispEdges">'
        f'<rect x="0" y="0" width="{total}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(bars)}"/></svg>'
    )
