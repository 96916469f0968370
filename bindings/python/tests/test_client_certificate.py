"""Certificate-bound JWTs (RFC 8705): decide(client_certificate=DER) and engine.request(...)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import time

import pytest

import authpolicy
from support import FAST

SECRET = "k" * 32


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def self_signed_der(name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def hs256(claims: dict) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


@pytest.fixture
def engine() -> authpolicy.Engine:
    return authpolicy.Engine(
        {
            "DEFAULT_AUTHENTICATION_CLASSES": [
                {"class": "JWTAuthentication", "secret": SECRET, "algorithms": ["HS256"], "lookup_user": False}
            ],
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
            **FAST,
        }
    )


def test_a_bound_jwt_needs_its_own_certificate(engine):
    mine, other = self_signed_der("client"), self_signed_der("someone else")
    bound = hs256(
        {"sub": "alice", "exp": int(time.time()) + 300, "cnf": {"x5t#S256": b64url(hashlib.sha256(mine).digest())}}
    )
    headers = {"Authorization": "Bearer " + bound}

    d = engine.decide(headers=headers, client_certificate=mine)
    assert (d.status, d.user.username) == (200, "alice")
    assert engine.decide(headers=headers, client_certificate=bytearray(mine)).allowed
    assert engine.decide(headers=headers, client_certificate=memoryview(mine)).allowed

    d = engine.decide(headers=headers, client_certificate=other)
    assert (d.status, d.detail) == (401, "The token is bound to another client certificate.")
    d = engine.decide(headers=headers)
    assert (d.status, d.detail) == (401, "The token is bound to a client certificate and none was presented.")

    # The lazy request carries it too.
    assert engine.request(headers=headers, client_certificate=mine).user.username == "alice"
    assert engine.request(headers=headers, client_certificate=other).authenticate() == "failed"


def test_an_unbound_jwt_ignores_the_certificate(engine):
    plain = hs256({"sub": "bob", "exp": int(time.time()) + 300})
    d = engine.decide(headers={"Authorization": "Bearer " + plain}, client_certificate=self_signed_der("x"))
    assert d.allowed and d.user.username == "bob"


def test_client_certificate_must_be_bytes(engine):
    with pytest.raises(TypeError, match="client_certificate must be bytes"):
        engine.decide(client_certificate="-----BEGIN CERTIFICATE-----")
    with pytest.raises(TypeError, match="client_certificate must be bytes"):
        engine.decide(client_certificate=12)


def test_an_oversize_certificate_is_a_400(engine):
    assert engine.decide(client_certificate=b"\x30" * 16385).status == 400
