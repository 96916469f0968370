'use strict';
// Example: an Express app whose authentication and permissions are libauthpolicy's.
//
//   node bindings/node/example/app.js create-user alice s3cret [--staff]
//   PORT=8000 node bindings/node/example/app.js
//   curl -u alice:s3cret -X POST localhost:8000/tokens          → {"token": "…"}
//   curl -H "Authorization: Token …" localhost:8000/me
//   curl -H "X-Api-Key: demo-key" localhost:8000/me              (a JS authenticator)
//   curl localhost:8000/public                                  (AllowAny, throttled to 5/min)
const path = require('node:path');
const express = require('express');
const passport = require('passport');
const { Engine, BaseAuthentication, AuthenticationFailed } = require('..');
const { middleware, Strategy } = require('../express');

const API_KEYS = { 'demo-key': { username: 'robot', id: 1000, isStaff: false } };

class ApiKeyAuthentication extends BaseAuthentication {
  authenticate(request) {
    const key = request.headers.get('X-Api-Key');
    if (key === null) return null;
    const user = API_KEYS[key];
    if (!user) throw new AuthenticationFailed('Unknown API key.');
    return [user, { type: 'api-key' }];
  }
}

function createEngine(database = process.env.AUTHPOLICY_DB || path.join(__dirname, 'example.sqlite3')) {
  return new Engine({
    DATABASE: database,
    PASSWORD_ITERATIONS: 100000,
    DEFAULT_AUTHENTICATION_CLASSES: [{ class: 'TokenAuthentication', keyword: ['Token', 'Bearer'] }, 'ApiKey', 'BasicAuthentication'],
    DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'],
    DEFAULT_THROTTLE_RATES: { anon: '5/min' },
    VIEWS: {
      login: { authentication_classes: ['BasicAuthentication'] },
      admin: { permission_classes: ['IsAdminUser'] },
      public: { permission_classes: ['AllowAny'], throttle_classes: ['AnonRateThrottle'] },
    },
  }, { authenticators: { ApiKey: ApiKeyAuthentication } });
}

function createApp(engine) {
  const app = express();
  const views = { '/tokens': 'login', '/admin': 'admin', '/public': 'public' };
  const policy = middleware(engine, { view: (req) => views[req.path] || null });

  app.post('/tokens', policy, (req, res) => {
    res.status(201).json({ token: engine.tokens.create(req.user.username, { name: 'example', expiresIn: 3600 }) });
  });
  app.get('/me', policy, (req, res) => res.json({ user: req.user.username, auth: req.auth, via: req.authpolicy.authenticator }));
  app.get('/admin', policy, (req, res) => res.json({ users: engine.users.list().map((u) => u.username) }));
  app.get('/public', policy, (req, res) => res.json({ hello: req.user ? req.user.username : 'anonymous' }));

  // The same policy as a Passport strategy.
  const pp = new passport.Passport();
  pp.use(new Strategy(engine));
  app.get('/passport/me', pp.authenticate('authpolicy', { session: false }), (req, res) => res.json({ user: req.user.username }));
  return app;
}

if (require.main === module) {
  const engine = createEngine();
  const [cmd, username, password, ...flags] = process.argv.slice(2);
  if (cmd === 'create-user') {
    engine.users.add(username, password, { isStaff: flags.includes('--staff') });
    console.log(`created ${username}`);
    engine.close();
  } else {
    const port = Number(process.env.PORT || 8000);
    createApp(engine).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
  }
}

module.exports = { createEngine, createApp };
