'use strict';
// Certificate-bound JWTs (RFC 8705): decide({clientCertificate}) and engine.request(...).
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ap } = require('./helpers');

const SECRET = 'k'.repeat(32);

// Node's crypto parses certificates (X509Certificate) but cannot make one: openssl does.
function selfSignedDer(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authp-cert-'));
  try {
    const out = path.join(dir, 'cert.der');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-subj', `/CN=${name}`, '-days', '1', '-outform', 'DER', '-out', out],
    { stdio: 'pipe' });
    const der = fs.readFileSync(out);
    assert.equal(new crypto.X509Certificate(der).subject, `CN=${name}`);
    return der;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function hs256(claims) {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = crypto.createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function jwtEngine() {
  return new ap.Engine({
    PASSWORD_ITERATIONS: 1000,
    DEFAULT_AUTHENTICATION_CLASSES: [{ class: 'JWTAuthentication', secret: SECRET, algorithms: ['HS256'], lookup_user: false }],
    DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'],
  });
}

test('a bound JWT is accepted with its certificate and refused with another one', () => {
  const e = jwtEngine();
  const mine = selfSignedDer('client');
  const other = selfSignedDer('someone else');
  const thumbprint = crypto.createHash('sha256').update(mine).digest('base64url');
  const bound = hs256({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300, cnf: { 'x5t#S256': thumbprint } });
  const headers = { Authorization: `Bearer ${bound}` };

  let d = e.decide({ headers, clientCertificate: mine });
  assert.deepEqual([d.status, d.user.username], [200, 'alice']);
  assert.equal(e.decide({ headers, clientCertificate: new Uint8Array(mine) }).allowed, true);

  d = e.decide({ headers, clientCertificate: other });
  assert.deepEqual([d.status, d.detail], [401, 'The token is bound to another client certificate.']);
  d = e.decide({ headers });
  assert.deepEqual([d.status, d.detail], [401, 'The token is bound to a client certificate and none was presented.']);

  const lazyOk = e.request({ headers, clientCertificate: mine });
  assert.equal(lazyOk.user.username, 'alice');
  const lazyBad = e.request({ headers, clientCertificate: other });
  lazyBad.authenticate();
  assert.equal(lazyBad.authStatus, 'failed');
  lazyOk.close();
  lazyBad.close();
  e.close();
});

test('an unbound JWT ignores the certificate; a certificate must be bytes; oversize is a 400', () => {
  const e = jwtEngine();
  const plain = hs256({ sub: 'bob', exp: Math.floor(Date.now() / 1000) + 300 });
  const d = e.decide({ headers: { Authorization: `Bearer ${plain}` }, clientCertificate: selfSignedDer('x') });
  assert.equal(d.allowed, true);
  assert.throws(() => e.decide({ clientCertificate: '-----BEGIN CERTIFICATE-----' }), /clientCertificate must be a Buffer/);
  assert.equal(e.decide({ clientCertificate: Buffer.alloc(16385, 0x30) }).status, 400);
  e.close();
});
