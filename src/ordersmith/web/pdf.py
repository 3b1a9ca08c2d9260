"""A printed document as an HTTP answer: the API and the back office serve the same PDFs."""

from __future__ import annotations

from fastapi.responses import Response


def pdf_response(content: bytes, name: str) -> Response:
    """``content`` (PDF bytes) shown in the browser, saved as ``<name>.pdf``."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
