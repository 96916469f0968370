'use strict';
// Directory: opened from a configuration without an engine, or engine.directory(), on real
// SQLite files in temporary directories.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ap, newEngine } = require('./helpers');

const NEVER = 4102444800; // 2100-01-01: a session that has not expired

function tempDb(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authp-dir-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'dir.sqlite3');
}

function config(db) {
  return { DATABASE: db, PASSWORD_ITERATIONS: 1000 };
}

// Bindings cannot log users in (authp_session_login is the host's), so a test writes the row
// docs/sessions.md describes straight into the SQLite file, with the sqlite3 shell.
function addSession(db, username, expires) {
  execFileSync('sqlite3', [db, 'INSERT INTO authp_session VALUES (randomblob(32), ' +
    `(SELECT id FROM authp_user WHERE username = '${username}'), 'hash', 0, 0, ${expires});`]);
}

test('Directory.open creates and migrates a SQLite file; schema() and migrate()', (t) => {
  const db = tempDb(t);
  const d = ap.Directory.open(config(db));
  const { current, latest } = d.schema();
  assert.equal(current, latest);
  assert.ok(latest >= 1);
  d.migrate();
  assert.deepEqual(d.schema(), { current: latest, latest });
  d.close();
  assert.ok(fs.existsSync(db));
});

test('Directory.open takes a file and resolves a relative DATABASE', (t) => {
  const db = tempDb(t);
  const dir = path.dirname(db);
  fs.writeFileSync(path.join(dir, 'policy.json'), JSON.stringify({ DATABASE: 'rel.sqlite3', PASSWORD_ITERATIONS: 1000 }));
  const a = ap.Directory.open(path.join(dir, 'policy.json'));
  a.users.add('alice', 'pw');
  a.close();
  assert.ok(fs.existsSync(path.join(dir, 'rel.sqlite3')));
  const b = ap.Directory.open({ DATABASE: 'rel.sqlite3' }, { baseDir: dir });
  assert.deepEqual(b.users.list().map((u) => u.username), ['alice']);
  b.close();
});

