'use strict';
// Engine: authp_config + authp_engine built from a policy (object, JSON text or file) and JS
// callbacks; decide(), the hot path; the lazy Request; the built-in directory.
//
// Callbacks run synchronously on the main thread, inside the FFI call that triggered them
// (koffi calls registered JS callbacks directly when the library calls them on the thread that
// called in). A callback that throws never lets the exception cross the C frames: the trampoline
// stores it, returns AUTHP_EUSER, the library unwinds, and the binding rethrows the stored
// exception — the same object — from decide() / request.user.

const path = require('node:path');
const { koffi, fn, cb, C, bytesAt, takeString } = require('./native');
const errors = require('./errors');
const { Decision, User, copyUser, takeDecision } = require('./decision');
const { ASCII, bytesOf, utf8Of, typeName } = require('./text');
const { configSource, loadConfig } = require('./config');
const directory = require('./directory');

const { AuthenticationFailed, Passthrough, MisuseError, CallbackError, errorForCode } = errors;

// ---- errors --------------------------------------------------------------------------------

// The exception a callback threw, waiting for the FFI call that ran the callback to return.
// JS runs callbacks on one thread and FFI calls nest strictly, so one slot suffices (it is
// cleared before every call into the library that may run callbacks).
let pending = null;

function stash(err) {
  pending = { error: err };
  return C.EUSER;
}

function takePending() {
  const p = pending;
  pending = null;
  return p;
}

function lastError(rc) {
  const msg = fn.errorLast() || fn.strerror(rc);
  return errorForCode(rc, msg);
}

/** Throws for a failed call; rethrows a callback's exception for AUTHP_EUSER. */
function check(rc) {
  if (rc === C.OK) return;
  if (rc === C.EUSER) {
    const p = takePending();
    if (p) throw p.error;
  }
  throw lastError(rc);
}

// ---- callbacks -----------------------------------------------------------------------------

function field(obj, camel, snake) {
  if (obj[camel] !== undefined) return obj[camel];
  return snake === undefined ? undefined : obj[snake];
}

function flagOf(obj, camel, snake, who, dflt) {
  const v = field(obj, camel, snake);
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean' && typeof v !== 'number') {
    throw new TypeError(`${who}: '${camel}' must be a boolean, not ${typeName(v)}`);
  }
  return !!v;
}

function idOf(obj, who) {
  const v = obj.id;
  if (v === undefined || v === null) return null;
  if (!(typeof v === 'bigint' || Number.isSafeInteger(v))) {
    throw new TypeError(`${who}: 'id' must be an integer or null, not ${typeName(v)}${typeof v === 'number' ? ' ' + v : ''}`);
  }
  return v;
}

function usernameOf(obj, who) {
  if (obj === null || typeof obj !== 'object') {
    throw new TypeError(`${who} must return an object with a username (or null), not ${typeName(obj)}`);
  }
  if (typeof obj.then === 'function') {
    throw new TypeError(`${who} must answer synchronously: it returned a Promise (look the user up before deciding, ` +
      'or keep a synchronous cache)');
  }
  const name = obj.username;
  if (typeof name !== 'string') throw new TypeError(`${who}: 'username' must be a string, not ${typeName(name)}`);
  return name;
}

function attributesOf(obj, who) {
  const a = obj.attributes;
  if (a === undefined || a === null) return null;
  if (typeof a !== 'object' || Array.isArray(a)) {
    throw new TypeError(`${who}: 'attributes' must be an object, not ${typeName(a)}`);
  }
  return JSON.stringify(a);
}

function setBytes(setter, handle, buf) {
  const rc = setter(handle, buf, buf.length);
  if (rc !== C.OK) throw lastError(rc);
}

function fillBuilder(b, found) {
  const who = 'userLookup';
  const name = usernameOf(found, who);
  setBytes(fn.builderSetUsername, b, Buffer.from(name, 'utf8'));
  const id = idOf(found, who);
  if (id !== null) check(fn.builderSetId(b, id));
  check(fn.builderSetFlags(b, flagOf(found, 'isActive', 'is_active', who, true) ? 1 : 0,
    flagOf(found, 'isStaff', 'is_staff', who, false) ? 1 : 0,
    flagOf(found, 'isSuperuser', 'is_superuser', who, false) ? 1 : 0));
  const password = found.password;
  if (password !== undefined && password !== null) {
    if (typeof password !== 'string') {
      throw new TypeError(`${who}: 'password' must be a Django-format hash (string) or null, not ${typeName(password)}`);
    }
    setBytes(fn.builderSetPasswordHash, b, Buffer.from(password, 'utf8'));
  }
  const attrs = attributesOf(found, who);
  if (attrs !== null) setBytes(fn.builderSetAttributesJson, b, Buffer.from(attrs, 'utf8'));
}

