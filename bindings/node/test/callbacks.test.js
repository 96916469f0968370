'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { ap, basic, newEngine } = require('./helpers');

class ApiKey extends ap.BaseAuthentication {
  constructor() {
    super();
    this.seen = [];
  }
  authenticate(request) {
    const key = request.headers.get('X-Api-Key');
    if (key === null) return null;
    this.seen.push(request);
    this.lastRequest = { method: request.method, path: request.path, view: request.view, remoteAddr: request.remoteAddr,
      remoteUser: request.remoteUser, secure: request.secure, raw: request.headers.getBuffer('x-api-key') };
    if (key === 'good') return [{ username: 'svc', id: 42, isStaff: true, attributes: { scopes: ['read'] } }, { keyId: 7 }];
    if (key === 'snake') return [{ username: 'row', is_staff: true, is_superuser: true }, null];
    throw new ap.AuthenticationFailed('Unknown API key.');
  }
  authenticateHeader() {
    return 'ApiKey realm="api"';
  }
}

test('custom authenticator: success, not mine, failure with challenge', () => {
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['ApiKey', 'TokenAuthentication'] }, { authenticators: { ApiKey } });
  let d = e.decide({ method: 'POST', path: '/x', view: 'admin', remoteAddr: '127.0.0.9', remoteUser: 'srv', secure: true, headers: { 'x-api-key': 'good' } });
  assert.equal(d.status, 200);
  assert.equal(d.authenticator, 'ApiKey');
  assert.equal(d.user.username, 'svc');
  assert.equal(d.user.id, 42);
  assert.equal(d.user.isStaff, true);
  assert.deepEqual(d.user.attributes, { scopes: ['read'] });
  assert.deepEqual(d.auth, { keyId: 7 });
  assert.deepEqual(e.authenticators.ApiKey.lastRequest, { method: 'POST', path: '/x', view: 'admin', remoteAddr: '127.0.0.9',
    remoteUser: 'srv', secure: true, raw: Buffer.from('good') });

  d = e.decide({ headers: { 'x-api-key': 'snake' } });
  assert.equal(d.user.isSuperuser, true);
  assert.equal(d.auth, null);

  d = e.decide({ headers: { 'X-API-KEY': 'bad' } });
  assert.equal(d.status, 401);
  assert.equal(d.code, 'authentication_failed');
  assert.equal(d.detail, 'Unknown API key.');
  assert.deepEqual(d.headers, { 'WWW-Authenticate': 'ApiKey realm="api"' });

  d = e.decide({});
  assert.equal(d.status, 401);
  assert.deepEqual(d.headers, { 'WWW-Authenticate': 'ApiKey realm="api"' });

  // The view handed to the authenticator expires with the call.
  assert.throws(() => e.authenticators.ApiKey.seen[0].method, ap.MisuseError);
  e.close();
});

test('an authenticator without authenticateHeader gives 403 (DRF)', () => {
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Plain'] }, {
    authenticators: { Plain: { authenticate: () => { throw new ap.AuthenticationFailed(); } } },
  });
  const d = e.decide({});
  assert.equal(d.status, 403);
  assert.equal(d.detail, 'Incorrect authentication credentials.');
  assert.deepEqual(d.headers, {});
  e.close();
});

test('exceptions thrown in callbacks reach the caller unchanged', () => {
  const boom = new RangeError('authenticator broke');
  const lookupBoom = new SyntaxError('lookup broke');
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Boom', 'BasicAuthentication'] }, {
    authenticators: { Boom: { authenticate: (r) => { if (r.headers.has('x-boom')) throw boom; return null; } } },
    userLookup: ({ username }) => { if (username === 'err') throw lookupBoom; throw new ap.Passthrough(); },
  });
  assert.throws(() => e.decide({ headers: { 'X-Boom': '1' } }), (err) => err === boom);
  assert.throws(() => e.decide({ headers: { Authorization: basic('err', 'x') } }), (err) => err === lookupBoom);
  // The engine stays usable and nothing leaks into the next call (Boom has no challenge: 403, as DRF).
  assert.equal(e.decide({}).status, 403);
  const r = e.request({ headers: { 'x-boom': 'yes' } });
  assert.throws(() => r.user, (err) => err === boom);
  e.close();
});

