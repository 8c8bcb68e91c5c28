"""A locally generated, self-signed certificate for an https loopback redirect listener."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from amazon_connector.connections.secretbox import write_private_file


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certfile: Path
    keyfile: Path


def _still_valid(certfile: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=1)


def loopback_certificate(directory: Path) -> TlsFiles:
    """The certificate for localhost, 127.0.0.1 and ::1 in ``directory``, made (key 0600) when missing."""
    files = TlsFiles(directory / "localhost.pem", directory / "localhost-key.pem")
    if files.keyfile.exists() and _still_valid(files.certfile):
        return files
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "amazon-connector localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
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