function userJson(user, who) {
  const out = { username: usernameOf(user, who) };
  const id = idOf(user, who);
  if (id !== null) out.id = typeof id === 'bigint' ? Number(id) : id;
  for (const [camel, snake] of [['isActive', 'is_active'], ['isStaff', 'is_staff'], ['isSuperuser', 'is_superuser']]) {
    const v = field(user, camel, snake);
    if (v !== undefined && v !== null) out[snake] = flagOf(user, camel, snake, who, false);
  }
  const attrs = user.attributes;
  if (attrs !== undefined && attrs !== null) {
    attributesOf(user, who);
    out.attributes = attrs;
  }
  return JSON.stringify(out);
}

/**
 * What a custom authenticator sees: the request, read through the C API's authp_request_*
 * accessors, valid only while authenticate() / authenticateHeader() runs (MisuseError after).
 */
class RequestView {
  constructor(ptr) {
    this._ptr = ptr;
    const self = this;
    /** Case-insensitive header access (values decoded as ISO-8859-1, as Node's HTTP parser does). */
    this.headers = Object.freeze({
      get(name) { const b = self._header(name); return b === null ? null : b.toString('latin1'); },
      getBuffer(name) { return self._header(name); },
      has(name) { return self._header(name) !== null; },
    });
  }
  _live() {
    if (this._ptr === null) throw new MisuseError('the request view is only valid during the authenticator call', -9);
    return this._ptr;
  }
  _str(getter) {
    const len = [0];
    const p = getter(this._live(), len);
    return bytesAt(p, len[0]).toString('utf8');
  }
  _header(name) {
    const n = Buffer.from(String(name), 'latin1');
    const v = [null];
    const len = [0];
    const rc = fn.requestHeader(this._live(), n, n.length, v, len);
    if (rc === C.ENOTFOUND) return null;
    check(rc);
    return bytesAt(v[0], len[0]);
  }
  get method() { return this._str(fn.requestMethod); }
  get path() { return this._str(fn.requestPath); }
  /** The view name, or null for the default policy. */
  get view() { const v = this._str(fn.requestView); return v === '' ? null : v; }
  get remoteAddr() { const v = this._str(fn.requestRemoteAddr); return v === '' ? null : v; }
  get remoteUser() { const v = this._str(fn.requestRemoteUser); return v === '' ? null : v; }
  get secure() { return fn.requestIsSecure(this._live()) !== 0; }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this._ptr === null ? 'RequestView <expired>' : `RequestView <${this.method} ${this.path}>`;
  }
}

/** Base class of custom authenticators (DRF's BaseAuthentication contract). */
class BaseAuthentication {
  /**
   * Return null (no credentials of this kind: the next authenticator runs), [user, auth]
   * (authenticated), or throw AuthenticationFailed (bad credentials of this kind: the chain stops).
   */
  authenticate(request) { // eslint-disable-line no-unused-vars
    throw new Error('.authenticate() must be overridden.');
  }
}

function withView(req, f) {
  const view = new RequestView(req);
  try {
    return f(view);
  } finally {
    view._ptr = null;
  }
}

