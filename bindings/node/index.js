'use strict';
/**
 * authpolicy: Django REST framework's authentication and permission policy (libauthpolicy,
 * C++ behind a stable C API) for Node.js, through koffi. See docs/node.md.
 *
 *   const { Engine } = require('authpolicy');
 *   const engine = new Engine({ DEFAULT_AUTHENTICATION_CLASSES: ['TokenAuthentication'],
 *                               DEFAULT_PERMISSION_CLASSES: ['IsAuthenticated'] });
 *   const directory = engine.directory();
 *   directory.users.add('alice', 's3cret');
 *   const key = directory.tokens.create('alice', { name: 'laptop' });
 *   directory.close();
 *   const d = engine.decide({ method: 'GET', path: '/', headers: { Authorization: `Token ${key}` } });
 *   d.allowed, d.status, d.user.username;   // true, 200, 'alice'
 *
 * Express and Passport integrations: require('authpolicy/express').
 */
const native = require('./lib/native');
const errors = require('./lib/errors');
const engine = require('./lib/engine');
const directory = require('./lib/directory');

module.exports = {
  Engine: engine.Engine,
  Request: engine.Request,
  RequestView: engine.RequestView,
  Decision: engine.Decision,
  User: engine.User,
  Directory: directory.Directory,
  Users: directory.Users,
  Tokens: directory.Tokens,
  OAuthTokens: directory.OAuthTokens,
  Sessions: directory.Sessions,
  BaseAuthentication: engine.BaseAuthentication,
  AuthPolicyError: errors.AuthPolicyError,
  NotFoundError: errors.NotFoundError,
  ExistsError: errors.ExistsError,
  InvalidArgumentError: errors.InvalidArgumentError,
  NoMemoryError: errors.NoMemoryError,
  StoreError: errors.StoreError,
  CryptoError: errors.CryptoError,
  VersionError: errors.VersionError,
  MisuseError: errors.MisuseError,
  ConfigError: errors.ConfigError,
  CallbackError: errors.CallbackError,
  AuthenticationFailed: errors.AuthenticationFailed,
  Passthrough: errors.Passthrough,
  hashPassword: engine.hashPassword,
  checkPassword: engine.checkPassword,
  verifyPassword: engine.verifyPassword,
  strerror: engine.strerror,
  version: engine.version,
  VERSION_INFO: engine.VERSION_INFO,
  ABI_VERSION: native.ABI_VERSION,
  libraryPath: native.file,
};
