'use strict';
// decide() microbenchmark of the Node binding, on the same decisions as bench/authp_bench.cc's
// BM_AnonymousAllowAny and BM_TokenValidWarm (the C API's own cost is in docs/performance.md).
//
//   AUTHPOLICY_LIBRARY=build/capi/libauthpolicy.so.0 node bench/node/decide.js [seconds-per-case]
//
// Prints, per case, the median of 7 timed rounds in µs per call and calls per second.
const path = require('node:path');
const ap = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

const seconds = Number(process.argv[2] || 0.5);

const engine = new ap.Engine({
  DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication'],
  DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'],
  VIEWS: { public: { permission_classes: ['AllowAny'] } },
});
engine.users.add('bench');
const key = engine.tokens.create('bench', { name: 'bench' });

class Header extends ap.BaseAuthentication {
  authenticate(r) {
    const u = r.headers.get('x-user');
    return u === null ? null : [{ username: u, id: 1 }, null];
  }
}
const custom = new ap.Engine({ DEFAULT_AUTHENTICATION_CLASSES: ['Header'], DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'] },
  { authenticators: { Header } });

const cases = [
  ['anonymous, AllowAny view (BM_AnonymousAllowAny)', () => engine.decide({ method: 'GET', path: '/', view: 'public' })],
  ['valid token, warm cache (BM_TokenValidWarm)', () => engine.decide({ method: 'GET', path: '/', headers: { Authorization: `Token ${key}` } })],
  ['valid token + read user.username and auth', () => {
    const d = engine.decide({ method: 'GET', path: '/', headers: { Authorization: `Token ${key}` } });
    return d.user.username + JSON.stringify(d.auth);
  }],
  ['no credentials: 401 + read detail and headers', () => {
    const d = engine.decide({ method: 'GET', path: '/' });
    return d.detail + d.headers['WWW-Authenticate'];
  }],
  ['custom JS authenticator (C → JS callback)', () => custom.decide({ method: 'GET', path: '/', headers: { 'X-User': 'alice' } })],
];

function round(f, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / n / 1000; // µs per call
}

console.log(`node ${process.version}, koffi, ${ap.libraryPath}`);
for (const [name, f] of cases) {
  for (let i = 0; i < 20000; i++) f(); // warm up (JIT, caches)
  let n = 1000;
  while (round(f, n) * n < seconds * 1e6 / 7 && n < 1e7) n *= 2;
  const rounds = [];
  for (let i = 0; i < 7; i++) rounds.push(round(f, n));
  rounds.sort((a, b) => a - b);
  const med = rounds[3];
  console.log(`${name.padEnd(52)} ${med.toFixed(3).padStart(8)} µs/call  ${Math.round(1e6 / med).toLocaleString('en-US').padStart(10)} calls/s  (min ${rounds[0].toFixed(3)}, max ${rounds[6].toFixed(3)}, n=${n})`);
}
engine.close();
custom.close();
