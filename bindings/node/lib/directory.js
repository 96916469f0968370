'use strict';
// The directory (authp_directory): users, API tokens, OAuth tokens and sessions of a DATABASE,
// opened from a configuration without an engine (Directory.open) or taken from an engine
// (engine.directory(); engine.users and engine.tokens). No call here runs a JS callback that
// can throw (an engine's clock callback reports its own failures), so errors map straight from
// the C API's codes.

const { fn, C, takeString } = require('./native');
const { errorForCode, MisuseError } = require('./errors');
const { utf8Of, typeName } = require('./text');
const { configSource, loadConfig } = require('./config');

function check(rc) {
  if (rc !== C.OK) throw errorForCode(rc, fn.errorLast() || fn.strerror(rc));
}

/** A call that hands back library-owned text: the text, freed even when the call failed. */
function ownedOut(call) {
  const o = [null];
  const rc = call(o);
  const text = takeString(o[0]);
  check(rc);
  return text;
}

function boolOpt(opts, name, dflt) {
  const v = opts[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, not ${typeName(v)}`);
  return v;
}

function optionalUtf8(value, what) {
  return value === undefined || value === null ? null : utf8Of(value, what);
}

function secondsOpt(value) {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value)) throw new TypeError(`expiresIn must be an integer (seconds) or null, not ${typeName(value)}`);
  return value;
}

/**
 * Where the views' calls go. engineSource: the engine's current directory, taken for each call
 * (so engine.users and engine.tokens follow a reload that changes DATABASE, as in 0.1).
 */
function engineSource(engine) {
  return {
    run(f) {
      const out = [null];
      check(fn.engineDirectory(out, engine._handle()));
      try {
        return f(out[0]);
      } finally {
        fn.directoryFree(out[0]);
      }
    },
  };
}

/** A directory's users (directory.users; engine.users). */
class Users {
  constructor(source) { this._source = source; }

  /**
   * Adds a user; returns its id. add(username, password?, {isStaff, isSuperuser, isActive}) or
   * add(username, {password, isStaff, isSuperuser, isActive}). A null password is unusable.
   * ExistsError if the username is taken.
   */
  add(username, password, options) {
    if (password !== null && typeof password === 'object' && !Buffer.isBuffer(password) && !(password instanceof Uint8Array)) {
      options = password;
      password = options.password;
    }
    options = options || {};
    const name = utf8Of(username, 'username');
    let flags = 0;
    if (boolOpt(options, 'isStaff', false)) flags |= C.USER_STAFF;
    if (boolOpt(options, 'isSuperuser', false)) flags |= C.USER_SUPERUSER;
    if (!boolOpt(options, 'isActive', true)) flags |= C.USER_INACTIVE;
    const pw = optionalUtf8(password, 'password');
    const id = [0];
    this._source.run((d) => check(fn.userAdd(id, d, name, name.length, pw, pw ? pw.length : 0, flags)));
    return Number(id[0]);
  }

  /** Sets a user's password (null: unusable). NotFoundError for an unknown user. */
  setPassword(username, password) {
    const name = utf8Of(username, 'username');
    const pw = optionalUtf8(password, 'password');
    this._source.run((d) => check(fn.userSetPassword(d, name, name.length, pw, pw ? pw.length : 0)));
  }

  activate(username) { this._setActive(username, true); }
  deactivate(username) { this._setActive(username, false); }
  _setActive(username, active) {
    const name = utf8Of(username, 'username');
    this._source.run((d) => check(fn.userSetActive(d, name, name.length, active ? 1 : 0)));
  }

  /** Sets is_staff and is_superuser: setRoles(username, {isStaff, isSuperuser}). */
  setRoles(username, { isStaff = false, isSuperuser = false } = {}) {
    const name = utf8Of(username, 'username');
    this._source.run((d) => check(fn.userSetRoles(d, name, name.length, isStaff ? 1 : 0, isSuperuser ? 1 : 0)));
  }

  /** Deletes a user with its tokens, OAuth tokens and sessions. NotFoundError for an unknown user. */
  delete(username) {
    const name = utf8Of(username, 'username');
    this._source.run((d) => check(fn.userDelete(d, name, name.length)));
  }

  /** Every user: [{id, username, is_active, is_staff, is_superuser, date_joined}] (never password hashes). */
  list() {
    return JSON.parse(this._source.run((d) => ownedOut((o) => fn.userListJson(o, d))));
  }
}

/** A directory's API tokens (directory.tokens; engine.tokens). */
class Tokens {
  constructor(source) { this._source = source; }

  /**
   * Creates a token and returns its key (40 hex characters), the only time it is shown.
   * create(username, {name, expiresIn}) — expiresIn in seconds, 0/null for never.
   */
  create(username, { name = null, expiresIn = null } = {}) {
    const user = utf8Of(username, 'username');
    const label = optionalUtf8(name, 'name');
    const seconds = secondsOpt(expiresIn);
    return this._source.run((d) =>
      ownedOut((o) => fn.tokenCreate(o, d, user, user.length, label, label ? label.length : 0, seconds)));
  }

  /** Revokes the token with this key; NotFoundError if there is none. */
  revoke(key) {
    const k = utf8Of(key, 'key');
    this._source.run((d) => check(fn.tokenRevoke(d, k, k.length)));
  }

  /** Tokens (id, username, name, created, expires; never keys) of one user, or of all. */
  list(username = null) {
    const user = optionalUtf8(username, 'username');
    return JSON.parse(this._source.run((d) => ownedOut((o) => fn.tokenListJson(o, d, user, user ? user.length : 0))));
  }
}

/** A directory's OAuth 2.0 access tokens (directory.oauthTokens). */
class OAuthTokens {
  constructor(source) { this._source = source; }

  /**
   * Creates an access token (43 base64url characters) and returns it, the only time it is shown.
   * create(username, {clientId, scope, expiresIn}): scope space-delimited ('read write'),
   * expiresIn in seconds (0/null: never). NotFoundError for an unknown user, InvalidArgumentError
   * for a malformed scope.
   */
  create(username, { clientId = null, scope = null, expiresIn = null } = {}) {
    const user = utf8Of(username, 'username');
    const client = optionalUtf8(clientId, 'clientId');
    const scopes = optionalUtf8(scope, 'scope');
    const seconds = secondsOpt(expiresIn);
    return this._source.run((d) => ownedOut((o) => fn.oauthTokenCreate(o, d, user, user.length, client,
      client ? client.length : 0, scopes, scopes ? scopes.length : 0, seconds)));
  }

  /** Revokes an access token; NotFoundError if there is none. */
  revoke(token) {
    const t = utf8Of(token, 'token');
    this._source.run((d) => check(fn.oauthTokenRevoke(d, t, t.length)));
  }

  /** Access tokens (id, username, client_id, scope, created, expires; never tokens) of one user, or of all. */
  list(username = null) {
    const user = optionalUtf8(username, 'username');
    return JSON.parse(this._source.run((d) => ownedOut((o) => fn.oauthTokenListJson(o, d, user, user ? user.length : 0))));
  }
}

/** A directory's sessions (SessionAuthentication; directory.sessions). */
class Sessions {
  constructor(source) { this._source = source; }

  /** Ends every session of a user; returns how many. NotFoundError for an unknown user. */
  logoutUser(username) {
    const name = utf8Of(username, 'username');
    const count = [0];
    this._source.run((d) => check(fn.sessionLogoutUser(count, d, name, name.length)));
    return Number(count[0]);
  }

  /** Deletes expired sessions; returns how many. */
  purge() {
    const count = [0];
    this._source.run((d) => check(fn.sessionPurge(count, d)));
    return Number(count[0]);
  }
}

// What a finalizer needs: the handle and, for an engine's directory, the engine's Core.
const finalizer = new FinalizationRegistry((owned) => freeOwned(owned));

function freeOwned(owned) {
  if (owned.handle === null) return;
  fn.directoryFree(owned.handle);
  owned.handle = null;
  if (owned.core !== null) owned.core.releaseDirectory();
}

/**
 * The users, API tokens, OAuth tokens and sessions of a configuration's DATABASE. Safe to share;
 * close() it when done (a finalizer frees it otherwise).
 */
class Directory {
  constructor(handle, core) {
    this._owned = { handle, core };
    if (core !== null) core.retainDirectory();
    finalizer.register(this, this._owned, this);
    const source = { run: (f) => f(this._handle()) };
    this.users = new Users(source);
    this.tokens = new Tokens(source);
    this.oauthTokens = new OAuthTokens(source);
    this.sessions = new Sessions(source);
  }

  /**
   * Opens the directory a configuration names (DATABASE, DATABASE_OPTIONS, PASSWORD_ITERATIONS …)
   * without building an engine. SQLite is created and migrated at once.
   * @param {object|string|Buffer|URL} config as for new Engine()
   * @param {object} [options] {baseDir}: where a relative DATABASE of JSON lives
   */
  static open(config, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const source = configSource(config);
    const cfgOut = [null];
    check(fn.configNew(cfgOut));
    try {
      check(loadConfig(cfgOut[0], source, options.baseDir));
      const out = [null];
      check(fn.directoryOpen(out, cfgOut[0]));
      return new Directory(out[0], null);
    } finally {
      fn.configFree(cfgOut[0]);
    }
  }

  /** engine.directory(): a handle on the engine's directory, which keeps `core`'s callbacks alive. */
  static _fromEngine(engineHandle, core) {
    const out = [null];
    check(fn.engineDirectory(out, engineHandle));
    return new Directory(out[0], core);
  }

  _handle() {
    const h = this._owned.handle;
    if (h === null) throw new MisuseError('the directory is closed', C.EMISUSE);
    return h;
  }

  /** {current, latest}: the database's schema version and the newest this library knows. */
  schema() {
    const current = [0];
    const latest = [0];
    check(fn.directorySchema(current, latest, this._handle()));
    return { current: current[0], latest: latest[0] };
  }

  /** Brings the schema to the latest version (safe to run from several processes at once). */
  migrate() {
    check(fn.directoryMigrate(this._handle()));
  }

  /**
   * Adds (true) or removes (false) the triggers that make a Django database on PostgreSQL notify
   * engines of its revocations. InvalidArgumentError without a DJANGO block or on SQLite.
   */
  djangoNotify(install = true) {
    if (typeof install !== 'boolean') throw new TypeError(`install must be a boolean, not ${typeName(install)}`);
    check(fn.directoryDjangoNotify(this._handle(), install ? 1 : 0));
  }

  /** Frees the handle now (idempotent); later calls throw MisuseError. */
  close() {
    if (this._owned.handle === null) return;
    finalizer.unregister(this);
    freeOwned(this._owned);
  }

  get closed() {
    return this._owned.handle === null;
  }

  [Symbol.dispose]() {
    this.close();
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Directory <${this.closed ? 'closed' : 'open'}>`;
  }
}

module.exports = { Directory, Users, Tokens, OAuthTokens, Sessions, engineSource };