function makeAuthenticatorCallbacks(name, instance) {
  const authenticate = (ctx, req) => {
    try {
      let result;
      try {
        result = withView(req, (view) => instance.authenticate(view));
      } catch (e) {
        if (!(e instanceof AuthenticationFailed)) throw e;
        setBytes(fn.authnSetDetail, ctx, Buffer.from(e.detail, 'utf8'));
        return C.EAUTHFAILED;
      }
      if (result === null || result === undefined) return C.PASSTHROUGH;
      if (typeof result.then === 'function') {
        throw new TypeError(`authenticator '${name}': authenticate() must answer synchronously, not with a Promise`);
      }
      if (!Array.isArray(result) || result.length !== 2) {
        throw new TypeError(`authenticator '${name}': authenticate() must return [user, auth] or null, not ${typeName(result)}`);
      }
      setBytes(fn.authnSetUserJson, ctx, Buffer.from(userJson(result[0], 'authenticate()'), 'utf8'));
      if (result[1] !== null && result[1] !== undefined) {
        const auth = JSON.stringify(result[1]);
        if (auth === undefined) throw new TypeError('authenticate(): auth must be a JSON-serialisable value');
        setBytes(fn.authnSetAuthJson, ctx, Buffer.from(auth, 'utf8'));
      }
      return C.OK;
    } catch (e) {
      return stash(e);
    }
  };
  let challenge = null;
  if (typeof instance.authenticateHeader === 'function') {
    challenge = (ctx, req) => {
      try {
        const value = withView(req, (view) => instance.authenticateHeader(view));
        if (value === null || value === undefined) return C.PASSTHROUGH;
        if (typeof value !== 'string') {
          throw new TypeError(`authenticator '${name}': authenticateHeader() must return a string or null, not ${typeName(value)}`);
        }
        setBytes(fn.authnSetChallenge, ctx, bytesOf(value, 'authenticateHeader()'));
        return C.OK;
      } catch (e) {
        return stash(e);
      }
    };
  }
  return { authenticate, challenge };
}

function userLookupCallback(lookup) {
  return (builder, kind, username, len, id) => {
    try {
      const query = kind === C.LOOKUP_BY_USERNAME ? { username: bytesAt(username, len).toString('utf8') } : { id: Number(id) };
      let found;
      try {
        found = lookup(query);
      } catch (e) {
        if (e instanceof Passthrough) return C.PASSTHROUGH;
        throw e;
      }
      if (found === null || found === undefined) return C.ENOTFOUND;
      fillBuilder(builder, found);
      return C.OK;
    } catch (e) {
      return stash(e);
    }
  };
}

function passwordVerifierCallback(verify) {
  return (matches, user, password, len) => {
    try {
      const verdict = verify(copyUser(user), bytesAt(password, len).toString('utf8'));
      if (verdict === null || verdict === undefined) return C.PASSTHROUGH;
      if (typeof verdict.then === 'function') throw new TypeError('passwordVerifier must answer synchronously, not with a Promise');
      koffi.encode(matches, 'int', verdict ? 1 : 0);
      return C.OK;
    } catch (e) {
      return stash(e);
    }
  };
}

function clockCallback(clock) {
  return () => {
    try {
      const t = clock();
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new TypeError('clock() must return a number (seconds since the epoch)');
      return t;
    } catch (e) {
      process.emitWarning(`authpolicy clock failed: ${e && e.message}`, 'AuthPolicyWarning');
      return Date.now() / 1000;
    }
  };
}

const LEVELS = ['error', 'warning', 'info'];
function loggerCallback(logger) {
  return (level, message, len) => {
    try {
      logger(LEVELS[level] || 'error', bytesAt(message, len).toString('utf8'));
    } catch (e) {
      process.emitWarning(`authpolicy logger failed: ${e && e.message}`, 'AuthPolicyWarning');
    }
  };
}

// ---- engine --------------------------------------------------------------------------------

/**
 * The native side of an Engine: everything a finalizer needs, and nothing that refers to the
 * Engine object itself (so that the Engine can be collected).
 */
class Core {
  constructor() {
    this.engine = null;
    this.callbacks = []; // koffi.register()ed trampolines, unregistered after the engine is freed
    this.spare = []; // authp_request handles reused by decide()
    this.live = new Set(); // Request objects' handles (freed before the engine)
    this.config = null; // the authp_config, kept so that reload() keeps the same callbacks
    // Directories from engine.directory(): their handles keep the engine's services, and so its
    // callbacks (the clock), alive in the library, so the trampolines stay registered until the
    // last of them is freed too.
    this.directories = 0;
  }
  free() {
    for (const r of this.spare) fn.requestFree(r);
    this.spare = [];
    for (const r of this.live) fn.requestFree(r);
    this.live.clear();
    if (this.engine !== null) fn.engineFree(this.engine);
    this.engine = null;
    if (this.config !== null) fn.configFree(this.config);
    this.config = null;
    this.unregister();
  }
  retainDirectory() {
    this.directories++;
  }
  releaseDirectory() {
    this.directories--;
    if (this.engine === null) this.unregister();
  }
  unregister() {
    if (this.directories > 0) return;
    for (const p of this.callbacks) koffi.unregister(p);
    this.callbacks = [];
  }
}

