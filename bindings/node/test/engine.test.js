'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ap, basic, newEngine } = require('./helpers');

test('module metadata', () => {
  assert.equal(ap.version, ap.VERSION_INFO.join('.'));
  assert.equal(ap.ABI_VERSION, 0);
  assert.match(ap.libraryPath, /libauthpolicy\.so/);
  assert.equal(ap.strerror(-10).length > 0, true);
});

test('token and basic decisions have the CLI decision fields', () => {
  const e = newEngine();
  assert.equal(e.users.add('alice', 's3cret'), 1);
  const key = e.tokens.create('alice', { name: 'laptop', expiresIn: 3600 });
  assert.match(key, /^[0-9a-f]{40}$/);

  let d = e.decide({ method: 'GET', path: '/', headers: { Authorization: `Token ${key}` } });
  assert.equal(d.allowed, true);
  assert.equal(d.status, 200);
  assert.equal(d.code, null);
  assert.equal(d.detail, null);
  assert.deepEqual(d.headers, {});
  assert.equal(d.user.username, 'alice');
  assert.equal(d.user.id, 1);
  assert.equal(d.user.isAuthenticated, true);
  assert.equal(d.user.isAnonymous, false);
  assert.deepEqual(d.auth, { type: 'token', name: 'laptop' });
  assert.equal(d.authenticator, 'TokenAuthentication');
  const json = d.toJSON();
  assert.deepEqual(Object.keys(json), ['allowed', 'status', 'code', 'detail', 'authenticator', 'user', 'auth', 'headers', 'body']);
  assert.deepEqual(JSON.parse(JSON.stringify(d)), json);
  assert.equal(d.body, null);
  const denied = e.decide({});
  assert.deepEqual(denied.body, { detail: denied.detail });
  assert.equal(String(d), JSON.stringify(json));

  d = e.decide({ headers: { authorization: basic('alice', 's3cret') } });
  assert.equal(d.status, 200);
  assert.equal(d.authenticator, 'BasicAuthentication');

  d = e.decide({ headers: { authorization: basic('alice', 'wrong') } });
  assert.equal(d.status, 401);
  assert.equal(d.code, 'authentication_failed');
  assert.equal(d.detail, 'Invalid username/password.');
  assert.deepEqual(d.headers, { 'WWW-Authenticate': 'Token' });
  e.close();
});

test('toJSON() is exactly the C API\'s decision JSON (authp_decision_to_json)', () => {
  const { fn } = require('../lib/native');
  const { takeDecision } = require('../lib/decision');
  const { fillRequest } = require('../lib/engine')._internal;
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication', 'Attr'] }, {
    authenticators: { Attr: { authenticate: (r) => (r.headers.has('x-a') ? [{ username: 'ä', id: 3, isStaff: true, attributes: { k: [1] } }, { s: 'x' }] : null) } },
  });
  e.users.add('ivy');
  const key = e.tokens.create('ivy', { name: 'n' });
  const cases = [{}, { headers: { Authorization: `Token ${key}` } }, { headers: { Authorization: 'Token bad' } },
    { headers: { 'x-a': '1' } }, { view: 'admin', headers: { 'x-a': '1' } }, { view: 'public' }];
  for (const c of cases) {
    const r = [null];
    assert.equal(fn.requestNew(r, e._core.engine), 0);
    fillRequest(r[0], c);
    const out = [null];
    assert.equal(fn.engineEvaluate(out, e._core.engine, r[0]), 0);
    const cJson = fn.decisionToJson(out[0], [0]);
    const d = takeDecision(out[0]);
    fn.requestFree(r[0]);
    assert.equal(JSON.stringify(d), cJson, JSON.stringify(c));
    assert.equal(String(d), cJson);
  }
  e.close();
});