test('user, token and OAuth token lifecycle without an engine, seen by an engine on the file', (t) => {
  const db = tempDb(t);
  const d = ap.Directory.open(config(db));
  assert.equal(d.users.add('alice', 'pw'), 1);
  assert.equal(d.users.add('bob', null, { isStaff: true }), 2);
  assert.throws(() => d.users.add('alice', 'pw'), ap.ExistsError);
  d.users.setPassword('alice', 'new-pw');
  d.users.setRoles('alice', { isStaff: true, isSuperuser: true });
  d.users.deactivate('bob');
  const users = Object.fromEntries(d.users.list().map((u) => [u.username, u]));
  assert.equal(users.alice.is_superuser, true);
  assert.equal(users.bob.is_active, false);
  const key = d.tokens.create('alice', { name: 'ci', expiresIn: 60 });
  assert.match(key, /^[0-9a-f]{40}$/);
  assert.deepEqual(d.tokens.list('alice').map((x) => [x.username, x.name]), [['alice', 'ci']]);
  const oauth = d.oauthTokens.create('alice', { clientId: 'app', scope: 'read  write', expiresIn: 60 });
  assert.match(oauth, /^[A-Za-z0-9_-]{43}$/);
  const [listed] = d.oauthTokens.list();
  assert.deepEqual([listed.client_id, listed.scope], ['app', 'read write']);
  assert.ok(!JSON.stringify(d.tokens.list()).includes(key));
  assert.ok(!JSON.stringify(d.oauthTokens.list()).includes(oauth));
  d.close();

  const e = new ap.Engine({ ...config(db), DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication'] });
  assert.equal(e.decide({ headers: { Authorization: `Token ${key}` } }).user.username, 'alice');
  e.close();

  const again = ap.Directory.open(config(db));
  again.tokens.revoke(key);
  again.oauthTokens.revoke(oauth);
  assert.deepEqual(again.tokens.list(), []);
  assert.deepEqual(again.oauthTokens.list(), []);
  again.users.delete('alice');
  assert.deepEqual(again.users.list().map((u) => u.username), ['bob']);
  again.close();
});

test('unknown users and credentials throw NotFoundError; bad arguments InvalidArgumentError', (t) => {
  const d = ap.Directory.open(config(tempDb(t)));
  const calls = [
    () => d.users.setPassword('ghost', 'pw'),
    () => d.users.activate('ghost'),
    () => d.users.setRoles('ghost', { isStaff: true }),
    () => d.users.delete('ghost'),
    () => d.tokens.create('ghost'),
    () => d.tokens.list('ghost'),
    () => d.tokens.revoke('0'.repeat(40)),
    () => d.oauthTokens.create('ghost'),
    () => d.oauthTokens.list('ghost'),
    () => d.oauthTokens.revoke('x'.repeat(43)),
    () => d.sessions.logoutUser('ghost'),
  ];
  for (const call of calls) {
    assert.throws(call, (err) => err instanceof ap.NotFoundError && err.code === 'AUTHP_ENOTFOUND' && err.message.length > 0);
  }
  assert.throws(() => d.users.add('has space', 'pw'), ap.InvalidArgumentError);
  d.users.add('alice', 'pw');
  assert.throws(() => d.oauthTokens.create('alice', { scope: 'read "write"' }), ap.InvalidArgumentError);
  assert.throws(() => d.djangoNotify(true), (err) => err instanceof ap.InvalidArgumentError && /DJANGO/.test(err.message));
  assert.throws(() => d.oauthTokens.create('alice', { expiresIn: '60' }), /expiresIn/);
  d.close();
});

test('sessions: logoutUser and purge return counts', (t) => {
  const db = tempDb(t);
  const d = ap.Directory.open(config(db));
  d.users.add('alice', 'pw');
  d.users.add('bob', 'pw');
  addSession(db, 'alice', NEVER);
  addSession(db, 'alice', NEVER);
  addSession(db, 'alice', 1); // expired in 1970
  addSession(db, 'bob', NEVER);
  assert.equal(d.sessions.purge(), 1);
  assert.equal(d.sessions.purge(), 0);
  assert.equal(d.sessions.logoutUser('alice'), 2);
  assert.equal(d.sessions.logoutUser('alice'), 0);
  assert.equal(d.sessions.logoutUser('bob'), 1);
  d.close();
});

test('engine.directory() writes reach the engine at once (a revoked token is a 401)', (t) => {
  const e = newEngine({ DATABASE: tempDb(t), CACHE: { TTL: 3600 } });
  const d = e.directory();
  d.users.add('alice', 'pw');
  const key = d.tokens.create('alice');
  assert.equal(e.decide({ headers: { Authorization: `Token ${key}` } }).allowed, true); // cached for an hour
  d.tokens.revoke(key);
  const denied = e.decide({ headers: { Authorization: `Token ${key}` } });
  assert.deepEqual([denied.status, denied.detail], [401, 'Invalid token.']);
  assert.deepEqual(e.users.list().map((u) => u.username), ['alice']); // the 0.1 views, same database
  d.close();
  e.close();
});

test('an engine\'s directory outlives the engine, with its clock callback', () => {
  let now = 1_000_000;
  const e = newEngine({}, { clock: () => now }); // DATABASE ":memory:": only the engine's directory has it
  e.users.add('alice', 'pw');
  const d = e.directory();
  e.close();
  assert.throws(() => e.users.list(), ap.MisuseError);
  now += 10;
  d.tokens.create('alice', { expiresIn: 60 }); // reads the engine's clock (still registered)
  const [tok] = d.tokens.list('alice');
  assert.equal(tok.created, 1_000_010);
  assert.equal(tok.expires, 1_000_070);
  d.close();
});

test('a closed directory throws MisuseError; close() is idempotent', (t) => {
  const d = ap.Directory.open(config(tempDb(t)));
  const users = d.users;
  d.close();
  d.close();
  assert.equal(d.closed, true);
  assert.throws(() => users.list(), (err) => err instanceof ap.MisuseError && /closed/.test(err.message));
  assert.throws(() => d.schema(), ap.MisuseError);
});

test('Directory.open refuses a bad configuration', () => {
  assert.throws(() => ap.Directory.open({ DATABASE: 42 }), ap.ConfigError);
  assert.throws(() => ap.Directory.open(42), TypeError);
});

test('the binding declares no deprecated C API call (the 0.1 engine-based administration)', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', 'lib', 'native.js'), 'utf8');
  const deprecated = /\bauthp_(user_add|user_set_\w+|user_list_json|token_\w+|oauth_token_\w+|session_logout_user)\(/g;
  assert.deepEqual(source.match(deprecated), null);
  assert.match(source, /authp_directory_user_add\(/); // the pattern would see a declaration
});

test('unclosed directories are freed by the FinalizationRegistry (their file descriptors come back)', async (t) => {
  if (typeof global.gc !== 'function') assert.fail('run with node --expose-gc (scripts/test-node.sh does)');
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const db = tempDb(t);
  const before = fds();
  (() => {
    for (let i = 0; i < 50; i++) ap.Directory.open(config(db)).schema();
  })();
  const opened = fds();
  assert.ok(opened >= before + 50, `open directories should hold descriptors: ${before} before, ${opened} after`);
  for (let i = 0; i < 50 && fds() > before + 5; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const after = fds();
  assert.ok(after <= before + 5, `descriptors not released: ${before} before, ${opened} with 50 open, ${after} after GC`);
});
