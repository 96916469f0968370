'use strict';
// Errors. Every failure the C library reports is an AuthPolicyError subclass carrying the
// library's message (authp_error_last(), never a secret), `errno` (the negative authp_error_code)
// and `code` (its name, 'AUTHP_ECONFIG', as Node's system errors carry 'ENOENT').
// A denial is never an error: it is a Decision with allowed === false.

class AuthPolicyError extends Error {
  constructor(message, errno, options) {
    super(message, options);
    this.name = new.target.name;
    this.errno = errno === undefined ? new.target.errno : errno;
    this.code = CODE_NAMES[this.errno] || 'AUTHP_ERROR';
    /** For StoreError / CallbackError raised by decide(): the engine's safe 503 denial. */
    this.decision = null;
  }
}
AuthPolicyError.errno = -1;

function define(name, errno) {
  const cls = { [name]: class extends AuthPolicyError {} }[name];
  cls.errno = errno;
  return cls;
}

const NotFoundError = define('NotFoundError', -2);
const ExistsError = define('ExistsError', -3);
const InvalidArgumentError = define('InvalidArgumentError', -4);
const NoMemoryError = define('NoMemoryError', -5);
const StoreError = define('StoreError', -6);
const CryptoError = define('CryptoError', -7);
const VersionError = define('VersionError', -8);
const MisuseError = define('MisuseError', -9);
const ConfigError = define('ConfigError', -10);
const CallbackError = define('CallbackError', -11);

const CODE_NAMES = {
  [-1]: 'AUTHP_ERROR', [-2]: 'AUTHP_ENOTFOUND', [-3]: 'AUTHP_EEXISTS', [-4]: 'AUTHP_EINVALID',
  [-5]: 'AUTHP_ENOMEM', [-6]: 'AUTHP_ESTORE', [-7]: 'AUTHP_ECRYPTO', [-8]: 'AUTHP_EVERSION',
  [-9]: 'AUTHP_EMISUSE', [-10]: 'AUTHP_ECONFIG', [-11]: 'AUTHP_ECALLBACK', [-12]: 'AUTHP_EAUTHFAILED',
  [-30]: 'AUTHP_EUSER', [-31]: 'AUTHP_PASSTHROUGH',
};

const BY_ERRNO = new Map(
  [NotFoundError, ExistsError, InvalidArgumentError, NoMemoryError, StoreError, CryptoError, VersionError,
    MisuseError, ConfigError, CallbackError].map((c) => [c.errno, c]));
BY_ERRNO.set(-30, CallbackError); // AUTHP_EUSER without a JS exception to rethrow

/** The error for a C API code (the one mapping table). */
function errorForCode(errno, message) {
  const cls = BY_ERRNO.get(errno) || AuthPolicyError;
  return new cls(message, errno);
}

/**
 * Throw it from a custom authenticator's authenticate() to reject credentials of its kind:
 * the chain stops and the request is answered 401 (with the view's challenge) or 403, with
 * `detail` as the response's detail (DRF's exceptions.AuthenticationFailed).
 */
class AuthenticationFailed extends Error {
  constructor(detail) {
    const text = detail === undefined || detail === null ? AuthenticationFailed.defaultDetail : String(detail);
    super(text);
    this.name = 'AuthenticationFailed';
    this.detail = text;
  }
}
AuthenticationFailed.defaultDetail = 'Incorrect authentication credentials.';

/** Throw it from a userLookup to let the engine's built-in SQLite directory answer. */
class Passthrough extends Error {
  constructor(message = 'passthrough') {
    super(message);
    this.name = 'Passthrough';
  }
}

module.exports = {
  AuthPolicyError, NotFoundError, ExistsError, InvalidArgumentError, NoMemoryError, StoreError, CryptoError,
  VersionError, MisuseError, ConfigError, CallbackError, AuthenticationFailed, Passthrough, errorForCode, CODE_NAMES,
};
