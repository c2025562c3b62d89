"""QR codes the pages show (a Communicator device's SIP account, an authenticator app's
secret): drawn with segno as inline SVG, no file and no script (the CSP allows it)."""

from __future__ import annotations

import segno


def qr_svg(content: str, *, title: str) -> str:
    """`content` as an inline `<svg>` element (no XML declaration), black on white."""
    code = segno.make(content, error="m", micro=False)
    return str(code.svg_inline(scale=4, border=2, dark="#000", light="#fff", title=title))
