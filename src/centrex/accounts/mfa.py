"""The mechanics of two-step verification (R-Z1, R-Z2): TOTP codes (RFC 6238 — 6 digits, 30 s
steps, one step of tolerance — with pyotp, a small, maintained library that does the HOTP
maths and the `otpauth://` URI the authenticator apps scan), each accepted once; secrets
encrypted at rest; recovery codes hashed. The rules and the writes are in
`accounts.actions` (start, confirm, turn off, reset, check at sign-in).

**Secrets at rest.** A TOTP secret must be readable by the portal (it computes the expected
code), so it cannot be hashed: it is encrypted with AES-GCM (the `cryptography` package) under
a key derived from SECRET_KEY with HKDF, so a database dump alone does not give it away. The
price: rotating SECRET_KEY makes every secret unreadable, and everyone must set two-step
verification up again (an admin or an operator resets it, R-Z3). SECRET_KEY lives in the data
directory or the environment, never in the database.

**Recovery codes** are random (10 characters of base32: 50 bits), so a keyed hash (HMAC-SHA256
under a key derived from SECRET_KEY) is enough and lets a sign-in check ten of them at once; a
slow password hash would cost ten Argon2 runs per attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

DIGITS = 6
STEP_SECONDS = 30
TOLERANCE_STEPS = 1  # R-Z1: one step of tolerance either side (clock drift of the phone)
RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 10
ISSUER = "Centrex Portal"
_SECRET_FORMAT = "v1:"


def _key(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"centrex-portal", info=purpose).derive(
        settings.SECRET_KEY.encode()
    )


def new_secret() -> str:
    """A fresh TOTP secret (base32, 160 bits as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def seal(secret: str) -> str:
    """The secret encrypted for the database: `v1:` + base64(nonce + ciphertext + tag)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key(b"totp-secret")).encrypt(nonce, secret.encode(), b"totp")
    return _SECRET_FORMAT + base64.b64encode(nonce + sealed).decode()


class SecretUnreadable(Exception):
    """The stored secret was sealed under another SECRET_KEY (or altered)."""


def unseal(stored: str) -> str:
    if not stored.startswith(_SECRET_FORMAT):
        raise SecretUnreadable("unknown format")
    raw = base64.b64decode(stored[len(_SECRET_FORMAT) :])
    try:
        return AESGCM(_key(b"totp-secret")).decrypt(raw[:12], raw[12:], b"totp").decode()
    except InvalidTag:
        raise SecretUnreadable("sealed under another SECRET_KEY") from None


def provisioning_uri(secret: str, account: str) -> str:
    """`otpauth://totp/Centrex Portal:<e-mail>?secret=…&issuer=Centrex Portal`, the QR code's
    content for an authenticator app."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def current_step(at: float) -> int:
    return int(at // STEP_SECONDS)


def matching_step(secret: str, code: str, *, at: float, after: int) -> int | None:
    """The time step whose code `code` is, within the tolerance and later than `after` (the
    step last accepted: R-Z1, a code works once), else None."""
    candidate = "".join(code.split())
    if len(candidate) != DIGITS or not candidate.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = current_step(at)
    for step in range(now - TOLERANCE_STEPS, now + TOLERANCE_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), candidate):
            return step
    return None


@dataclass(frozen=True)
class RecoveryCodeSet:
    """Ten codes to show once (`shown`, grouped for reading: `ABCDE-FGHIJ`) and their hashes."""

    shown: list[str]
    hashes: list[str]


def new_recovery_codes() -> RecoveryCodeSet:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
    codes = [
        "".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    shown = [f"{code[:5]}-{code[5:]}" for code in codes]
    return RecoveryCodeSet(shown=shown, hashes=[recovery_code_hash(code) for code in codes])


def recovery_code_hash(code: str) -> str:
    """The keyed hash a recovery code is stored and looked up by (spaces, dashes and case as
    typed do not matter)."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(_key(b"recovery-code"), normalized.encode(), hashlib.sha256).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len("".join(ch for ch in code if ch.isalnum())) == RECOVERY_CODE_LENGTH
