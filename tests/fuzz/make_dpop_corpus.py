#!/usr/bin/python3
# Generates the fuzz_dpop_proof fixture (tests/fuzz/fuzz_dpop_proof_fixture.h) and its seed corpus
# (tests/fuzz/corpus/fuzz_dpop_proof/). Run once with Debian's python3 + python3-cryptography:
#   /usr/bin/python3 tests/fuzz/make_dpop_corpus.py
# The proof key P is generated here and its private half is discarded: the fixture holds only its
# public key and thumbprint, so the target cannot sign a proof with it and every proof by P that the
# target sees is one of the seeds below (the oracle of fuzz_dpop_proof.cc rests on that). Running
# this again makes a new P: commit the fixture and the corpus together.
# Input format (fuzz_dpop_proof.cc): a selector byte, then fields separated by "\n".
import base64
import hashlib
import hmac
import json
import math
import os
import struct
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus", "fuzz_dpop_proof")
NOW = 1700000000  # authp_fuzz::fixed_clock
HS_SECRET = "fuzz-dpop-issuer-secret-0123456789abcdef"
NONCE_SECRET = "fuzz-dpop-nonce-secret-0123456789abcdef"
HTU = "https://api.example/things"


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def ec_jwk(pub, crv="P-256", size=32):
    n = pub.public_numbers()
    return {"kty": "EC", "crv": crv, "x": b64u(n.x.to_bytes(size, "big")), "y": b64u(n.y.to_bytes(size, "big"))}