const finalizer = new FinalizationRegistry((core) => core.free());

function callableOrNull(v, name) {
  if (v !== undefined && v !== null && typeof v !== 'function') {
    throw new TypeError(`${name} must be a function or null, not ${typeName(v)}`);
  }
  return v === undefined ? null : v;
}

function authenticatorInstances(authenticators) {
  if (authenticators === undefined || authenticators === null) return [];
  if (typeof authenticators !== 'object' || Array.isArray(authenticators)) {
    throw new TypeError('authenticators must be an object mapping names to classes or instances');
  }
  const entries = authenticators instanceof Map ? [...authenticators] : Object.entries(authenticators);
  return entries.map(([name, value]) => {
    const instance = typeof value === 'function' ? new value() : value; // eslint-disable-line new-cap
    if (instance === null || typeof instance !== 'object' || typeof instance.authenticate !== 'function') {
      throw new TypeError(`authenticator '${name}' must have an authenticate(request) method (extend BaseAuthentication)`);
    }
    if (instance.authenticate === BaseAuthentication.prototype.authenticate) {
      throw new TypeError(`authenticator '${name}' does not override authenticate()`);
    }
    return [name, instance];
  });
}

const REQUEST_KEYS = new Set(['method', 'path', 'headers', 'view', 'remoteAddr', 'secure', 'remoteUser', 'clientCertificate']);

function addHeaders(req, headers) {
  if (headers === undefined || headers === null) return;
  const add = (name, value) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(name, v);
      return;
    }
    let rc;
    if (typeof name === 'string' && typeof value === 'string' && ASCII.test(name) && ASCII.test(value)) {
      rc = fn.requestAddHeaderS(req, name, name.length, value, value.length);
    } else {
      const n = bytesOf(name, 'header name');
      const v = bytesOf(value, `header '${name}'`);
      rc = fn.requestAddHeader(req, n, n.length, v, v.length);
    }
    if (rc !== C.OK) throw lastError(rc);
  };
  if (typeof headers[Symbol.iterator] === 'function' && typeof headers !== 'string') {
    for (const pair of headers) { // Map, fetch Headers, [[name, value], …]
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('headers must be an object, a Map, a Headers or [name, value] pairs');
      add(pair[0], pair[1]);
    }
    return;
  }
  if (typeof headers !== 'object') throw new TypeError(`headers must be an object, a Map, a Headers or [name, value] pairs, not ${typeName(headers)}`);
  for (const name of Object.keys(headers)) add(name, headers[name]);
}

/** ASCII strings go as JS strings (no Buffer); anything else as latin-1/UTF-8 (header-ish) or UTF-8 bytes. */
function setText(strSetter, bufSetter, req, value, what, headerish) {
  let rc;
  if (typeof value === 'string' && ASCII.test(value)) rc = strSetter(req, value, value.length);
  else {
    const b = headerish ? bytesOf(value, what) : utf8Of(value, what);
    rc = bufSetter(req, b, b.length);
  }
  if (rc !== C.OK) throw lastError(rc);
}