test('denials: 401 without credentials, 403 for non-staff, 429 with Retry-After', () => {
  const e = newEngine();
  e.users.add('bob', 'pw');
  let d = e.decide({});
  assert.equal(d.allowed, false);
  assert.equal(d.status, 401);
  assert.equal(d.code, 'not_authenticated');
  assert.equal(d.detail, 'Authentication credentials were not provided.');
  assert.equal(d.user.isAnonymous, true);
  assert.equal(d.user.username, '');
  assert.equal(d.user.id, null);

  d = e.decide({ view: 'admin', headers: { Authorization: basic('bob', 'pw') } });
  assert.equal(d.status, 403);
  assert.equal(d.code, 'permission_denied');

  e.users.setRoles('bob', { isStaff: true });
  assert.equal(e.decide({ view: 'admin', headers: { Authorization: basic('bob', 'pw') } }).status, 200);

  assert.equal(e.decide({ view: 'limited', remoteAddr: '10.0.0.1' }).status, 200);
  d = e.decide({ view: 'limited', remoteAddr: '10.0.0.1' });
  assert.equal(d.status, 429);
  assert.equal(d.code, 'throttled');
  assert.match(d.headers['Retry-After'], /^\d+$/);
  e.close();
});

test('headers: Map, fetch Headers, pairs, arrays and latin-1 bytes', () => {
  const e = newEngine();
  e.users.add('zoë', 'pässwörd');
  const cred = 'Basic ' + Buffer.from('zoë:pässwörd', 'utf8').toString('base64');
  for (const headers of [new Map([['Authorization', cred]]), new Headers({ Authorization: cred }),
    [['authorization', cred]], { AUTHORIZATION: [cred] }, { Authorization: Buffer.from(cred) }]) {
    const d = e.decide({ headers });
    assert.equal(d.status, 200, String(headers));
    assert.equal(d.user.username, 'zoë');
  }
  // Node's HTTP parser hands header values over as latin-1: the bytes must reach the engine as they were.
  const asNodeSees = Buffer.from(cred, 'latin1').toString('latin1');
  assert.equal(e.decide({ headers: { authorization: asNodeSees } }).status, 200);
  e.close();
});

