'use strict';
// Koffi declarations of libauthpolicy's C API (capi/include/authpolicy.h), one to one, and the
// search for the shared library. Nothing here knows about JS classes; lib/*.js builds on it.
//
// Locating libauthpolicy.so, first hit wins:
//   1. $AUTHPOLICY_LIBRARY: the path of the library file (or of a directory holding it);
//   2. the build tree of this checkout: $AUTHPOLICY_BUILD_DIR, then build/, build-bindings/ (…/capi/);
//   3. the system: dlopen("libauthpolicy.so.0") (ld.so.cache, LD_LIBRARY_PATH, /usr/local/lib after ldconfig).

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

const ABI_VERSION = 0; // AUTHP_ABI_VERSION these declarations were written against
const SONAME = 'libauthpolicy.so.' + ABI_VERSION;

function candidates() {
  const out = [];
  const env = process.env.AUTHPOLICY_LIBRARY;
  if (env) {
    let isDir = false;
    try { isDir = fs.statSync(env).isDirectory(); } catch { /* reported by load() */ }
    out.push({ file: isDir ? path.join(env, SONAME) : env, from: 'AUTHPOLICY_LIBRARY', strict: true });
    return out; // an explicit choice is never silently replaced by another library
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const dirs = [];
  if (process.env.AUTHPOLICY_BUILD_DIR) dirs.push(path.resolve(process.env.AUTHPOLICY_BUILD_DIR));
  dirs.push(path.join(root, 'build'), path.join(root, 'build-bindings'));
  for (const d of dirs) {
    for (const f of [path.join(d, 'capi', SONAME), path.join(d, SONAME)]) {
      if (fs.existsSync(f)) out.push({ file: f, from: 'build tree' });
    }
  }
  out.push({ file: SONAME, from: 'system' });
  return out;
}

function open() {
  const tried = [];
  for (const c of candidates()) {
    try {
      return { lib: koffi.load(c.file), file: c.file };
    } catch (e) {
      tried.push(`${c.file} (${c.from}): ${e.message}`);
      if (c.strict) break;
    }
  }
  const err = new Error(
    'authpolicy: cannot load libauthpolicy. Build it (cmake --build build --target authpolicy), ' +
      'set AUTHPOLICY_LIBRARY to the library file, or install it system-wide. Tried:\n  ' + tried.join('\n  '));
  err.code = 'AUTHPOLICY_LIBRARY_NOT_FOUND';
  throw err;
}

const { lib, file } = open();

// ---- types ---------------------------------------------------------------------------------
for (const name of ['authp_config', 'authp_engine', 'authp_request', 'authp_decision', 'authp_user',
  'authp_user_builder', 'authp_authn_ctx', 'authp_directory']) {
  koffi.opaque(name);
}
koffi.alias('authp_lookup_kind', 'int');
koffi.alias('authp_log_level', 'int');
koffi.alias('authp_auth_status', 'int');

const cb = {
  free: koffi.proto('void authp_free_cb(void *payload)'),
  userLookup: koffi.proto('int authp_user_lookup_cb(authp_user_builder *out, authp_lookup_kind kind, ' +
    'const void *username, size_t username_len, int64_t id, void *payload)'),
  passwordVerify: koffi.proto('int authp_password_verify_cb(int *matches, const authp_user *user, ' +
    'const void *password, size_t password_len, void *payload)'),
  log: koffi.proto('void authp_log_cb(authp_log_level level, const void *message, size_t len, void *payload)'),
  clock: koffi.proto('double authp_clock_cb(void *payload)'),
  authenticate: koffi.proto('int authp_authenticate_fn(authp_authn_ctx *ctx, const authp_request *req, void *payload)'),
  challenge: koffi.proto('int authp_challenge_fn(authp_authn_ctx *ctx, const authp_request *req, void *payload)'),
};

const authp_authenticator = koffi.struct('authp_authenticator', {
  version: 'unsigned int',
  authenticate: 'authp_authenticate_fn *',
  challenge: 'authp_challenge_fn *',
});

// ---- functions -----------------------------------------------------------------------------
// Byte inputs are declared `const uint8_t *` and passed as Buffers with their length, so that
// NUL and latin-1 bytes travel as they are; NUL-terminated inputs (names, paths) are `const char *`.
const decls = {
  version: 'void authp_version(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)',
  versionString: 'const char *authp_version_string(void)',
  abiVersion: 'int authp_abi_version(void)',
  strerror: 'const char *authp_strerror(int code)',
  errorLast: 'const char *authp_error_last(void)',
  errorClear: 'void authp_error_clear(void)',
  free: 'void authp_free(void *ptr)',

  userHasId: 'int authp_user_has_id(const authp_user *user)',
  userId: 'int64_t authp_user_id(const authp_user *user)',
  userUsername: 'const void *authp_user_username(const authp_user *user, _Out_ size_t *len)',
  userIsAuthenticated: 'int authp_user_is_authenticated(const authp_user *user)',
  userIsActive: 'int authp_user_is_active(const authp_user *user)',
  userIsStaff: 'int authp_user_is_staff(const authp_user *user)',
  userIsSuperuser: 'int authp_user_is_superuser(const authp_user *user)',
  userAttributesJson: 'const char *authp_user_attributes_json(const authp_user *user)',
  userToJson: 'const char *authp_user_to_json(const authp_user *user)',

  builderSetId: 'int authp_user_builder_set_id(authp_user_builder *b, int64_t id)',
  builderSetUsername: 'int authp_user_builder_set_username(authp_user_builder *b, const uint8_t *s, size_t len)',
  builderSetFlags: 'int authp_user_builder_set_flags(authp_user_builder *b, int is_active, int is_staff, int is_superuser)',
  builderSetPasswordHash: 'int authp_user_builder_set_password_hash(authp_user_builder *b, const uint8_t *s, size_t len)',
  builderSetAttributesJson: 'int authp_user_builder_set_attributes_json(authp_user_builder *b, const uint8_t *s, size_t len)',

  authenticatorInit: 'int authp_authenticator_init(_Inout_ authp_authenticator *vtable, unsigned int version)',
  authnSetUserJson: 'int authp_authn_set_user_json(authp_authn_ctx *ctx, const uint8_t *s, size_t len)',
  authnSetAuthJson: 'int authp_authn_set_auth_json(authp_authn_ctx *ctx, const uint8_t *s, size_t len)',
  authnSetDetail: 'int authp_authn_set_detail(authp_authn_ctx *ctx, const uint8_t *s, size_t len)',
  authnSetChallenge: 'int authp_authn_set_challenge(authp_authn_ctx *ctx, const uint8_t *s, size_t len)',

  configNew: 'int authp_config_new(_Out_ authp_config **out)',
  configFree: 'void authp_config_free(authp_config *cfg)',
  configLoadJson: 'int authp_config_load_json(authp_config *cfg, const uint8_t *json, size_t len, const char *base_dir)',
  configLoadFile: 'int authp_config_load_file(authp_config *cfg, const char *path)',
  configSetUserLookup: 'int authp_config_set_user_lookup(authp_config *cfg, authp_user_lookup_cb *cb, void *payload, authp_free_cb *free_payload)',
  configSetPasswordVerifier: 'int authp_config_set_password_verifier(authp_config *cfg, authp_password_verify_cb *cb, void *payload, authp_free_cb *free_payload)',
  configSetClock: 'int authp_config_set_clock(authp_config *cfg, authp_clock_cb *cb, void *payload, authp_free_cb *free_payload)',
  configSetLogger: 'int authp_config_set_logger(authp_config *cfg, authp_log_cb *cb, void *payload, authp_free_cb *free_payload)',
  configAddAuthenticator: 'int authp_config_add_authenticator(authp_config *cfg, const char *name, const authp_authenticator *vtable, void *payload, authp_free_cb *free_payload)',

  engineNew: 'int authp_engine_new(_Out_ authp_engine **out, const authp_config *cfg)',
  engineFree: 'void authp_engine_free(authp_engine *engine)',
  engineReload: 'int authp_engine_reload(authp_engine *engine, const authp_config *cfg)',
  engineHasView: 'int authp_engine_has_view(const authp_engine *engine, const uint8_t *name, size_t len)',
  engineEvaluate: 'int authp_engine_evaluate(_Out_ authp_decision **out, const authp_engine *engine, authp_request *req)',
  engineInvalidateCaches: 'void authp_engine_invalidate_caches(const authp_engine *engine)',

  requestNew: 'int authp_request_new(_Out_ authp_request **out, const authp_engine *engine)',
  requestFree: 'void authp_request_free(authp_request *req)',
  requestReset: 'void authp_request_reset(authp_request *req)',
  requestSetMethod: 'int authp_request_set_method(authp_request *req, const uint8_t *s, size_t len)',
  requestSetPath: 'int authp_request_set_path(authp_request *req, const uint8_t *s, size_t len)',
  requestSetView: 'int authp_request_set_view(authp_request *req, const uint8_t *s, size_t len)',
  requestAddHeader: 'int authp_request_add_header(authp_request *req, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len)',
  requestSetRemoteAddr: 'int authp_request_set_remote_addr(authp_request *req, const uint8_t *s, size_t len)',
  requestSetRemoteUser: 'int authp_request_set_remote_user(authp_request *req, const uint8_t *s, size_t len)',
  // The same entry points taking JS strings (koffi converts them to UTF-8 in its call arena):
  // used for ASCII text, where UTF-8 and ISO-8859-1 agree and no Buffer needs allocating.
  requestSetMethodS: 'int authp_request_set_method(authp_request *req, const char *s, size_t len)',
  requestSetPathS: 'int authp_request_set_path(authp_request *req, const char *s, size_t len)',
  requestSetViewS: 'int authp_request_set_view(authp_request *req, const char *s, size_t len)',
  requestAddHeaderS: 'int authp_request_add_header(authp_request *req, const char *name, size_t name_len, const char *value, size_t value_len)',
  requestSetRemoteAddrS: 'int authp_request_set_remote_addr(authp_request *req, const char *s, size_t len)',
  requestSetSecure: 'int authp_request_set_secure(authp_request *req, int secure)',
  requestSetClientCertificate: 'int authp_request_set_client_certificate(authp_request *req, const uint8_t *der, size_t len)',
  requestMethod: 'const void *authp_request_method(const authp_request *req, _Out_ size_t *len)',
  requestPath: 'const void *authp_request_path(const authp_request *req, _Out_ size_t *len)',
  requestView: 'const void *authp_request_view(const authp_request *req, _Out_ size_t *len)',
  requestRemoteAddr: 'const void *authp_request_remote_addr(const authp_request *req, _Out_ size_t *len)',
  requestRemoteUser: 'const void *authp_request_remote_user(const authp_request *req, _Out_ size_t *len)',
  requestIsSecure: 'int authp_request_is_secure(const authp_request *req)',
  requestHeader: 'int authp_request_header(const authp_request *req, const uint8_t *name, size_t name_len, _Out_ void **value, _Out_ size_t *value_len)',
  requestAuthenticate: 'int authp_request_authenticate(authp_request *req)',
  requestAuthStatus: 'authp_auth_status authp_request_auth_status(const authp_request *req)',
  requestUser: 'int authp_request_user(_Out_ authp_user **out, authp_request *req)',
  requestAuthJson: 'int authp_request_auth_json(_Out_ const char **out, authp_request *req)',
  requestAuthenticator: 'const char *authp_request_authenticator(const authp_request *req)',
  requestAuthFailure: 'const char *authp_request_auth_failure(const authp_request *req)',
  requestChallenge: 'int authp_request_challenge(_Out_ void **out, const authp_request *req)',

  decisionFree: 'void authp_decision_free(authp_decision *d)',
  decisionAllowed: 'int authp_decision_allowed(const authp_decision *d)',
  decisionStatus: 'int authp_decision_status(const authp_decision *d)',
  decisionCode: 'const char *authp_decision_code(const authp_decision *d)',
  decisionDetail: 'const char *authp_decision_detail(const authp_decision *d)',
  decisionHeaderCount: 'size_t authp_decision_header_count(const authp_decision *d)',
  decisionHeader: 'int authp_decision_header(const authp_decision *d, size_t index, _Out_ const char **name, _Out_ const char **value)',
  decisionUser: 'const authp_user *authp_decision_user(const authp_decision *d)',
  decisionAuthJson: 'const char *authp_decision_auth_json(const authp_decision *d)',
  decisionAuthenticator: 'const char *authp_decision_authenticator(const authp_decision *d)',
  decisionToJson: 'const char *authp_decision_to_json(const authp_decision *d, _Out_ size_t *len)',
  decisionBodyJson: 'int authp_decision_body_json(_Out_ const char **out, _Out_ size_t *len, const authp_decision *d)',

  directoryOpen: 'int authp_directory_open(_Out_ authp_directory **out, const authp_config *cfg)',
  engineDirectory: 'int authp_engine_directory(_Out_ authp_directory **out, const authp_engine *engine)',
  directoryFree: 'void authp_directory_free(authp_directory *dir)',
  directorySchema: 'int authp_directory_schema(_Out_ int *current, _Out_ int *latest, authp_directory *dir)',
  directoryMigrate: 'int authp_directory_migrate(authp_directory *dir)',
  directoryDjangoNotify: 'int authp_directory_django_notify(authp_directory *dir, int install)',
  userAdd: 'int authp_directory_user_add(_Out_ int64_t *id_out, authp_directory *dir, const uint8_t *username, size_t username_len, const uint8_t *password, size_t password_len, unsigned int flags)',
  userSetPassword: 'int authp_directory_user_set_password(authp_directory *dir, const uint8_t *username, size_t username_len, const uint8_t *password, size_t password_len)',
  userSetActive: 'int authp_directory_user_set_active(authp_directory *dir, const uint8_t *username, size_t username_len, int active)',
  userSetRoles: 'int authp_directory_user_set_roles(authp_directory *dir, const uint8_t *username, size_t username_len, int is_staff, int is_superuser)',
  userDelete: 'int authp_directory_user_delete(authp_directory *dir, const uint8_t *username, size_t username_len)',
  userListJson: 'int authp_directory_user_list_json(_Out_ void **out, authp_directory *dir)',
  tokenCreate: 'int authp_directory_token_create(_Out_ void **key_out, authp_directory *dir, const uint8_t *username, size_t username_len, const uint8_t *name, size_t name_len, int64_t expires_in)',
  tokenRevoke: 'int authp_directory_token_revoke(authp_directory *dir, const uint8_t *key, size_t key_len)',
  tokenListJson: 'int authp_directory_token_list_json(_Out_ void **out, authp_directory *dir, const uint8_t *username, size_t username_len)',
  oauthTokenCreate: 'int authp_directory_oauth_token_create(_Out_ void **token_out, authp_directory *dir, const uint8_t *username, size_t username_len, const uint8_t *client_id, size_t client_id_len, const uint8_t *scope, size_t scope_len, int64_t expires_in)',
  oauthTokenRevoke: 'int authp_directory_oauth_token_revoke(authp_directory *dir, const uint8_t *token, size_t token_len)',
  oauthTokenListJson: 'int authp_directory_oauth_token_list_json(_Out_ void **out, authp_directory *dir, const uint8_t *username, size_t username_len)',
  sessionLogoutUser: 'int authp_directory_session_logout_user(_Out_ int64_t *count, authp_directory *dir, const uint8_t *username, size_t username_len)',
  sessionPurge: 'int authp_directory_session_purge(_Out_ int64_t *count, authp_directory *dir)',

  passwordHash: 'int authp_password_hash(_Out_ void **out, const uint8_t *password, size_t password_len, unsigned int iterations)',
  passwordVerify: 'int authp_password_verify(_Out_ int *matches, _Out_ int *needs_rehash, const uint8_t *password, size_t password_len, const uint8_t *encoded, size_t encoded_len, unsigned int min_iterations)',
};

const fn = {};
for (const [key, decl] of Object.entries(decls)) fn[key] = lib.func(decl);

// The library must speak the ABI these declarations describe (SQLite's and git2go's advice).
const runtimeAbi = fn.abiVersion();
if (runtimeAbi !== ABI_VERSION) {
  throw new Error(`authpolicy: ${file} has ABI version ${runtimeAbi}, this package needs ${ABI_VERSION}`);
}

// ---- helpers -------------------------------------------------------------------------------
/** Copies `len` bytes at `ptr` (a pointer from the library) into a new Buffer. */
function bytesAt(ptr, len) {
  if (ptr === null || len === 0) return Buffer.alloc(0);
  return Buffer.from(koffi.decode(ptr, 'uint8_t', Number(len)));
}

/** A library-owned NUL-terminated string (char* handed to the caller): decoded, then authp_free()d. */
function takeString(ptr) {
  if (ptr === null) return null;
  try {
    return koffi.decode(ptr, 'char', -1);
  } finally {
    fn.free(ptr);
  }
}

const C = Object.freeze({
  OK: 0, ERROR: -1, ENOTFOUND: -2, EEXISTS: -3, EINVALID: -4, ENOMEM: -5, ESTORE: -6, ECRYPTO: -7,
  EVERSION: -8, EMISUSE: -9, ECONFIG: -10, ECALLBACK: -11, EAUTHFAILED: -12, EUSER: -30, PASSTHROUGH: -31,
  LOOKUP_BY_USERNAME: 0, LOOKUP_BY_ID: 1,
  AUTH_NOT_RUN: 0, AUTH_AUTHENTICATED: 1, AUTH_ANONYMOUS: 2, AUTH_FAILED: 3,
  USER_STAFF: 0x1, USER_SUPERUSER: 0x2, USER_INACTIVE: 0x4,
  AUTHENTICATOR_VERSION: 1,
});

module.exports = { koffi, lib, file, fn, cb, authp_authenticator, C, ABI_VERSION, bytesAt, takeString };
