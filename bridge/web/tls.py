"""HTTPS for `pianogenie web --https`: a phone opens the page by the machine's LAN address, and only a secure
context gets AudioWorklet (the SoundFont piano) and the fine clock. The user's own --cert/--key, else a
self-signed certificate made on first use and kept, so the phone's one-time exception stays valid."""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
from pathlib import Path

CERT_NAME, KEY_NAME = "cert.pem", "key.pem"
# Browsers refuse certificates valid for more than about 13 months; a new one is made when this one runs out.
VALID_DAYS = 397
RENEW_BEFORE = datetime.timedelta(days=7)


class TLSError(RuntimeError):
    """The certificate cannot be made or loaded; the message names the file."""


def tls_dir() -> Path:
    """Where the self-signed certificate is kept: $XDG_CONFIG_HOME/pianogenie/web-tls (a setting, not a cache:
    deleting it makes every phone accept the certificate again)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pianogenie" / "web-tls"


def server_context(cert: Path | None = None, key: Path | None = None, names: list[str] | None = None,
                   folder: Path | None = None) -> tuple[ssl.SSLContext, Path, bool]:
    """(server context, certificate file, made now). With cert (and key, else the key in the cert file) those
    files; else the kept self-signed one for these host names and addresses, made or renewed as needed."""
    made = False
    if cert is None:
        if key is not None:
            raise TLSError("--key needs --cert")
        cert, key, made = self_signed(folder or tls_dir(), names or [])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert), str(key) if key else None)
    except (OSError, ssl.SSLError) as exc:
        what = f"{cert}" + (f" with {key}" if key else "")
        raise TLSError(f"cannot load the certificate {what}: {getattr(exc, 'strerror', None) or exc}") from None
    return context, Path(cert), made


def self_signed(folder: Path, names: list[str]) -> tuple[Path, Path, bool]:
    """The kept certificate and key in folder, made when missing, expiring or not covering every name."""
    cert, key = folder / CERT_NAME, folder / KEY_NAME
    wanted = _subject_names(names)
    if cert.is_file() and key.is_file() and _still_good(cert, wanted):
        return cert, key, False
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise TLSError("--https without --cert needs cryptography to make a certificate: "
                       "pip install 'pianogenie-bridge[web]' (or pass --cert/--key)") from None
    private = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Piano Genie on {socket.gethostname()}")])
    now = datetime.datetime.now(datetime.timezone.utc)
    alternatives = [x509.IPAddress(ipaddress.ip_address(n)) if _is_ip(n) else x509.DNSName(n) for n in wanted]
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
                   .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(private, hashes.SHA256()))
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(key, private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        tmp = cert.with_suffix(".tmp")
        tmp.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp, cert)
    except OSError as exc:
        raise TLSError(f"cannot write the certificate into {folder}: {exc.strerror or exc}") from None
    return cert, key, True


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _subject_names(names: list[str]) -> list[str]:
    host = socket.gethostname().lower()
    ordered = ["localhost", "127.0.0.1", host, f"{host.split('.')[0]}.local", *names]
    return [n for i, n in enumerate(ordered) if n and n not in ("0.0.0.0", "::") and n not in ordered[:i]]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def _still_good(cert: Path, wanted: list[str]) -> bool:
    try:
        from cryptography import x509
    except ImportError:
        return True  # cannot check, and cannot make a new one either: use the kept one
    try:
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
        alternatives = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    have = {str(n) for n in alternatives.get_values_for_type(x509.DNSName)}
    have |= {str(n) for n in alternatives.get_values_for_type(x509.IPAddress)}
    expires = certificate.not_valid_after_utc
    return set(wanted) <= have and expires - datetime.datetime.now(datetime.timezone.utc) > RENEW_BEFORE