test('config sources: object, JSON text, Buffer, file path, URL', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authp-node-'));
  try {
    const file = path.join(dir, 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ DATABASE: 'auth.sqlite3', DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'] }));
    const fromFile = new ap.Engine(file);
    fromFile.users.add('carol', 'pw');
    assert.equal(fs.existsSync(path.join(dir, 'auth.sqlite3')), true, 'DATABASE is relative to the file');
    assert.equal(fromFile.decide({ headers: { Authorization: basic('carol', 'pw') } }).status, 200);
    fromFile.close();
    const fromUrl = new ap.Engine(new URL('file://' + file));
    assert.equal(fromUrl.users.list()[0].username, 'carol');
    fromUrl.close();
    const text = new ap.Engine('{"DEFAULT_PERMISSION_CLASSES": ["AllowAny"]}');
    assert.equal(text.decide({}).status, 200);
    const buf = new ap.Engine(Buffer.from('{"DATABASE": "b.sqlite3"}'), { baseDir: dir });
    buf.users.add('x');
    assert.equal(fs.existsSync(path.join(dir, 'b.sqlite3')), true, 'baseDir applies to JSON text');
    buf.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('errors are classes with the C API message, errno and code', () => {
  assert.throws(() => new ap.Engine({ VIEWS: { admin: { x: 1 } } }), (err) => {
    assert.ok(err instanceof ap.ConfigError);
    assert.ok(err instanceof ap.AuthPolicyError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'ConfigError');
    assert.equal(err.errno, -10);
    assert.equal(err.code, 'AUTHP_ECONFIG');
    assert.match(err.message, /\$\.VIEWS\.admin\.x/);
    return true;
  });
  assert.throws(() => new ap.Engine({ DEFAULT_PERMISSION_CLASSES: ['IsWizard'] }), /unknown permission class 'IsWizard'/);
  assert.throws(() => new ap.Engine('/nonexistent/policy.json'), ap.AuthPolicyError);
  assert.throws(() => new ap.Engine('{not json'), ap.ConfigError);
  const e = newEngine();
  assert.throws(() => e.decide({ view: 'nope' }), (err) => err instanceof ap.NotFoundError && /nope/.test(err.message));
  e.users.add('dave');
  assert.throws(() => e.users.add('dave'), ap.ExistsError);
  assert.throws(() => e.tokens.create('nobody'), ap.NotFoundError);
  assert.throws(() => e.tokens.revoke('0'.repeat(40)), ap.NotFoundError);
  assert.throws(() => e.users.setPassword('nobody', 'x'), ap.NotFoundError);
  e.close();
});

test('bad input gives clear TypeErrors', () => {
  assert.throws(() => new ap.Engine(42), /config must be an object, JSON text or the path/);
  assert.throws(() => new ap.Engine({}, { userLookup: 'nope' }), /userLookup must be a function/);
  assert.throws(() => new ap.Engine({}, { bogus: 1 }), /unknown option 'bogus'/);
  assert.throws(() => new ap.Engine({}, { authenticators: { A: {} } }), /authenticator 'A' must have an authenticate/);
  assert.throws(() => new ap.Engine({}, { authenticators: { A: ap.BaseAuthentication } }), /does not override authenticate/);
  const e = newEngine();
  assert.throws(() => e.decide('GET /'), /the request must be an object/);
  assert.throws(() => e.decide({ methd: 'GET' }), /unknown request field 'methd'/);
  assert.throws(() => e.decide({ headers: 7 }), /headers must be/);
  assert.throws(() => e.decide({ headers: [['a']] }), /headers must be/);
  assert.throws(() => e.decide({ headers: { a: {} } }), /header 'a' must be a string or a Buffer/);
  assert.throws(() => e.decide({ method: 5 }), /method must be a string, not number/);
  assert.throws(() => e.decide({ path: {} }), /path must be a string/);
  assert.throws(() => e.tokens.create('x', { expiresIn: 'soon' }), /expiresIn must be an integer/);
  assert.throws(() => e.users.add(null), /username must be a string/);
  // An oversize request is a 400 decision, not an error.
  assert.equal(e.decide({ headers: { Authorization: 'Token ' + 'a'.repeat(100000) } }).status, 400);
  e.close();
});

test('lazy request: authentication runs on first read, once', () => {
  let calls = 0;
  class Counting extends ap.BaseAuthentication {
    authenticate(request) {
      calls += 1;
      return request.headers.has('x-user') ? [{ username: request.headers.get('x-user') }, 'tok'] : null;
    }
  }
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Counting'] }, { authenticators: { Counting } });
  const r = e.request({ view: 'lazy', headers: { 'X-User': 'erin' } });
  assert.equal(r.authStatus, 'not_run');
  assert.equal(r.decide().status, 200);
  assert.equal(calls, 0, 'a lazy AllowAny view never authenticates unless someone reads the user');
  assert.equal(r.user.username, 'erin');
  assert.equal(r.user.username, 'erin');
  assert.equal(calls, 1);
  assert.equal(r.auth, 'tok');
  assert.equal(r.authStatus, 'authenticated');
  assert.equal(r.authenticator, 'Counting');
  assert.equal(r.authFailure, null);
  assert.equal(r.challenge, null);
  assert.equal(r.decide().user.username, 'erin');
  assert.equal(calls, 1);
  r.close();
  r.close();
  assert.throws(() => r.user, ap.MisuseError);
  const r2 = e.request({ headers: {} });
  assert.equal(r2.authenticate().authStatus, 'anonymous');
  e.close();
  assert.throws(() => r2.user, ap.MisuseError, 'closing the engine frees its requests');
});

test('users, tokens and passwords', () => {
  const e = newEngine();
  const id = e.users.add('frank', { password: 'pw', isStaff: true });
  e.users.add('gina', null, { isActive: false });
  assert.deepEqual(e.users.list().map((u) => [u.id, u.username, u.is_active, u.is_staff]),
    [[id, 'frank', true, true], [id + 1, 'gina', false, false]]);
  const key = e.tokens.create('frank');
  assert.equal(e.decide({ headers: { Authorization: `Token ${key}` } }).status, 200);
  assert.equal(e.tokens.list().length, 1);
  assert.equal(e.tokens.list('gina').length, 0);
  e.tokens.revoke(key);
  assert.equal(e.decide({ headers: { Authorization: `Token ${key}` } }).status, 401);
  e.users.setPassword('frank', 'new');
  assert.equal(e.decide({ headers: { Authorization: basic('frank', 'pw') } }).status, 401);
  assert.equal(e.decide({ headers: { Authorization: basic('frank', 'new') } }).status, 200);
  e.users.deactivate('frank');
  assert.equal(e.decide({ headers: { Authorization: basic('frank', 'new') } }).status, 401);
  e.users.activate('frank');
  assert.equal(e.decide({ headers: { Authorization: basic('frank', 'new') } }).status, 200);
  assert.equal(e.hasView('admin'), true);
  assert.equal(e.hasView('nope'), false);
  e.invalidateCaches();
  e.close();

  const h = ap.hashPassword('pw', { iterations: 1000 });
  assert.match(h, /^pbkdf2_sha256\$1000\$/);
  assert.equal(ap.verifyPassword('pw', h), true);
  assert.equal(ap.verifyPassword('nope', h), false);
  assert.deepEqual(ap.checkPassword('pw', h), { matches: true, needsRehash: true });
  assert.deepEqual(ap.checkPassword('pw', h, { minIterations: 1000 }), { matches: true, needsRehash: false });
  assert.equal(ap.verifyPassword('pw', 'garbage'), false);
});

test('close() is idempotent and later calls are MisuseErrors', () => {
  const e = newEngine();
  e.close();
  e.close();
  assert.equal(e.closed, true);
  assert.throws(() => e.decide({}), (err) => err instanceof ap.MisuseError && err.code === 'AUTHP_EMISUSE');
  assert.throws(() => e.users.list(), ap.MisuseError);
});

test('engines are freed by the garbage collector when not closed', { skip: typeof global.gc !== 'function' && 'needs --expose-gc' }, async () => {
  // koffi has 8192 callback slots; 5 × 850 unclosed engines with 2 callbacks each only fit if
  // the FinalizationRegistry frees engines (and their slots) that nobody closed.
  for (let batch = 0; batch < 5; batch++) {
    for (let i = 0; i < 850; i++) {
      const e = newEngine({}, { userLookup: () => null, authenticators: { A: { authenticate: () => null } } });
      e.decide({});
      e.request({}); // an unclosed request too: it must be freed before its engine
    }
    for (let i = 0; i < 3; i++) {
      global.gc();
      await new Promise((r) => setImmediate(r));
    }
  }
});

test('reload replaces the policy; a bad one throws and the old one keeps serving', () => {
  const seen = [];
  const e = new ap.Engine(
    { PASSWORD_ITERATIONS: 1000, DEFAULT_PERMISSION_CLASSES: ['AllowAny'], VIEWS: { a: {} } },
    { userLookup: ({ username }) => { seen.push(username); return null; }, logger: null },
  );
  assert.equal(e.decide({}).allowed, true);
  e.reload({ PASSWORD_ITERATIONS: 1000, DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'], VIEWS: { b: {} } });
  assert.equal(e.decide({}).status, 401);
  assert.equal(e.hasView('a'), false);
  assert.equal(e.hasView('b'), true);
  e.decide({ headers: { Authorization: basic('bob', 'pw') } });
  assert.deepEqual(seen, ['bob']); // the callbacks survive the reload
  assert.throws(() => e.reload({ DEFAULT_AUTHENTICATION_CLASSES: ['NoSuchAuthentication'] }), ap.ConfigError);
  assert.equal(e.decide({}).status, 401);
  e.close();
});
