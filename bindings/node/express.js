'use strict';
/**
 * authpolicy/express: Express (and any connect-style (req, res, next) server) middleware, and a
 * Passport strategy. Neither requires express or passport: they only use Node's http objects
 * and Passport's strategy protocol (success / fail / pass / error).
 *
 *   const { middleware, Strategy } = require('authpolicy/express');
 *   app.use(middleware(engine, { view: (req) => (req.path.startsWith('/admin') ? 'admin' : null) }));
 *   passport.use(new Strategy(engine));
 *   app.get('/me', passport.authenticate('authpolicy', { session: false }), handler);
 */
const { StoreError, CallbackError } = require('./lib/errors');

/** The decide() arguments for a Node http.IncomingMessage (Express's req). */
function requestArgs(req, view) {
  const raw = req.rawHeaders;
  const headers = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
  } else if (req.headers) {
    for (const [k, v] of Object.entries(req.headers)) headers.push([k, v]);
  }
  const socket = req.socket || {};
  return {
    method: req.method,
    path: req.originalUrl || req.url || '/',
    headers,
    view: view === undefined ? null : view,
    remoteAddr: socket.remoteAddress || null,
    secure: req.secure !== undefined ? !!req.secure : !!socket.encrypted,
  };
}

function resolveView(option, req) {
  if (typeof option === 'function') return option(req);
  return option === undefined ? null : option;
}

/** Sends a denial: the decision's status, its headers and its body ({"detail": …} or richer) as JSON. */
function sendDenial(res, decision) {
  const body = JSON.stringify(decision.body);
  res.statusCode = decision.status;
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Middleware deciding every request it sees with `engine`.
 *
 * options.view      a view name, or (req) => view name | null (null: the default policy)
 * options.property  where the Decision goes on req (default 'authpolicy')
 * options.onDenied  (req, res, next, decision) => void, to answer denials yourself
 *
 * Allowed: req.authpolicy = the Decision; req.user (authenticated users only, so that
 * Passport's req.isAuthenticated() stays right) and req.auth; then next().
 * Denied: answered here (status, WWW-Authenticate / Retry-After, the decision's JSON body).
 * A StoreError / CallbackError (database or callback broke) is answered with the engine's
 * safe 503 denial; any other exception (one thrown by your callbacks, an unknown view) goes to
 * next(err) unchanged.
 */
function middleware(engine, options = {}) {
  if (!engine || typeof engine.decide !== 'function') throw new TypeError('middleware(engine, options): engine must be an authpolicy Engine');
  const property = options.property || 'authpolicy';
  const onDenied = options.onDenied || ((req, res, next, decision) => sendDenial(res, decision));
  return function authpolicyMiddleware(req, res, next) {
    let decision;
    try {
      decision = engine.decide(requestArgs(req, resolveView(options.view, req)));
    } catch (err) {
      if ((err instanceof StoreError || err instanceof CallbackError) && err.decision) {
        req[property] = err.decision;
        return onDenied(req, res, next, err.decision);
      }
      return next(err);
    }
    req[property] = decision;
    if (!decision.allowed) return onDenied(req, res, next, decision);
    const user = decision.user;
    if (user && user.isAuthenticated) req.user = user;
    req.auth = decision.auth;
    return next();
  };
}

/**
 * A Passport strategy (name 'authpolicy'): Passport's outcomes from the engine's decision.
 *
 *   allowed, authenticated user      success(user, {auth, authenticator, decision})
 *   allowed, anonymous               pass()      (the view lets anonymous requests through)
 *   401                              fail(challenge, 401)   (Passport sends WWW-Authenticate)
 *   403, 400, 429                    fail({message: detail, code, decision}, status)
 *                                    (Retry-After is set on req.res for 429)
 *   StoreError / CallbackError / a callback's exception    error(err)
 *
 * options.view: a view name or (req) => view name; options.name: the strategy name.
 */
class Strategy {
  constructor(engine, options = {}) {
    if (!engine || typeof engine.decide !== 'function') throw new TypeError('new Strategy(engine, options): engine must be an authpolicy Engine');
    this.name = options.name || 'authpolicy';
    this._engine = engine;
    this._view = options.view;
  }

  authenticate(req, options = {}) {
    let decision;
    try {
      const view = options.view !== undefined ? options.view : resolveView(this._view, req);
      decision = this._engine.decide(requestArgs(req, view));
    } catch (err) {
      return this.error(err);
    }
    if (decision.allowed) {
      const user = decision.user;
      if (user && user.isAuthenticated) {
        return this.success(user, { auth: decision.auth, authenticator: decision.authenticator, decision });
      }
      return this.pass();
    }
    const headers = decision.headers;
    if (decision.status === 401) return this.fail(headers['WWW-Authenticate'] || 'Basic', 401);
    if (headers['Retry-After'] && req.res && !req.res.headersSent) req.res.setHeader('Retry-After', headers['Retry-After']);
    return this.fail({ message: decision.detail, code: decision.code, decision }, decision.status);
  }
}

module.exports = { middleware, Strategy, requestArgs, sendDenial };
