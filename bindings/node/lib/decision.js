'use strict';
// Decision and User: plain JS copies of what the library returned (the C handles are freed at
// once, so nothing here needs close() or a finalizer).

const { fn, bytesAt } = require('./native');

/** A user as the engine saw it (Django's auth_user fields plus free-form attributes). */
class User {
  /** @param {object} json the C API's user JSON; @param {string} attributesJson */
  constructor(json, attributesJson) {
    this.id = json.id === undefined ? null : json.id;
    this.username = json.username;
    this.isAuthenticated = !!json.is_authenticated;
    this.isActive = !!json.is_active;
    this.isStaff = !!json.is_staff;
    this.isSuperuser = !!json.is_superuser;
    this._attributesJson = attributesJson || '{}';
    this._attributes = null;
  }

  get isAnonymous() {
    return !this.isAuthenticated;
  }

  /** Extra attributes from a user lookup or custom authenticator (a new object each read). */
  get attributes() {
    return this._attributesJson === '{}' ? {} : JSON.parse(this._attributesJson);
  }

  toJSON() {
    return {
      id: this.id, username: this.username, is_authenticated: this.isAuthenticated, is_active: this.isActive,
      is_staff: this.isStaff, is_superuser: this.isSuperuser, attributes: this.attributes,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    if (!this.isAuthenticated) return 'User <anonymous>';
    let s = `User <${this.username}`;
    if (this.id !== null) s += ` id=${this.id}`;
    if (this.isSuperuser) s += ' superuser';
    if (this.isStaff) s += ' staff';
    if (!this.isActive) s += ' inactive';
    return s + '>';
  }
}

/** Copies a borrowed authp_user (from a request or decision) into a User. */
function copyUser(ptr) {
  if (ptr === null) return null;
  return readUser(ptr);
}

/**
 * The outcome of one evaluation: allowed (200) or a denial (400, 401, 403, 429, 503).
 * Fields are those of the CLI's decision JSON; toJSON() returns exactly that JSON.
 */
class Decision {
  constructor(allowed, status, code, detail, authenticator, user, authJson, headers, bodyJson = null) {
    this.allowed = allowed;
    /** 200, 400, 401, 403, 429 or 503. */
    this.status = status;
    /** DRF's code ('not_authenticated', 'authentication_failed', 'permission_denied', 'throttled', …); null if allowed. */
    this.code = code;
    /** DRF's detail text; null if allowed. */
    this.detail = detail;
    /** Name of the authentication class that succeeded, or null. */
    this.authenticator = authenticator;
    /** The User as of the decision; null when authentication did not run or UNAUTHENTICATED_USER is null. */
    this.user = user;
    /** Headers the host must send: {'WWW-Authenticate': …, 'Retry-After': …} (empty when allowed). */
    this.headers = headers;
    this._authJson = authJson;
    this._auth = undefined;
    this._bodyJson = bodyJson;
    this._body = undefined;
  }

  /**
   * The JSON body to send with a denial: {detail: …}, or the Django package's richer body
   * (simplejwt's {detail, code, messages}, DOT's required_scopes); null when allowed.
   */
  get body() {
    if (this._body === undefined) {
      this._body = this._bodyJson !== null ? JSON.parse(this._bodyJson) : this.allowed ? null : { detail: this.detail };
    }
    return this._body;
  }

  /** The auth value (any JSON value, e.g. {type: 'token', name: …}); null for none. Parsed once. */
  get auth() {
    if (this._auth === undefined) this._auth = this._authJson === null ? null : JSON.parse(this._authJson);
    return this._auth;
  }

  /** The decision as the CLI prints it (authp_decision_to_json), as an object. */
  toJSON() {
    const u = this.user;
    return {
      allowed: this.allowed, status: this.status, code: this.code, detail: this.detail, authenticator: this.authenticator,
      user: u === null ? null : {
        id: u.id, username: u.username, is_authenticated: u.isAuthenticated, is_active: u.isActive, is_staff: u.isStaff,
        is_superuser: u.isSuperuser,
      },
      auth: this._authJson === null ? null : JSON.parse(this._authJson),
      headers: { ...this.headers },
      body: this.body,
    };
  }

  /** The decision as one line of JSON text (the CLI's). */
  toString() { return JSON.stringify(this.toJSON()); }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Decision <${this.status} ${this.allowed ? 'allowed' : 'denied ' + this.code}>`;
  }
}

const EMPTY_HEADERS = Object.freeze({});
const ANONYMOUS = Object.freeze(new User({ id: null, username: '', is_authenticated: false, is_active: false,
  is_staff: false, is_superuser: false }, '{}'));
const nameOut = [null];
const valueOut = [null];
const lenOut = [0];
const bodyOut = [null];

/** Copies a borrowed authp_user field by field (cheaper than authp_user_to_json). */
function readUser(ptr) {
  // The anonymous user (no id, empty username, not authenticated) is one shared frozen object.
  if (fn.userIsAuthenticated(ptr) === 0 && fn.userHasId(ptr) === 0) {
    fn.userUsername(ptr, lenOut);
    if (lenOut[0] === 0) return ANONYMOUS;
  }
  const namePtr = fn.userUsername(ptr, lenOut);
  const u = Object.create(User.prototype);
  u.id = fn.userHasId(ptr) !== 0 ? Number(fn.userId(ptr)) : null;
  u.username = bytesAt(namePtr, lenOut[0]).toString('utf8');
  u.isAuthenticated = fn.userIsAuthenticated(ptr) !== 0;
  u.isActive = fn.userIsActive(ptr) !== 0;
  u.isStaff = fn.userIsStaff(ptr) !== 0;
  u.isSuperuser = fn.userIsSuperuser(ptr) !== 0;
  u._attributesJson = fn.userAttributesJson(ptr);
  u._attributes = null;
  return u;
}

/** Reads and frees an authp_decision handle (accessors only: no JSON is built on the C side). */
function takeDecision(ptr) {
  try {
    const allowed = fn.decisionAllowed(ptr) !== 0;
    const status = fn.decisionStatus(ptr);
    let code = null;
    let detail = null;
    let headers = EMPTY_HEADERS;
    let bodyJson = null;
    if (!allowed) {
      code = fn.decisionCode(ptr);
      if (fn.decisionBodyJson(bodyOut, lenOut, ptr) === 0) bodyJson = bodyOut[0];
      detail = fn.decisionDetail(ptr);
      const n = Number(fn.decisionHeaderCount(ptr));
      if (n > 0) {
        headers = {};
        for (let i = 0; i < n; i++) {
          if (fn.decisionHeader(ptr, i, nameOut, valueOut) === 0) headers[nameOut[0]] = valueOut[0];
        }
        Object.freeze(headers);
      }
    }
    const authenticator = fn.decisionAuthenticator(ptr);
    const userPtr = fn.decisionUser(ptr);
    const user = userPtr === null ? null : readUser(userPtr);
    const authJson = fn.decisionAuthJson(ptr);
    return new Decision(allowed, status, code, detail, authenticator, user, authJson, headers, bodyJson);
  } finally {
    fn.decisionFree(ptr);
  }
}

module.exports = { Decision, User, copyUser, takeDecision };