function fillRequest(req, args) {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object') throw new TypeError(`the request must be an object, not ${typeName(args)}`);
  for (const k of Object.keys(args)) {
    if (!REQUEST_KEYS.has(k)) throw new TypeError(`unknown request field '${k}' (expected one of ${[...REQUEST_KEYS].join(', ')})`);
  }
  const method = args.method === undefined || args.method === null ? 'GET' : args.method;
  if (typeof method !== 'string') throw new TypeError(`method must be a string, not ${typeName(method)}`);
  setText(fn.requestSetMethodS, fn.requestSetMethod, req, method, 'method', true);
  const p = args.path === undefined || args.path === null ? '/' : args.path;
  if (typeof p !== 'string') throw new TypeError(`path must be a string, not ${typeName(p)}`);
  setText(fn.requestSetPathS, fn.requestSetPath, req, p, 'path', true);
  if (args.view !== undefined && args.view !== null) setText(fn.requestSetViewS, fn.requestSetView, req, args.view, 'view', false);
  addHeaders(req, args.headers);
  if (args.remoteAddr !== undefined && args.remoteAddr !== null) {
    setText(fn.requestSetRemoteAddrS, fn.requestSetRemoteAddr, req, args.remoteAddr, 'remoteAddr', true);
  }
  if (args.remoteUser !== undefined && args.remoteUser !== null) setBytes(fn.requestSetRemoteUser, req, utf8Of(args.remoteUser, 'remoteUser'));
  if (args.secure) check(fn.requestSetSecure(req, 1));
  if (args.clientCertificate !== undefined && args.clientCertificate !== null) {
    setBytes(fn.requestSetClientCertificate, req, certificateOf(args.clientCertificate));
  }
}

/** The DER certificate the TLS layer verified (tlsSocket.getPeerCertificate().raw): bytes only. */
function certificateOf(der) {
  if (Buffer.isBuffer(der)) return der;
  if (der instanceof Uint8Array) return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  throw new TypeError(`clientCertificate must be a Buffer or a Uint8Array (the DER certificate), not ${typeName(der)}`);
}

const MAX_SPARE = 16;
const out = [null];

/** Turns authp_engine_evaluate's answer into a Decision or an exception. */
function decisionOrThrow(rc, ptr) {
  if (rc === C.OK && ptr !== null) {
    pending = null;
    return takeDecision(ptr);
  }
  const message = rc === C.OK ? 'evaluation returned no decision' : (fn.errorLast() || fn.strerror(rc));
  const decision = ptr === null ? null : takeDecision(ptr);
  if (rc === C.EUSER) {
    const p = takePending();
    if (p) throw p.error;
  }
  const err = rc === C.OK ? new MisuseError(message, -9) : errorForCode(rc, message);
  err.decision = decision;
  throw err;
}

class Engine {
  /**
   * @param {object|string|Buffer|URL} config the policy: an object, JSON text, or a file path.
   * @param {object} [options] {userLookup, authenticators, passwordVerifier, clock, logger, baseDir}
   */
  constructor(config, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const known = new Set(['userLookup', 'authenticators', 'passwordVerifier', 'clock', 'logger', 'baseDir']);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new TypeError(`unknown option '${k}' (expected one of ${[...known].join(', ')})`);
    }
    const source = configSource(config);
    const userLookup = callableOrNull(options.userLookup, 'userLookup');
    const passwordVerifier = callableOrNull(options.passwordVerifier, 'passwordVerifier');
    const clock = callableOrNull(options.clock, 'clock');
    const logger = options.logger === undefined ? undefined : callableOrNull(options.logger, 'logger');
    const authenticators = authenticatorInstances(options.authenticators);

