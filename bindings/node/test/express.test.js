'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const passport = require('passport');
const { ap, basic, newEngine } = require('./helpers');
const { middleware, Strategy } = require('../express');

async function listen(app) {
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const boom = new RangeError('authenticator exploded');

function engineWithUsers() {
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication', 'BasicAuthentication', 'Boom'] }, {
    authenticators: { Boom: { authenticate: (r) => { if (r.headers.has('x-boom')) throw boom; return null; } } },
  });
  e.users.add('alice', 's3cret');
  e.users.add('root', 'toor', { isStaff: true });
  return { engine: e, key: e.tokens.create('alice', { name: 'cli' }) };
}

test('Express middleware answers denials and sets req.user / req.auth', async (t) => {
  const { engine, key } = engineWithUsers();
  const app = express();
  const seen = [];
  app.use(middleware(engine, {
    view: (req) => (req.path.startsWith('/admin') ? 'admin' : req.path.startsWith('/public') ? 'public'
      : req.path.startsWith('/limited') ? 'limited' : req.path.startsWith('/ghost') ? 'ghost' : null),
  }));
  const handler = (req, res) => {
    res.json({ user: req.user ? req.user.username : null, auth: req.auth, status: req.authpolicy.status,
      authenticator: req.authpolicy.authenticator });
  };
  app.get('/me', handler);
  app.get('/admin/x', handler);
  app.get('/public', handler);
  app.get('/limited', handler);
  app.get('/ghost', handler);
  app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    seen.push(err);
    res.status(500).json({ error: err.name });
  });
  const srv = await listen(app);
  t.after(() => { srv.close(); engine.close(); });

  let r = await fetch(`${srv.base}/me`);
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Token');
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await r.json(), { detail: 'Authentication credentials were not provided.' });

  r = await fetch(`${srv.base}/me`, { headers: { Authorization: 'Token nope' } });
  assert.equal(r.status, 401);
  assert.deepEqual(await r.json(), { detail: 'Invalid token.' });

  r = await fetch(`${srv.base}/me`, { headers: { Authorization: `Token ${key}` } });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { user: 'alice', auth: { type: 'token', name: 'cli' }, status: 200, authenticator: 'TokenAuthentication' });

  r = await fetch(`${srv.base}/me`, { headers: { Authorization: basic('alice', 's3cret') } });
  assert.deepEqual(await r.json(), { user: 'alice', auth: null, status: 200, authenticator: 'BasicAuthentication' });

  r = await fetch(`${srv.base}/admin/x`, { headers: { Authorization: basic('alice', 's3cret') } });
  assert.equal(r.status, 403);
  assert.deepEqual(await r.json(), { detail: 'You do not have permission to perform this action.' });
  r = await fetch(`${srv.base}/admin/x`, { headers: { Authorization: basic('root', 'toor') } });
  assert.equal(r.status, 200);

  r = await fetch(`${srv.base}/public`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { user: null, auth: null, status: 200, authenticator: null }, 'anonymous: no req.user');

  assert.equal((await fetch(`${srv.base}/limited`)).status, 200);
  r = await fetch(`${srv.base}/limited`);
  assert.equal(r.status, 429);
  assert.match(r.headers.get('retry-after'), /^\d+$/);
  assert.match((await r.json()).detail, /^Request was throttled/);

  // A JS exception thrown in a callback reaches Express's error handler unchanged.
  r = await fetch(`${srv.base}/me`, { headers: { 'X-Boom': '1' } });
  assert.equal(r.status, 500);
  assert.equal(seen.length, 1);
  assert.equal(seen[0], boom);
  // So does an unknown view (a programming error, not a denial).
  r = await fetch(`${srv.base}/ghost`);
  assert.equal(r.status, 500);
  assert.ok(seen[1] instanceof ap.NotFoundError);
});

test('Express middleware: binding errors go to next(err); store failures get the safe 503', async (t) => {
  const e = newEngine({ DEFAULT_AUTHENTICATION_CLASSES: ['Odd'] }, {
    authenticators: { Odd: { authenticate: () => [{ username: 'x', id: 'not-an-int' }, null] } },
  });
  const safe = new ap.Decision(false, 503, 'service_unavailable', 'Service unavailable.', null, null, null, {});
  const storeDown = { decide() { const err = new ap.StoreError('database is locked', -6); err.decision = safe; throw err; } };
  const app = express();
  app.use('/odd', middleware(e));
  app.use('/down', middleware(storeDown));
  app.get(['/odd', '/down'], (req, res) => res.send('ok'));
  const errs = [];
  app.use((err, req, res, next) => { errs.push(err); res.status(500).end(); }); // eslint-disable-line no-unused-vars
  const srv = await listen(app);
  t.after(() => { srv.close(); e.close(); });
  let r = await fetch(srv.base + '/odd');
  assert.equal(r.status, 500);
  assert.ok(errs[0] instanceof TypeError);
  assert.match(errs[0].message, /'id' must be an integer/);
  r = await fetch(srv.base + '/down');
  assert.equal(r.status, 503);
  assert.deepEqual(await r.json(), { detail: 'Service unavailable.' });
  assert.equal(errs.length, 1);
});

