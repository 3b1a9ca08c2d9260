"""Whether WeasyPrint cuts fonts down with HarfBuzz's subsetter or with fontTools.

Every PDF embeds the glyphs it uses of each font. With ``libharfbuzz-subset0`` (HarfBuzz
4.1 or newer) WeasyPrint subsets in C; without it, it falls back to fontTools, in
Python, and each document costs about ten times the CPU (a label: ~40 ms with it, ~400
ms without, on the project's 2-core machine; README, "Two commands"). Documents still
come out right either way, so this is something to say, not to refuse.
"""

from __future__ import annotations

HINT = (
    "install HarfBuzz's subsetter (Debian and Ubuntu: libharfbuzz-subset0): without it "
    "WeasyPrint subsets fonts with fontTools and each PDF takes about ten times the CPU"
)


def fast_font_subsetting() -> bool | None:
    """True when WeasyPrint subsets fonts with HarfBuzz, False when it falls back to
    fontTools; None when this WeasyPrint does not say (its loader is internal API).
    Imports WeasyPrint: call it where documents are drawn anyway."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset  # type: ignore[import-untyped]
    except (ImportError, OSError):  # no WeasyPrint, or no Pango: documents cannot render
        return None
    if harfbuzz_subset is None:
        return False
    try:
        return bool(harfbuzz.hb_version_atleast(4, 1, 0))
    except AttributeError:
        return None
