import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.documents.barcode import (
    PATTERNS,
    QUIET_ZONE,
    START_B,
    STOP,
    code128_check_value,
    code128_svg,
    code128b_values,
    module_widths,
)

SVG = "{http://www.w3.org/2000/svg}"
printable_ascii = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1)


BAR = re.compile(r"M(\d+) 0h(\d+)v(\d+)h-(\d+)z")


def bars_of(svg: str) -> tuple[int, list[tuple[int, int]]]:
    """The drawing's width and its black bars as (x, width), in modules: the one path's
    rectangles, each checked to span the drawing's full height and to close on itself."""
    root = ET.fromstring(svg)
    _, _, total, height = (int(n) for n in root.attrib["viewBox"].split())
    (path,) = root.iter(f"{SVG}path")
    drawn = BAR.findall(path.attrib["d"])
    assert "".join(f"M{x} 0h{w}v{h}h-{back}z" for x, w, h, back in drawn) == path.attrib["d"]
    assert all(int(h) == height and w == back for _, w, h, back in drawn)
    return total, [(int(x), int(w)) for x, w, _, _ in drawn]


def decode(widths: tuple[int, ...]) -> str:
    """Read code set B text back from bar and space widths (the test's own decoder)."""
    by_pattern = {pattern: value for value, pattern in enumerate(PATTERNS)}
    text = "".join(map(str, widths))
    values = [by_pattern[text[i : i + 6]] for i in range(0, len(text) - 7, 6)]
    assert text[-7:] == PATTERNS[STOP]
    start, *data, check = values
    assert start == START_B
    assert check == code128_check_value(start, data)
    return "".join(chr(v + 32) for v in data)


def test_every_symbol_is_eleven_modules_of_three_bars_and_three_spaces_and_stop_is_thirteen():
    # given
    symbols, stop = PATTERNS[:STOP], PATTERNS[STOP]
    # then
    assert len(PATTERNS) == 107
    assert len(set(PATTERNS)) == 107
    for pattern in symbols:
        widths = [int(w) for w in pattern]
        assert len(widths) == 6
        assert sum(widths) == 11
        assert sum(widths[0::2]) % 2 == 0  # bars: even parity (ISO/IEC 15417)
        assert sum(widths[1::2]) % 2 == 1
    assert stop == "2331112"
    assert sum(int(w) for w in stop) == 13


def test_start_b_and_stop_have_their_published_patterns():
    # then
    assert PATTERNS[START_B] == "211214"
    assert PATTERNS[0] == "212222"  # space
    assert module_widths([STOP]) == (2, 3, 3, 1, 1, 1, 2)


def test_check_value_of_a_known_string_matches_the_published_example():
    # given: "Kingcean" in code set B is 68 2b 49 4e 47 43 45 41 4e | 40 | 6a (hex)
    text = "Kingcean"
    # when
    values = code128b_values(text)
    # then
    assert values == (104, 43, 73, 78, 71, 67, 69, 65, 78, 64, 106)


def test_check_value_weights_each_data_value_by_its_position():
    # given: start 104, then "AB" = 33, 34
    # when
    check = code128_check_value(START_B, [33, 34])
    # then
    assert check == (104 + 1 * 33 + 2 * 34) % 103


def test_svg_has_quiet_zones_and_eleven_modules_per_symbol_plus_the_stop():
    # given
    text = "OWN-0J5K8ZQ3X4Y5Z6A7B8P"
    # when
    total, bars = bars_of(code128_svg(text))
    # then
    symbol_modules = 11 * (len(text) + 2) + 13
    assert total == symbol_modules + 2 * QUIET_ZONE
    assert bars[0][0] == QUIET_ZONE
    assert bars[-1][0] + bars[-1][1] == total - QUIET_ZONE
    assert len(bars) == 3 * (len(text) + 2) + 4


@given(printable_ascii)
def test_any_printable_ascii_text_reads_back_from_its_bars(text):
    # when
    widths = module_widths(code128b_values(text))
    # then
    assert decode(widths) == text


@given(printable_ascii)
def test_svg_bars_are_the_encoded_bar_widths_in_order(text):
    # when
    _, bars = bars_of(code128_svg(text))
    # then
    assert tuple(width for _, width in bars) == module_widths(code128b_values(text))[0::2]


@pytest.mark.parametrize("text", ["", "Zoë", "東京", "line\nbreak", "\x00"])
def test_text_outside_code_set_b_is_refused(text):
    with pytest.raises(ValueError, match=r"barcode|Code 128"):
        code128b_values(text)
