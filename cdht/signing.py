"""Ed25519 signatures of what the Sở issues: ``cdht generate --signing-key`` signs, the readers of
``check``/``compute``/``merge`` verify against the profile's public key (:mod:`cdht.read.identity`).

What a signature proves: the signed bytes (identity, registry facts, layout digest) were signed by
whoever holds the Sở's private key, and have not changed since. What it does not prove: that the
numbers typed into the workbook afterwards are true, or that the private key was kept secret.

- The private key is a PEM file (PKCS#8) written by :func:`generate_keypair`; it stays on the
  Sở's machine and never goes into a workbook or a profile.
- The public key is one line, ``ed25519:<base64 of the 32 raw bytes>``, pasted into the profile's
  ``public_key``.
- A signature is the base64 text of the 64-byte Ed25519 signature.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cdht.messages import Finding, finding

PREFIX = "ed25519:"
PRIVATE_FILE = "cdht-khoa-bi-mat.pem"
PUBLIC_FILE = "cdht-khoa-cong-khai.txt"


def public_key_line(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PREFIX + base64.b64encode(raw).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """``ed25519:<base64>`` → key; ValueError when it is not one."""
    if not isinstance(text, str) or not text.strip().startswith(PREFIX):
        raise ValueError("not an ed25519: line")
    try:
        raw = base64.b64decode(text.strip()[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{len(raw)} bytes, not 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    """The PEM private key written by :func:`generate_keypair`; ValueError/OSError otherwise."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def private_key_finding(path: str | Path) -> Finding | None:
    """None when ``path`` holds a readable Ed25519 private key; otherwise the coded problem
    (for ``generate`` to refuse before writing anything)."""
    try:
        load_private_key(path)
        return None
    except (OSError, ValueError, TypeError):
        return finding("CDHT-P018", path=str(path), kind="bí mật")


def generate_keypair(out_dir: str | Path) -> tuple[Path, Path, str] | Finding:
    """Write a new key pair into ``out_dir``: the private PEM (mode 0600) and a text file with the
    public line. Returns (private path, public path, public line), or a coded finding when a key
    file is already there (never overwritten)."""
    out = Path(out_dir)
    priv_path, pub_path = out / PRIVATE_FILE, out / PUBLIC_FILE
    for p in (priv_path, pub_path):
        if p.exists():
            return finding("CDHT-P017", path=str(p))
    out.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    line = public_key_line(key.public_key())
    pub_path.write_text(f"public_key: \"{line}\"\n", encoding="utf-8")
    return priv_path, pub_path, line


# What is signed: the workbook's identity, the registry facts it was issued with and its layout
# digest — the ``_meta`` values of these keys, in this order of meaning (bump the scheme when the
# list changes: a reader then refuses a scheme it does not know instead of calling it forged).
SIGNATURE_SCHEME = "cdht-ed25519-1"
SIGNED_KEYS = ("template_id", "edition_id", "edition_version", "tier", "year", "unit_code", "unit_name",
               "parent_code", "parent_name", "disadvantaged", "children", "profile", "fingerprint",
               "fingerprint_scheme", "protected_sheets")


def signed_payload(meta: dict) -> bytes:
    """The bytes signed for a workbook whose ``_meta`` holds ``meta`` (values as text, missing as
    ""): one canonical JSON object, so the generator and every reader build the same bytes."""
    facts = {k: "" if meta.get(k) is None else str(meta.get(k)) for k in SIGNED_KEYS}
    body = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (SIGNATURE_SCHEME + "\n" + body).encode("utf-8")


def sign_with(payload: bytes, key: Ed25519PrivateKey) -> str:
    """Base64 Ed25519 signature of ``payload`` with an already loaded private key."""
    return base64.b64encode(key.sign(payload)).decode("ascii")


def matches(key: Ed25519PrivateKey, public_key: str) -> bool:
    """Whether the private ``key`` belongs to the profile's ``public_key`` line."""
    return public_key_line(key.public_key()) == (public_key or "").strip()


def sign(payload: bytes, private_key_path: str | Path) -> str:
    """Base64 Ed25519 signature of ``payload`` with the private key at ``private_key_path``."""
    return base64.b64encode(load_private_key(private_key_path).sign(payload)).decode("ascii")


def verify(payload: bytes, signature: str, public_key: str) -> bool:
    """True only when ``signature`` is a valid signature of ``payload`` under ``public_key``
    (an ``ed25519:`` line). A malformed key or signature is simply False."""
    try:
        key = load_public_key(public_key)
        key.verify(base64.b64decode(signature or "", validate=True), payload)
        return True
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False


def verify_finding(payload: bytes, signature: str, public_key: str, profile: str) -> Finding | None:
    """None when the signature holds; otherwise the coded refusal naming the profile."""
    return None if verify(payload, signature, public_key) else finding("CDHT-P019", profile=profile)
