"""SIP digest credentials (RFC 2617 / RFC 3261 §22): what the registrar stores instead of a
password (R-V2)."""

from __future__ import annotations

import hashlib
import secrets
import string

# R-V2: at least 20 characters; letters and digits only, so a person can type it into a
# phone's settings without guessing at look-alike punctuation.
PASSWORD_LENGTH = 24
PASSWORD_ALPHABET = string.ascii_letters + string.digits
SIP_USERNAME_PREFIX = "cx"


def md5_hex(text: str) -> str:
    # MD5 is what SIP digest authentication is defined with (RFC 2617), not a choice of ours.
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1(username: str, realm: str, password: str) -> str:
    """HA1 = MD5(username:realm:password)."""
    return md5_hex(f"{username}:{realm}:{password}")


def ha1b(username: str, domain: str, realm: str, password: str) -> str:
    """Kamailio's HA1B: the same for a digest username sent as `username@domain`."""
    return md5_hex(f"{username}@{domain}:{realm}:{password}")


def generate_sip_password() -> str:
    """A fresh device password from `secrets` (R-V2), shown once and never stored."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def generate_sip_username() -> str:
    """A SIP username that says nothing about its user and never looks like an extension."""
    return SIP_USERNAME_PREFIX + secrets.token_hex(6)
