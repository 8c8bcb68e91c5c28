"""Secrets at rest: AES-256-GCM with a key from the environment or a 0600 key file."""

from __future__ import annotations

import base64
import binascii
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amazon_connector.errors import SecretKeyError, StoreWarning
from amazon_connector.locations import KEY_ENV, KEY_FILE_ENV
from amazon_connector.private_files import write_whole_private_file

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


def warn_if_exposed(path: Path, what: str) -> None:
    """Warn (StoreWarning) when ``path`` is open to other users: group or others have any access."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        private = "700" if path.is_dir() else "600"
        warnings.warn(
            f"The {what} {path} is readable by other users (mode {mode:04o}); run: chmod {private} {path}",
            StoreWarning,
            stacklevel=2,
        )


def new_key_file(path: Path) -> None:
    """Write a new random key to ``path`` (0600); never replaces a file, never makes directories."""
    if not path.parent.is_dir():
        raise SecretKeyError(
            f"Cannot write the key file {path}: the directory {path.parent} does not exist.",
            hint="Check the path, or create the directory first.",
        )
    try:
        write_whole_private_file(path, generate_key().encode())
    except FileExistsError:
        raise SecretKeyError(
            f"{path} exists already; it is not replaced.",
            hint="A new key cannot read secrets stored with another one; choose another file name.",
        ) from None
    except OSError as exc:
        raise SecretKeyError(f"Cannot write the key file {path}: {exc.strerror}.") from None


def load_key(home: Path, *, key_file: Path | None = None, store_is_new: Callable[[], bool]) -> bytes:
    """The key from $AMAZON_CONNECTOR_KEY, else the key file: ``key_file`` or $AMAZON_CONNECTOR_KEY_FILE
    (which must exist), else ``home``/secret.key.

    Only the data directory's key file is ever created, 0600, with a new random key, and only for a
    store that does not exist yet (``store_is_new``): any other missing key is an error, since a new
    key could not read what the store holds.
    """
    if env := os.environ.get(KEY_ENV):
        return _decode_key(env, f"${KEY_ENV}")
    configured = key_file or os.environ.get(KEY_FILE_ENV)
    path = Path(configured) if configured else home / "secret.key"
    if configured and not path.is_file():
        raise SecretKeyError(
            f"The key file {path} (from --key-file or ${KEY_FILE_ENV}) does not exist.",
            hint=f"Check the path. To make a new key there: amazon-connector key generate --output {path} "
            "(a new key cannot read secrets stored with another one).",
        )
    if not configured and not path.exists():
        if not store_is_new():
            raise SecretKeyError(
                f"The key file {path} is missing, but the store exists: its secrets need that key.",
                hint=f"Restore {path} from your backup, or give the key with ${KEY_ENV} or ${KEY_FILE_ENV}.",
            )
        try:
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_whole_private_file(path, generate_key().encode())
        except FileExistsError:
            pass  # another process made it at the same moment
        except OSError as exc:
            raise SecretKeyError(f"Cannot create the key file {path}: {exc.strerror}.") from None
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"Cannot read the key file {path}: {exc}.") from None
    warn_if_exposed(path, "key file")
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
