"""Waiting for HTMX in browser tests: a step made while a part of the page is being
requested, swapped or settled can be undone by the swap (a field filled, then replaced)."""

from __future__ import annotations

from typing import Any


def wait_for_focus(page: Any, element_id: str) -> None:
    page.wait_for_function(f"document.activeElement?.id === '{element_id}'")


def wait_for_htmx(page: Any) -> None:
    """Until no htmx request is in flight and the last swap has settled (a click made
    while the form is being swapped would be undone by the settle)."""
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def wait_for_lines(page: Any, *skus: str) -> None:
    """Until the sales form shows a line of each SKU."""
    selector = " && ".join(f"document.querySelector('tr[data-sku=\"{s}\"]')" for s in skus)
    page.wait_for_function(selector)