test('Express middleware: custom onDenied and property', async (t) => {
  const { engine } = engineWithUsers();
  const app = express();
  app.use(middleware(engine, { property: 'policy', onDenied: (req, res, next, d) => res.status(d.status).send(`denied:${d.code}`) }));
  app.get('/', (req, res) => res.send(req.policy.status));
  const srv = await listen(app);
  t.after(() => { srv.close(); engine.close(); });
  const r = await fetch(srv.base + '/');
  assert.equal(r.status, 401);
  assert.equal(await r.text(), 'denied:not_authenticated');
});

test('Passport strategy maps decisions to success / fail / pass / error', async (t) => {
  const { engine, key } = engineWithUsers();
  const pp = new passport.Passport();
  pp.use(new Strategy(engine, { view: (req) => req.query.view || null }));
  const app = express();
  app.use(pp.initialize());
  const errs = [];
  app.get('/me', pp.authenticate('authpolicy', { session: false }), (req, res) => {
    res.json({ user: req.user ? req.user.username : null, auth: req.authInfo ? req.authInfo.auth : null,
      authenticated: req.isAuthenticated() });
  });
  app.use((err, req, res, next) => { errs.push(err); res.status(500).json({ error: err.message }); }); // eslint-disable-line no-unused-vars
  const srv = await listen(app);
  t.after(() => { srv.close(); engine.close(); });

  // success(user, info)
  let r = await fetch(`${srv.base}/me`, { headers: { Authorization: `Token ${key}` } });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { user: 'alice', auth: { type: 'token', name: 'cli' }, authenticated: true });

  // fail(challenge, 401): Passport answers with the challenge
  r = await fetch(`${srv.base}/me`, { headers: { Authorization: 'Token wrong' } });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Token');
  r = await fetch(`${srv.base}/me`);
  assert.equal(r.status, 401);

  // pass(): the public view lets anonymous requests through
  r = await fetch(`${srv.base}/me?view=public`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { user: null, auth: null, authenticated: false });

  // fail(403)
  r = await fetch(`${srv.base}/me?view=admin`, { headers: { Authorization: basic('alice', 's3cret') } });
  assert.equal(r.status, 403);

  // fail(429) with Retry-After
  assert.equal((await fetch(`${srv.base}/me?view=limited`)).status, 200);
  r = await fetch(`${srv.base}/me?view=limited`);
  assert.equal(r.status, 429);
  assert.match(r.headers.get('retry-after'), /^\d+$/);

  // error(err): the callback's exception, unchanged
  r = await fetch(`${srv.base}/me`, { headers: { 'X-Boom': '1' } });
  assert.equal(r.status, 500);
  assert.equal(errs[0], boom);
});

test('Passport strategy with failWithError gives the 403 detail to the error handler', async (t) => {
  const { engine } = engineWithUsers();
  const pp = new passport.Passport();
  pp.use('policy', new Strategy(engine, { view: 'admin' }));
  const app = express();
  app.get('/', pp.authenticate('policy', { session: false, failWithError: true }), (req, res) => res.send('ok'));
  app.use((err, req, res, next) => res.status(err.status).json({ name: err.name })); // eslint-disable-line no-unused-vars
  const srv = await listen(app);
  t.after(() => { srv.close(); engine.close(); });
  const r = await fetch(srv.base + '/', { headers: { Authorization: basic('alice', 's3cret') } });
  assert.equal(r.status, 403);
  assert.deepEqual(await r.json(), { name: 'AuthenticationError' });
});

test('the example app works end to end', async (t) => {
  const os = require('node:os');
  const fs = require('node:fs');
  const path = require('node:path');
  const { createEngine, createApp } = require('../example/app');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authp-example-'));
  const engine = createEngine(path.join(dir, 'db.sqlite3'));
  engine.users.add('alice', 's3cret');
  const srv = await listen(createApp(engine));
  t.after(async () => { await srv.close(); engine.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  let r = await fetch(`${srv.base}/tokens`, { method: 'POST', headers: { Authorization: basic('alice', 's3cret') } });
  assert.equal(r.status, 201);
  const { token } = await r.json();
  r = await fetch(`${srv.base}/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.deepEqual(await r.json(), { user: 'alice', auth: { type: 'token', name: 'example' }, via: 'TokenAuthentication' });
  r = await fetch(`${srv.base}/me`, { headers: { 'X-Api-Key': 'demo-key' } });
  assert.equal((await r.json()).user, 'robot');
  assert.equal((await fetch(`${srv.base}/admin`, { headers: { 'X-Api-Key': 'demo-key' } })).status, 403);
  assert.equal((await fetch(`${srv.base}/passport/me`, { headers: { Authorization: `Token ${token}` } })).status, 200);
  assert.equal((await fetch(`${srv.base}/public`)).status, 200);
});