    const core = new Core();
    const register = (f, proto) => {
      const p = koffi.register(f, koffi.pointer(proto));
      core.callbacks.push(p);
      return p;
    };
    const cfgOut = [null];
    check(fn.configNew(cfgOut));
    const cfg = cfgOut[0];
    try {
      check(loadConfig(cfg, source, options.baseDir));
      if (userLookup) check(fn.configSetUserLookup(cfg, register(userLookupCallback(userLookup), cb.userLookup), null, null));
      if (passwordVerifier) {
        check(fn.configSetPasswordVerifier(cfg, register(passwordVerifierCallback(passwordVerifier), cb.passwordVerify), null, null));
      }
      if (clock) check(fn.configSetClock(cfg, register(clockCallback(clock), cb.clock), null, null));
      if (logger === null) check(fn.configSetLogger(cfg, null, null, null));
      else if (logger) check(fn.configSetLogger(cfg, register(loggerCallback(logger), cb.log), null, null));
      for (const [name, instance] of authenticators) {
        const t = makeAuthenticatorCallbacks(name, instance);
        const vtable = { version: 0, authenticate: null, challenge: null };
        check(fn.authenticatorInit(vtable, C.AUTHENTICATOR_VERSION));
        vtable.authenticate = register(t.authenticate, cb.authenticate);
        vtable.challenge = t.challenge ? register(t.challenge, cb.challenge) : null;
        check(fn.configAddAuthenticator(cfg, name, vtable, null, null));
      }
      const engineOut = [null];
      check(fn.engineNew(engineOut, cfg));
      core.engine = engineOut[0];
      core.config = cfg;
    } catch (e) {
      fn.configFree(cfg);
      core.free();
      throw e;
    }
    this._core = core;
    this._source = source.file !== null ? path.resolve(source.file) : '<json>';
    this.authenticators = Object.fromEntries(authenticators);
    // The 0.1 views: each call takes the engine's current directory (it follows a reload).
    this.users = new directory.Users(directory.engineSource(this));
    this.tokens = new directory.Tokens(directory.engineSource(this));
    finalizer.register(this, core, this);
  }

  _handle() {
    const h = this._core.engine;
    if (h === null) throw new MisuseError('the engine is closed', -9);
    return h;
  }

  /**
   * Evaluates one request: authentication, permissions, throttles. A denial is a Decision,
   * never an exception. Throws NotFoundError for an unknown view; a callback's exception
   * propagates unchanged; StoreError / CallbackError carry the safe 503 denial in `decision`.
   */
  decide(request) {
    const engine = this._handle();
    const core = this._core;
    let req = core.spare.pop();
    if (req === undefined) {
      const r = [null];
      check(fn.requestNew(r, engine));
      req = r[0];
    }
    try {
      fillRequest(req, request);
      pending = null;
      const rc = fn.engineEvaluate(out, engine, req);
      const d = out[0];
      out[0] = null;
      return decisionOrThrow(rc, d);
    } finally {
      if (core.engine !== null && core.spare.length < MAX_SPARE) {
        fn.requestReset(req);
        core.spare.push(req);
      } else if (core.engine !== null) {
        fn.requestFree(req);
      }
    }
  }

  /** A request whose user and auth authenticate lazily (on first read, once), as DRF's request. */
  request(request) {
    const engine = this._handle();
    const r = [null];
    check(fn.requestNew(r, engine));
    const req = r[0];
    try {
      fillRequest(req, request);
    } catch (e) {
      fn.requestFree(req);
      throw e;
    }
    return new Request(this, req);
  }

  /**
   * Replaces the policy without a restart (authp_engine_reload), with the same callbacks. The new
   * policy is built completely first: a bad one throws (ConfigError …) and the old one keeps
   * serving. Caches and remote key sets whose meaning did not change are kept.
   * @param {object|string|Buffer|URL} config
   * @param {object} [options] {baseDir}
   */
  reload(config, options = {}) {
    const engine = this._handle();
    const source = configSource(config);
    const cfg = this._core.config;
    check(loadConfig(cfg, source, options.baseDir));
    check(fn.engineReload(engine, cfg));
    this._source = source.file !== null ? path.resolve(source.file) : '<json>';
  }

  /** True if the configuration has a view of that name. */
  hasView(name) {
    const b = utf8Of(name, 'name');
    return fn.engineHasView(this._handle(), b, b.length) !== 0;
  }

  /**
   * A new Directory on the engine's DATABASE (users, tokens, OAuth tokens, sessions) whose writes
   * reach this engine's caches at once. It owns its handle: close() it when done (a finalizer
   * frees it otherwise). It stays usable after the engine is closed.
   */
  directory() {
    return directory.Directory._fromEngine(this._handle(), this._core);
  }

  /** Drops every cached credential (call it after changing users outside the library). */
  invalidateCaches() {
    fn.engineInvalidateCaches(this._handle());
  }

  /** Frees the engine now (idempotent). Requests from engine.request() stop working. */
  close() {
    if (this._core.engine === null) return;
    finalizer.unregister(this);
    this._core.free();
  }

  get closed() {
    return this._core.engine === null;
  }

  [Symbol.dispose]() {
    this.close();
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Engine <${this._source}${this.closed ? ' closed' : ''}>`;
  }
}

const AUTH_STATUS = ['not_run', 'authenticated', 'anonymous', 'failed'];
const requestFinalizer = new FinalizationRegistry(({ core, req }) => {
  if (core.live.delete(req)) fn.requestFree(req);
});

/** DRF's request: user and auth authenticate on first read, at most once. */
class Request {
  constructor(engine, req) {
    this._engine = engine; // keeps the engine alive while the request lives
    this._req = req;
    engine._core.live.add(req);
    this._token = {};
    requestFinalizer.register(this, { core: engine._core, req }, this._token);
  }

  _live() {
    if (this._req === null || !this._engine._core.live.has(this._req)) throw new MisuseError('the request (or its engine) is closed', -9);
    return this._req;
  }

  /** The user (a User, or null when UNAUTHENTICATED_USER is null); authenticates first if needed. */
  get user() {
    const req = this._live();
    const o = [null];
    pending = null;
    check(fn.requestUser(o, req));
    return copyUser(o[0]);
  }

  /** The auth value (any JSON value, or null); authenticates first if needed. */
  get auth() {
    const req = this._live();
    const o = [null];
    pending = null;
    check(fn.requestAuthJson(o, req));
    return o[0] === null ? null : JSON.parse(o[0]);
  }

  /** Runs the view's authenticators now if they have not run yet. */
  authenticate() {
    const req = this._live();
    pending = null;
    check(fn.requestAuthenticate(req));
    return this;
  }

  /** 'not_run', 'authenticated', 'anonymous' or 'failed'. */
  get authStatus() { return AUTH_STATUS[fn.requestAuthStatus(this._live())] || 'failed'; }
  /** The authenticator that succeeded, or null (does not authenticate). */
  get authenticator() { return fn.requestAuthenticator(this._live()); }
  /** The detail of an authentication failure, or null (does not authenticate). */
  get authFailure() { return fn.requestAuthFailure(this._live()); }
  /** The view's WWW-Authenticate value (DRF's authenticate_header()), or null (does not authenticate). */
  get challenge() {
    const o = [null];
    pending = null;
    const rc = fn.requestChallenge(o, this._live());
    if (rc !== C.OK) {
      takeString(o[0]);
      check(rc);
    }
    return takeString(o[0]);
  }

  /** The policy, reusing whatever authentication already ran. */
  decide() {
    const req = this._live();
    pending = null;
    const rc = fn.engineEvaluate(out, this._engine._handle(), req);
    const d = out[0];
    out[0] = null;
    return decisionOrThrow(rc, d);
  }

  /** Frees the request now (idempotent). */
  close() {
    if (this._req === null) return;
    requestFinalizer.unregister(this._token);
    if (this._engine._core.live.delete(this._req)) fn.requestFree(this._req);
    this._req = null;
  }

  [Symbol.dispose]() {
    this.close();
  }
}

// ---- passwords and versions ------------------------------------------------------------------

function ownedOut(call) {
  const o = [null];
  const rc = call(o);
  const text = takeString(o[0]);
  check(rc);
  return text;
}

function uintOpt(v, name) {
  if (v === undefined || v === null) return 0;
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw new TypeError(`${name} must be a non-negative integer`);
  return v;
}

/** A Django-format pbkdf2_sha256 hash with a fresh salt; iterations 0 means 1,000,000. */
function hashPassword(password, { iterations = 0 } = {}) {
  const pw = utf8Of(password, 'password');
  return ownedOut((o) => fn.passwordHash(o, pw, pw.length, uintOpt(iterations, 'iterations')));
}

/** {matches, needsRehash}, in constant time. An unknown or malformed format does not match. */
function checkPassword(password, encoded, { minIterations = 0 } = {}) {
  const pw = utf8Of(password, 'password');
  const enc = utf8Of(encoded, 'encoded');
  const m = [0];
  const n = [0];
  check(fn.passwordVerify(m, n, pw, pw.length, enc, enc.length, uintOpt(minIterations, 'minIterations')));
  return { matches: m[0] !== 0, needsRehash: n[0] !== 0 };
}

function verifyPassword(password, encoded, options) {
  return checkPassword(password, encoded, options).matches;
}

function strerror(code) {
  return fn.strerror(code);
}

const versionParts = [[0], [0], [0]];
fn.version(versionParts[0], versionParts[1], versionParts[2]);
const VERSION_INFO = Object.freeze(versionParts.map((p) => p[0]));
const version = fn.versionString();

module.exports = {
  Engine, Request, RequestView, Decision, User, BaseAuthentication,
  hashPassword, checkPassword, verifyPassword, strerror, version, VERSION_INFO,
  _internal: { fillRequest, bytesOf },
};
