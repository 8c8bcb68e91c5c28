"""Secrets at rest: AES-256-GCM with a key from the environment or a 0600 key file."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amazon_connector.errors import SecretKeyError

KEY_ENV = "AMAZON_CONNECTOR_KEY"
KEY_FILE_ENV = "AMAZON_CONNECTOR_KEY_FILE"
_PREFIX = "v1:"


def generate_key() -> str:
    """A new random key, as url-safe base64 text."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SecretKeyError(
            f"The encryption key from {source} is not valid.",
            hint="It must be 32 random bytes in url-safe base64 (44 characters); "
            "make one with `amazon-connector key generate`.",
        )
    return key


def write_private_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 (never readable by others, not even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def load_key(home: Path) -> bytes:
    """The key from $AMAZON_CONNECTOR_KEY, else the key file ($AMAZON_CONNECTOR_KEY_FILE or home/secret.key).

    A missing key file is created, 0600, with a new random key.
    """
    if env := os.environ.get(KEY_ENV):
        return _decode_key(env, f"${KEY_ENV}")
    path = Path(os.environ.get(KEY_FILE_ENV) or home / "secret.key")
    try:
        write_private_file(path, generate_key().encode())
    except FileExistsError:
        pass
    except OSError as exc:
        raise SecretKeyError(f"Cannot create the key file {path}: {exc.strerror}.") from None
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"Cannot read the key file {path}: {exc}.") from None
    return _decode_key(text, str(path))


class SecretBox:
    """Encrypts and decrypts short secrets; ``purpose`` binds a ciphertext to the field it belongs to."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), purpose.encode())
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, purpose: str) -> str:
        if not token.startswith(_PREFIX):
            raise SecretKeyError("A stored secret is in an unknown format.")
        try:
            raw = base64.urlsafe_b64decode(token[len(_PREFIX) :].encode())
            return self._aead.decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretKeyError(
                "Stored secrets cannot be decrypted with this key.",
                hint=f"Use the key the store was created with (${KEY_ENV} or the key file).",
            ) from None