test('user lookup: found, not found, passthrough to the built-in directory, bad shapes', () => {
  const hash = ap.hashPassword('pw', { iterations: 1000 });
  const e = newEngine({}, {
    userLookup(q) {
      if (q.username === 'ext') return { username: 'ext', id: 77, password: hash, isStaff: true, attributes: { team: 'a' } };
      if (q.username === 'local') throw new ap.Passthrough();
      if (q.username === 'num') return { username: 5 };
      if (q.username === 'badid') return { username: 'badid', id: 1.5 };
      if (q.username === 'promise') return Promise.resolve({ username: 'promise' });
      if (q.username === 'pwtype') return { username: 'pwtype', password: 12 };
      if (q.id !== undefined) return { username: 'byid', id: q.id };
      return null;
    },
  });
  e.users.add('local', 'pw');
  let d = e.decide({ headers: { Authorization: basic('ext', 'pw') } });
  assert.equal(d.status, 200);
  assert.equal(d.user.id, 77);
  assert.deepEqual(d.user.attributes, { team: 'a' });
  assert.equal(e.decide({ headers: { Authorization: basic('ext', 'no') } }).status, 401);
  assert.equal(e.decide({ headers: { Authorization: basic('ghost', 'pw') } }).status, 401);
  d = e.decide({ headers: { Authorization: basic('local', 'pw') } });
  assert.equal(d.status, 200, 'Passthrough asks the SQLite directory');
  assert.throws(() => e.decide({ headers: { Authorization: basic('num', 'pw') } }), /userLookup: 'username' must be a string, not number/);
  assert.throws(() => e.decide({ headers: { Authorization: basic('badid', 'pw') } }), /'id' must be an integer/);
  assert.throws(() => e.decide({ headers: { Authorization: basic('promise', 'pw') } }), /must answer synchronously/);
  assert.throws(() => e.decide({ headers: { Authorization: basic('pwtype', 'pw') } }), /'password' must be a Django-format hash/);
  e.close();
});

test('authenticator results of the wrong shape are TypeErrors naming the problem', () => {
  const results = { tuple: 'x', short: [{ username: 'a' }], nouser: [{}, null], promise: Promise.resolve(null), header: null };
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Odd'] }, {
    authenticators: {
      Odd: {
        authenticate: (r) => results[r.headers.get('x-kind')],
        authenticateHeader: (r) => (r.headers.get('x-kind') === 'header' ? 5 : 'Odd'),
      },
    },
  });
  assert.throws(() => e.decide({ headers: { 'x-kind': 'tuple' } }), /must return \[user, auth\] or null, not string/);
  assert.throws(() => e.decide({ headers: { 'x-kind': 'short' } }), /must return \[user, auth\] or null, not array/);
  assert.throws(() => e.decide({ headers: { 'x-kind': 'nouser' } }), /'username' must be a string, not undefined/);
  assert.throws(() => e.decide({ headers: { 'x-kind': 'promise' } }), /synchronously/);
  assert.throws(() => e.decide({ headers: { 'x-kind': 'header' } }), /authenticateHeader\(\) must return a string or null, not number/);
  results.promise.catch(() => {});
  e.close();
});

test('password verifier, clock and logger callbacks', () => {
  const checked = [];
  let now = 1_000_000;
  const e = newEngine({ DEFAULT_THROTTLE_RATES: { anon: '1/min' } }, {
    passwordVerifier: (user, password) => { checked.push([user.username, password]); return password === 'magic' ? true : null; },
    clock: () => now,
    logger: () => {},
  });
  e.users.add('hank', 'pw');
  assert.equal(e.decide({ headers: { Authorization: basic('hank', 'magic') } }).status, 200);
  assert.equal(e.decide({ headers: { Authorization: basic('hank', 'pw') } }).status, 200, 'null falls back to the hash');
  assert.deepEqual(checked, [['hank', 'magic'], ['hank', 'pw']]);
  assert.equal(e.decide({ view: 'limited', remoteAddr: '1.2.3.4' }).status, 200);
  assert.equal(e.decide({ view: 'limited', remoteAddr: '1.2.3.4' }).status, 429);
  now += 61;
  assert.equal(e.decide({ view: 'limited', remoteAddr: '1.2.3.4' }).status, 200, 'the injected clock drives the throttle');
  e.close();
});

test('re-entrant use: a callback may call another engine', () => {
  const inner = newEngine({ DEFAULT_PERMISSION_CLASSES: ['AllowAny'] });
  const innerBoom = new Error('inner');
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Nested'] }, {
    authenticators: {
      Nested: {
        authenticate: (r) => {
          assert.equal(inner.decide({}).status, 200);
          if (r.headers.has('x-throw')) throw innerBoom;
          return [{ username: 'n' }, null];
        },
      },
    },
  });
  assert.equal(e.decide({}).user.username, 'n');
  assert.throws(() => e.decide({ headers: { 'x-throw': '1' } }), (err) => err === innerBoom);
  e.close();
  inner.close();
});
