"""Locally generated, self-signed certificates: the https loopback redirect listener's, and the page's
when it is served to other machines."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from amazon_connector.private_files import write_private_file

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certfile: Path
    keyfile: Path


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        return x509.DNSName(name)


def _still_usable(certfile: Path, names: Sequence[str]) -> bool:
    """Valid for at least another day, for every one of ``names``."""
    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=1) and all(
        _general_name(name) in covered for name in names
    )


def self_signed_certificate(directory: Path, stem: str, names: Sequence[str]) -> TlsFiles:
    """A certificate for ``names`` (host names and IP addresses) in ``directory`` as ``stem``.pem and
    ``stem``-key.pem, both 0600; made anew when missing, expiring or not covering every name."""
    files = TlsFiles(directory / f"{stem}.pem", directory / f"{stem}-key.pem")
    if files.keyfile.exists() and _still_usable(files.certfile, names):
        return files
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"amazon-connector {names[0]}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName([_general_name(name) for name in dict.fromkeys(names)]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    for path in (files.keyfile, files.certfile):
        path.unlink(missing_ok=True)
    write_private_file(
        files.keyfile,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    write_private_file(files.certfile, cert.public_bytes(serialization.Encoding.PEM))
    return files


def loopback_certificate(directory: Path) -> TlsFiles:
    """The certificate for localhost, 127.0.0.1 and ::1 in ``directory``, made (key 0600) when missing."""
    return self_signed_certificate(directory, "localhost", LOOPBACK_NAMES)


def fingerprint(certfile: Path) -> str:
    """The SHA-256 fingerprint of the (first) certificate in a PEM file, as browsers show it (AB:CD:…)."""
    cert = x509.load_pem_x509_certificate(certfile.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()
