"""Identifiers and tokens in Amazon's formats: derived from a seed (the demo world) or random (issued)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digest(seed: int, *parts: str, size: int = 64) -> bytes:
    return hashlib.shake_256("\x1f".join((str(seed), *parts)).encode()).digest(size)


def derived_hex(seed: int, *parts: str, length: int) -> str:
    """``length`` hex digits that depend only on the seed and ``parts``."""
    return _digest(seed, *parts, size=(length + 1) // 2).hex()[:length]


def derived_uuid4(seed: int, *parts: str) -> str:
    """A UUID shaped like a version-4 one, derived from the seed and ``parts``."""
    return str(uuid.UUID(bytes=_digest(seed, *parts, size=16), version=4))


def derived_alnum(seed: int, *parts: str, length: int) -> str:
    """``length`` upper-case letters or digits that depend only on the seed and ``parts``."""
    return "".join(_ALNUM[b % len(_ALNUM)] for b in _digest(seed, *parts, size=length))


def derived_partner_id(seed: int, *parts: str) -> str:
    """A selling partner ID: ``A`` and 13 upper-case letters or digits."""
    return "A" + derived_alnum(seed, *parts, length=13)


def derived_token(prefix: str, seed: int, *parts: str, size: int = 96) -> str:
    """``prefix`` and url-safe characters (4 per 3 bytes), derived from the seed and ``parts``."""
    return prefix + base64.urlsafe_b64encode(_digest(seed, *parts, size=size)).decode().rstrip("=")


def random_token(prefix: str, size: int) -> str:
    """``prefix`` and ``size`` random bytes as url-safe characters."""
    return prefix + secrets.token_urlsafe(size)