def rsa_jwk(pub):
    n = pub.public_numbers()
    return {"kty": "RSA", "n": b64u(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")),
            "e": b64u(n.e.to_bytes((n.e.bit_length() + 7) // 8, "big"))}


def thumbprint(jwk):
    members = {"EC": ["crv", "kty", "x", "y"], "RSA": ["e", "kty", "n"], "OKP": ["crv", "kty", "x"]}[jwk["kty"]]
    text = compact({m: jwk[m] for m in members})
    return b64u(hashlib.sha256(text.encode()).digest())


def sign(key, alg, data):
    if alg in ("ES256", "ES384"):
        h, size = (hashes.SHA256(), 32) if alg == "ES256" else (hashes.SHA384(), 48)
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(h)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg == "RS256":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if alg == "PS256":
        return key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    if alg == "EdDSA":
        return key.sign(data)
    if alg == "HS256":
        return hmac.new(key, data, hashlib.sha256).digest()
    raise ValueError(alg)


def jws(key, alg, header, claims):
    signing_input = b64u(compact(header).encode()) + "." + b64u(compact(claims).encode())
    return signing_input + "." + b64u(sign(key, alg, signing_input.encode()))


def hs_token(claims):
    return jws(HS_SECRET.encode(), "HS256", {"alg": "HS256", "typ": "JWT"}, claims)


def ath(token):
    return b64u(hashlib.sha256(token.encode()).digest())


def nonce_for(now):
    slot = math.floor(now / 60)
    slot_bytes = struct.pack(">q", slot)
    tag = hmac.new(NONCE_SECRET.encode(), b"authp-dpop-nonce" + slot_bytes, hashlib.sha256).digest()
    return b64u(slot_bytes + tag[:16])


P = ec.generate_private_key(ec.SECP256R1())  # the bound proof key: its private half is not kept
Q = ec.generate_private_key(ec.SECP256R1())  # another key (proofs by the wrong key)
P_JWK = ec_jwk(P.public_key())
Q_JWK = ec_jwk(Q.public_key())
JKT_P = thumbprint(P_JWK)
CERT = b"\x30\x82\x01\x0a" + bytes(range(256)) + b"\x42" * 10  # DER-shaped client certificate bytes
X5T = b64u(hashlib.sha256(CERT).digest())

claims = {"sub": "alice", "iss": "https://id.example", "aud": "api", "exp": 2000000000, "iat": NOW - 10}
TOKEN_P = hs_token({**claims, "cnf": {"jkt": JKT_P}})
TOKEN_U = hs_token(dict(claims))
TOKEN_C = hs_token({**claims, "cnf": {"jkt": JKT_P, "x5t#S256": X5T}})
TOKEN_Q = hs_token({**claims, "cnf": {"jkt": thumbprint(Q_JWK)}})
# K: the target's own key (its private half is in the fixture): the target signs the header and claims
# that the input gives with it, so that the claim checks after the signature are fuzzed too.
K = ec.generate_private_key(ec.SECP256R1())
K_JWK = ec_jwk(K.public_key())
TOKEN_K = hs_token({**claims, "cnf": {"jkt": thumbprint(K_JWK)}})

counter = [0]


def proof(key=P, jwk=None, alg="ES256", token=TOKEN_P, claims=None, header=None, drop=()):
    counter[0] += 1
    h = {"typ": "dpop+jwt", "alg": alg, "jwk": jwk if jwk is not None else P_JWK}
    c = {"jti": "seed-%d" % counter[0], "htm": "GET", "htu": HTU, "iat": NOW, "ath": ath(token)}
    h.update(header or {})
    c.update(claims or {})
    for d in drop:
        h.pop(d, None)
        c.pop(d, None)
    return jws(key, alg, h, c)


seeds = {}


def engine(name, selector, dpop, authorization, method="GET", host="api.example", path="/things", client_cert=""):
    seeds[name] = selector + "\n".join([dpop, authorization, method, host, path, client_cert])


# Engine "allowed" (selector '0': secure; '4': plain http).
engine("allowed_ok", "0", proof(), "DPoP " + TOKEN_P)
engine("allowed_ok_post_query", "0",
       proof(claims={"htm": "POST", "htu": "HTTPS://API.Example:443/%74hings?x=1#f"}), "dpop " + TOKEN_P, "POST",
       "API.example:443", "/things?page=2")
engine("allowed_bearer_unbound", "0", "", "Bearer " + TOKEN_U)
engine("allowed_bearer_bound", "0", proof(), "Bearer " + TOKEN_P)
engine("allowed_unbound_dpop", "0", proof(token=TOKEN_U), "DPoP " + TOKEN_U)
engine("allowed_wrong_key", "0", proof(key=Q, jwk=Q_JWK), "DPoP " + TOKEN_P)
engine("allowed_token_q", "0", proof(), "DPoP " + TOKEN_Q)
engine("allowed_wrong_htm", "0", proof(claims={"htm": "POST"}), "DPoP " + TOKEN_P)
engine("allowed_wrong_htu", "0", proof(claims={"htu": "https://api.example/other"}), "DPoP " + TOKEN_P)
engine("allowed_insecure", "4", proof(), "DPoP " + TOKEN_P)
engine("allowed_wrong_ath", "0", proof(claims={"ath": ath(TOKEN_U)}), "DPoP " + TOKEN_P)
engine("allowed_no_ath", "0", proof(drop=("ath",)), "DPoP " + TOKEN_P)
engine("allowed_old", "0", proof(claims={"iat": NOW - 301}), "DPoP " + TOKEN_P)
engine("allowed_future", "0", proof(claims={"iat": NOW + 6}), "DPoP " + TOKEN_P)
engine("allowed_typ_jwt", "0", proof(header={"typ": "JWT"}), "DPoP " + TOKEN_P)
engine("allowed_private_jwk", "0", proof(jwk={**P_JWK, "d": "AAAA"}), "DPoP " + TOKEN_P)
engine("allowed_no_jwk", "0", proof(drop=("jwk",)), "DPoP " + TOKEN_P)
engine("allowed_signed_by_other", "0", proof(key=Q), "DPoP " + TOKEN_P)
engine("allowed_hs256", "0", proof(key=b"0123456789abcdef0123456789abcdef", alg="HS256"), "DPoP " + TOKEN_P)
engine("allowed_crit", "0", proof(header={"crit": ["exp"]}), "DPoP " + TOKEN_P)
engine("allowed_no_jti", "0", proof(drop=("jti",)), "DPoP " + TOKEN_P)
engine("allowed_nonce_ignored", "0", proof(claims={"nonce": "anything"}), "DPoP " + TOKEN_P)
engine("allowed_two_proofs", "0", proof() + ", " + proof(), "DPoP " + TOKEN_P)
engine("allowed_no_proof", "0", "", "DPoP " + TOKEN_P)
engine("allowed_no_host", "0", proof(), "DPoP " + TOKEN_P, host="")
engine("allowed_malformed", "0", "not-a-jwt", "DPoP " + TOKEN_P)
engine("allowed_cert_ok", "0", proof(token=TOKEN_C), "DPoP " + TOKEN_C,
       client_cert=":" + base64.b64encode(CERT).decode() + ":")
engine("allowed_cert_other", "0", proof(token=TOKEN_C), "DPoP " + TOKEN_C,
       client_cert=":" + base64.b64encode(CERT[:-1] + b"\x43").decode() + ":")
engine("allowed_cert_missing", "0", proof(token=TOKEN_C), "DPoP " + TOKEN_C)
sig = proof()
sig = sig[:-10] + ("A" if sig[-10] != "A" else "B") + sig[-9:]
engine("allowed_bad_signature", "0", sig, "DPoP " + TOKEN_P)
engine("allowed_trailing_dot", "0", proof() + ".", "DPoP " + TOKEN_P)
for alg, key, jwk in (("RS256", rsa.generate_private_key(65537, 2048), None),
                      ("PS256", rsa.generate_private_key(65537, 2048), None),
                      ("EdDSA", ed25519.Ed25519PrivateKey.generate(), None),
                      ("ES384", ec.generate_private_key(ec.SECP384R1()), None)):
    pub = key.public_key()
    if alg in ("RS256", "PS256"):
        jwk = rsa_jwk(pub)
    elif alg == "EdDSA":
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
    else:
        jwk = ec_jwk(pub, "P-384", 48)
    # Valid proofs by another key: refused by the binding (or the algorithm list for ES384).
    engine("allowed_other_" + alg.lower(), "0", proof(key=key, jwk=jwk, alg=alg), "DPoP " + TOKEN_P)

# Engine "required" with nonces (selector '1').
NONCE = nonce_for(NOW)
engine("required_ok", "1", proof(claims={"nonce": NONCE}), "DPoP " + TOKEN_P)
engine("required_no_nonce", "1", proof(), "DPoP " + TOKEN_P)
engine("required_stale_nonce", "1", proof(claims={"nonce": nonce_for(NOW - 120)}), "DPoP " + TOKEN_P)
engine("required_nonce_number", "1", proof(claims={"nonce": 7}), "DPoP " + TOKEN_P)
engine("required_bearer", "1", "", "Bearer " + TOKEN_U)
engine("required_cert_ok", "1", proof(token=TOKEN_C, claims={"nonce": NONCE}), "DPoP " + TOKEN_C,
       client_cert=":" + base64.b64encode(CERT).decode() + ":")



# Proofs signed by the target with K (selector '8': engine A; '9': engine R; '<': engine A, plain
# http): the DPoP field is the header JSON, a tab, the claims JSON.
def signed(name, selector, header=None, claims=None, drop=(), token=TOKEN_K, **kw):
    counter[0] += 1
    h = {"typ": "dpop+jwt", "alg": "ES256", "jwk": K_JWK}
    c = {"jti": "k-%d" % counter[0], "htm": "GET", "htu": HTU, "iat": NOW, "ath": ath(token)}
    h.update(header or {})
    c.update(claims or {})
    for d in drop:
        h.pop(d, None)
        c.pop(d, None)
    engine(name, selector, compact(h) + "\t" + compact(c), "DPoP " + token, **kw)


signed("signed_ok", "8")
signed("signed_ok_required", "9", claims={"nonce": NONCE})
signed("signed_no_nonce", "9")
signed("signed_htu_normal", "8", claims={"htu": "HTTPS://api.EXAMPLE:443/a/./b/../../things?q#f", "htm": "PUT"},
       method="put")
signed("signed_insecure", "<", claims={"htu": "http://api.example/things"})
signed("signed_iat_edges", "8", claims={"iat": NOW - 300.5})
signed("signed_iat_float", "8", claims={"iat": 1.7e9 + 4.5})
signed("signed_typ_case", "8", header={"typ": "DPoP+JWT"})
signed("signed_alg_es384", "8", header={"alg": "ES384"})
signed("signed_token_p", "8", token=TOKEN_P)
signed("signed_wrong_jwk", "8", header={"jwk": P_JWK})
signed("signed_jti_long", "8", claims={"jti": "j" * 257})
signed("signed_nonce_empty", "8", claims={"nonce": ""})
signed("signed_ath_number", "8", claims={"ath": 1})
seeds["signed_duplicate"] = "8" + "\n".join([
    compact({"typ": "dpop+jwt", "alg": "ES256", "jwk": K_JWK}) + "\t" +
    '{"jti":"dup","jti":"dup2","htm":"GET","htu":"%s","iat":%d,"ath":"%s"}' % (HTU, NOW, ath(TOKEN_K)),
    "DPoP " + TOKEN_K, "GET", "api.example", "/things", ""])

# The htu normaliser (selector '2'): a URI, then a Host and a path for request_htu.
for name, fields in {
    "htu_rfc3986": ["HTTPS://Server.Example.COM:443/a/./b/../token?x=1#frag", "Server.Example.COM:443", "/a/../b"],
    "htu_ipv6": ["https://[::1]:443/x", "[::1]:8443", "/x?y"],
    "htu_percent": ["http://h.test/%7euser/%2f/%2E%2E/x", "h.test", "/%7e"],
    "htu_dots": ["http://h.test:80/a/b/../../../c/./", "h.test:80", "/a/.."],
    "htu_bad": ["https://user@h.test:99999/%zz", "evil.example/path", "x"],
}.items():
    seeds[name] = "2" + "\n".join(fields)

# The RFC 9440 Client-Cert parser (selector '3'): the header value, then host-passed DER bytes.
for name, fields in {
    "cert_ok": [":" + base64.b64encode(CERT).decode() + ":", ""],
    "cert_no_colons": [base64.b64encode(CERT).decode(), ""],
    "cert_two": [":" + base64.b64encode(CERT).decode() + ":, :" + base64.b64encode(b"xyz").decode() + ":", ""],
    "cert_empty": ["::", ""],
    "cert_host_passed": [":" + base64.b64encode(b"other").decode() + ":", "host-der"],
    "cert_unpadded": [":" + base64.b64encode(CERT).decode().rstrip("=") + ":", ""],
}.items():
    seeds[name] = "3" + "\n".join(fields)

os.makedirs(CORPUS, exist_ok=True)
for name, text in seeds.items():
    with open(os.path.join(CORPUS, name), "w") as f:
        f.write(text)

pem = P.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
fixture = f"""// Generated by tests/fuzz/make_dpop_corpus.py with the seed corpus tests/fuzz/corpus/fuzz_dpop_proof/
// (regenerate both together). Only the public half of the proof key P is here; K, the target's own
// key, is whole.
#pragma once

namespace dpop_fixture {{

constexpr const char* kIssuerSecret = "{HS_SECRET}";  // HS256 key of the engines' JWTAuthentication
constexpr const char* kNonceSecret = "{NONCE_SECRET}";  // dpop_nonce_secret_env's value
// P's public key (SubjectPublicKeyInfo) and RFC 7638 thumbprint.
constexpr const char* kProofKeyPem = R"({pem.decode().strip()})";
constexpr const char* kProofKeyJkt = "{JKT_P}";
// The client certificate bytes (base64) that kTokenC is bound to (cnf x5t#S256).
constexpr const char* kCertBase64 = "{base64.b64encode(CERT).decode()}";
// K, the target's own proof key (private: the target signs with it), and its public JWK members.
constexpr const char* kSigningKeyPem = R"({K.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode().strip()})";
constexpr const char* kSigningKeyX = "{K_JWK["x"]}";
constexpr const char* kSigningKeyY = "{K_JWK["y"]}";
// HS256 access tokens: bound to P; unbound; bound to P and the certificate; bound to another key;
// bound to K.
constexpr const char* kTokenP = "{TOKEN_P}";
constexpr const char* kTokenU = "{TOKEN_U}";
constexpr const char* kTokenC = "{TOKEN_C}";
constexpr const char* kTokenQ = "{TOKEN_Q}";
constexpr const char* kTokenK = "{TOKEN_K}";

}}  // namespace dpop_fixture
"""
with open(os.path.join(HERE, "fuzz_dpop_proof_fixture.h"), "w") as f:
    f.write(fixture)
subprocess.run(["clang-format", "-i", os.path.join(HERE, "fuzz_dpop_proof_fixture.h")], check=True)
print(f"{len(seeds)} seeds in {CORPUS}; jkt {JKT_P}")
