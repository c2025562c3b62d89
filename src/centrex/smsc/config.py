"""The SMSC accounts of the running settings. Parsing `CENTREX_SMSC_URL` is
`centrex.config.smsc`'s (no Django there, so `settings.py` can check the value at start)."""

from __future__ import annotations

from django.conf import settings

from centrex.config.smsc import DEFAULT_PORT, SmscAccount, parse_smsc_url


def smsc_accounts() -> tuple[SmscAccount, ...]:
    """The accounts of the running settings (`CENTREX_SMSC_URL`, `CENTREX_BUILTIN_SMSC_PORT`)."""
    return parse_smsc_url(
        settings.CENTREX_SMSC_URL,
        builtin_port=int(getattr(settings, "CENTREX_BUILTIN_SMSC_PORT", DEFAULT_PORT)),
    )
