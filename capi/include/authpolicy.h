/*
 * authpolicy.h — the stable C API of libauthpolicy.
 *
 * libauthpolicy decides whether an HTTP request may proceed, with the semantics of
 * Django REST framework: an ordered list of authenticators (the first that succeeds sets
 * `user` and `auth`), then permissions, then a decision of 200, 401 (with WWW-Authenticate),
 * 403 or 429. This header is the whole public contract: what is not declared here is not API.
 *
 * Conventions (docs/c-api.md has the long form):
 *  - Prefix `authp_` / `AUTHP_`. Opaque handles; each `authp_<type>_free` accepts NULL.
 *  - Fallible calls return int: AUTHP_OK (0) or a negative authp_error_code. Outputs come first.
 *    A message for the last failure on this thread: authp_error_last().
 *  - A denial is a value (authp_decision), never an error code.
 *  - HTTP data goes in as (pointer, length); NUL bytes are data, never terminators.
 *  - Strings that come out are borrowed from their parent handle (valid until it is freed)
 *    unless the call says the caller owns them; owned memory is released with authp_free().
 *  - Callbacks take `void *payload` last; every registration takes a payload destructor.
 *  - Threads: authp_config is single-threaded; authp_engine is immutable policy and safe to
 *    share; authp_engine_evaluate is re-entrant; authp_request and authp_decision belong to
 *    one thread at a time. Callbacks run on the thread that called into the library and may
 *    run concurrently when an engine is shared.
 */
#ifndef AUTHPOLICY_H
#define AUTHPOLICY_H

#include <stddef.h>
#include <stdint.h>

#if defined(AUTHP_STATIC)
#define AUTHP_EXTERN(type) extern type
#elif defined(_WIN32)
#if defined(AUTHP_BUILDING)
#define AUTHP_EXTERN(type) extern __declspec(dllexport) type
#else
#define AUTHP_EXTERN(type) extern __declspec(dllimport) type
#endif
#elif defined(__GNUC__)
#define AUTHP_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define AUTHP_EXTERN(type) extern type
#endif

#if defined(__GNUC__)
#define AUTHP_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define AUTHP_WARN_UNUSED
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup version Versions
 * The ABI version changes only on a breaking change and names the SONAME
 * (libauthpolicy.so.AUTHP_ABI_VERSION). Bindings should check that authp_abi_version()
 * equals the AUTHP_ABI_VERSION they were built against.
 * @{ */
#define AUTHP_VERSION_MAJOR 0
#define AUTHP_VERSION_MINOR 1
#define AUTHP_VERSION_PATCH 0
#define AUTHP_VERSION_STRING "0.1.0"
#define AUTHP_VERSION_NUMBER (AUTHP_VERSION_MAJOR * 1000000 + AUTHP_VERSION_MINOR * 1000 + AUTHP_VERSION_PATCH)
#define AUTHP_VERSION_CHECK(major, minor, patch) (AUTHP_VERSION_NUMBER >= ((major)*1000000 + (minor)*1000 + (patch)))
#define AUTHP_ABI_VERSION 0

/** Fills the runtime library version; any pointer may be NULL. */
AUTHP_EXTERN(void) authp_version(int* major, int* minor, int* patch);
/** The runtime version as "X.Y.Z"; static storage. */
AUTHP_EXTERN(const char*) authp_version_string(void);
/** The runtime ABI version (compare with AUTHP_ABI_VERSION). */
AUTHP_EXTERN(int) authp_abi_version(void);
/** @} */

/** @defgroup errors Errors
 * Codes are never renumbered or reused.
 * @{ */
typedef enum authp_error_code {
    AUTHP_OK = 0,
    AUTHP_ERROR = -1,        /**< generic failure; see authp_error_last() */
    AUTHP_ENOTFOUND = -2,    /**< no such user, token or view */
    AUTHP_EEXISTS = -3,      /**< the object already exists (duplicate username) */
    AUTHP_EINVALID = -4,     /**< an argument is invalid (bad JSON, oversize, wrong type) */
    AUTHP_ENOMEM = -5,       /**< out of memory */
    AUTHP_ESTORE = -6,       /**< the database failed (missing, locked, read-only, corrupt) */
    AUTHP_ECRYPTO = -7,      /**< OpenSSL failed */
    AUTHP_EVERSION = -8,     /**< a struct or vtable version this library does not know */
    AUTHP_EMISUSE = -9,      /**< the API was used out of order (NULL handle, wrong state) */
    AUTHP_ECONFIG = -10,     /**< the configuration is invalid; the message names the key */
    AUTHP_ECALLBACK = -11,   /**< a host callback failed or returned data that is not valid */
    AUTHP_EAUTHFAILED = -12, /**< custom authenticators return it: credentials were rejected */
    AUTHP_EUSER = -30,       /**< a callback reports that the host raised; bindings re-raise */
    AUTHP_PASSTHROUGH = -31  /**< a callback declines: not my credentials / ask the next source */
} authp_error_code;

/** Static text for a code (never NULL). */
AUTHP_EXTERN(const char*) authp_strerror(int code);
/** Message for the last failure on the calling thread; "" when none. Never contains secrets.
 * Valid until the next failing call on this thread. */
AUTHP_EXTERN(const char*) authp_error_last(void);
/** Clears the calling thread's last message. */
AUTHP_EXTERN(void) authp_error_clear(void);
/** Frees memory the library handed to the caller (keys, JSON listings). Accepts NULL.
 * Memory that held a secret is zeroised first. */
AUTHP_EXTERN(void) authp_free(void* ptr);
/** @} */

/** @defgroup handles Opaque handles
 * @{ */
typedef struct authp_config authp_config;             /**< builder: JSON policy plus callbacks */
typedef struct authp_engine authp_engine;             /**< immutable policy, shared by threads */
typedef struct authp_request authp_request;           /**< one HTTP request; lazy user/auth */
typedef struct authp_decision authp_decision;         /**< the outcome of one evaluation */
typedef struct authp_user authp_user;                 /**< a user record (borrowed views) */
typedef struct authp_user_builder authp_user_builder; /**< filled by a user-lookup callback */
typedef struct authp_authn_ctx authp_authn_ctx;       /**< filled by a custom authenticator */
typedef void (*authp_free_cb)(void* payload);
/** @} */

/** @defgroup users Users (borrowed views)
 * An anonymous user has no id, an empty username and is_authenticated = 0.
 * @{ */
AUTHP_EXTERN(int) authp_user_has_id(const authp_user* user);
AUTHP_EXTERN(int64_t) authp_user_id(const authp_user* user);
/** UTF-8 username; *len (may be NULL) receives its length. */
AUTHP_EXTERN(const char*) authp_user_username(const authp_user* user, size_t* len);
AUTHP_EXTERN(int) authp_user_is_authenticated(const authp_user* user);
AUTHP_EXTERN(int) authp_user_is_active(const authp_user* user);
AUTHP_EXTERN(int) authp_user_is_staff(const authp_user* user);
AUTHP_EXTERN(int) authp_user_is_superuser(const authp_user* user);
/** Extra attributes as a JSON object text ("{}" when none). */
AUTHP_EXTERN(const char*) authp_user_attributes_json(const authp_user* user);
/** The user as the decision JSON shows it: {"id","username","is_authenticated","is_staff",...}. */
AUTHP_EXTERN(const char*) authp_user_to_json(const authp_user* user);
/** @} */

/** @defgroup callbacks Host callbacks
 * @{ */
typedef enum authp_lookup_kind { AUTHP_LOOKUP_BY_USERNAME = 0, AUTHP_LOOKUP_BY_ID = 1 } authp_lookup_kind;

/**
 * User lookup. Called with kind BY_USERNAME (username, username_len set; id 0) or BY_ID.
 * Fill `out` through the authp_user_builder_* setters (the library copies) and return:
 *   AUTHP_OK found; AUTHP_ENOTFOUND no such user; AUTHP_PASSTHROUGH ask the built-in SQLite
 *   directory; AUTHP_EUSER the host raised (evaluation stops with AUTHP_EUSER); any other
 *   negative value is an error (evaluation stops with AUTHP_ECALLBACK).
 * A found user needs a username; is_active defaults to 1, is_staff and is_superuser to 0.
 */
typedef int (*authp_user_lookup_cb)(authp_user_builder* out, authp_lookup_kind kind, const char* username,
                                    size_t username_len, int64_t id, void* payload);

AUTHP_EXTERN(int) authp_user_builder_set_id(authp_user_builder* b, int64_t id);
AUTHP_EXTERN(int) authp_user_builder_set_username(authp_user_builder* b, const char* username, size_t len);
AUTHP_EXTERN(int) authp_user_builder_set_flags(authp_user_builder* b, int is_active, int is_staff, int is_superuser);
/** A Django-format password hash ("pbkdf2_sha256$…"); "!…" or none means no usable password. */
AUTHP_EXTERN(int) authp_user_builder_set_password_hash(authp_user_builder* b, const char* encoded, size_t len);
/** Extra attributes; must be a JSON object (AUTHP_EINVALID otherwise). */
AUTHP_EXTERN(int) authp_user_builder_set_attributes_json(authp_user_builder* b, const char* json, size_t len);

/**
 * Optional password verifier, used instead of the engine's own hash check.
 * Set *matches to 1 or 0 and return AUTHP_OK, or AUTHP_PASSTHROUGH to let the engine check
 * the user's password hash, or AUTHP_EUSER / another negative value on failure.
 */
typedef int (*authp_password_verify_cb)(int* matches, const authp_user* user, const char* password, size_t password_len,
                                        void* payload);

/** Log lines (a throttle backend going down or recovering, …); never contain secrets. */
typedef enum authp_log_level { AUTHP_LOG_ERROR = 0, AUTHP_LOG_WARNING = 1, AUTHP_LOG_INFO = 2 } authp_log_level;
typedef void (*authp_log_cb)(authp_log_level level, const char* message, size_t len, void* payload);

/** Clock: seconds since the Unix epoch. Tests inject a fixed or stepping clock. */
typedef double (*authp_clock_cb)(void* payload);

/**
 * Custom authenticator: a versioned vtable (append-only). Initialise it with
 * authp_authenticator_init() so that fields added later get their defaults.
 *
 * authenticate() reads the request through the authp_request_* accessors and returns:
 *   AUTHP_OK            authenticated; it must have called authp_authn_set_user_json() and may
 *                       call authp_authn_set_auth_json();
 *   AUTHP_PASSTHROUGH   not applicable (no credentials of its kind): the next authenticator runs;
 *   AUTHP_EAUTHFAILED   credentials of its kind were bad: the chain stops; the detail comes from
 *                       authp_authn_set_detail() ("Incorrect authentication credentials." if unset);
 *   AUTHP_EUSER         the host raised; evaluation stops with AUTHP_EUSER;
 *   any other negative  an error; evaluation stops with AUTHP_ECALLBACK.
 * challenge() (may be NULL) gives the WWW-Authenticate value used when this authenticator is
 * the first of a view: call authp_authn_set_challenge() and return AUTHP_OK, or return
 * AUTHP_PASSTHROUGH for none (then an authentication failure is answered with 403).
 */
typedef struct authp_authenticator {
    unsigned int version;
    int (*authenticate)(authp_authn_ctx* ctx, const authp_request* req, void* payload);
    int (*challenge)(authp_authn_ctx* ctx, const authp_request* req, void* payload);
} authp_authenticator;

#define AUTHP_AUTHENTICATOR_VERSION 1
#define AUTHP_AUTHENTICATOR_INIT \
    { AUTHP_AUTHENTICATOR_VERSION, NULL, NULL }
/** Fills defaults for `version`; AUTHP_EVERSION for a version this library does not know. */
AUTHP_EXTERN(int) authp_authenticator_init(authp_authenticator* vtable, unsigned int version);

/** User of a successful authentication, as JSON:
 * {"username": "…", "id": 7, "is_active": true, "is_staff": false, "is_superuser": false,
 *  "attributes": {…}}; only "username" is required. */
AUTHP_EXTERN(int) authp_authn_set_user_json(authp_authn_ctx* ctx, const char* json, size_t len);
/** The `auth` value (any JSON value; null when unset). */
AUTHP_EXTERN(int) authp_authn_set_auth_json(authp_authn_ctx* ctx, const char* json, size_t len);
/** Detail text of a failure (UTF-8). */
AUTHP_EXTERN(int) authp_authn_set_detail(authp_authn_ctx* ctx, const char* detail, size_t len);
/** The WWW-Authenticate value, from challenge(). */
AUTHP_EXTERN(int) authp_authn_set_challenge(authp_authn_ctx* ctx, const char* challenge, size_t len);
/** @} */

/** @defgroup config Configuration builder
 * The policy is JSON (docs/configuration.md); callbacks and custom authenticators are added
 * through the calls below. One config may build several engines.
 * @{ */
AUTHP_EXTERN(int) authp_config_new(authp_config** out);
AUTHP_EXTERN(void) authp_config_free(authp_config* cfg);
/** Parses the JSON policy. Relative paths inside it (DATABASE) resolve against base_dir
 * (NULL: the current directory). AUTHP_ECONFIG names the bad key, e.g. "$.VIEWS.admin.x". */
AUTHP_EXTERN(int) authp_config_load_json(authp_config* cfg, const char* json, size_t len, const char* base_dir);
/** Reads and parses a JSON file; relative paths resolve against the file's directory. */
AUTHP_EXTERN(int) authp_config_load_file(authp_config* cfg, const char* path);
AUTHP_EXTERN(int)
authp_config_set_user_lookup(authp_config* cfg, authp_user_lookup_cb cb, void* payload, authp_free_cb free_payload);
AUTHP_EXTERN(int)
authp_config_set_password_verifier(authp_config* cfg, authp_password_verify_cb cb, void* payload,
                                   authp_free_cb free_payload);
AUTHP_EXTERN(int)
authp_config_set_clock(authp_config* cfg, authp_clock_cb cb, void* payload, authp_free_cb free_payload);
/** Where log lines go. Without a logger they go to stderr ("authpolicy: error: …");
 * a NULL cb discards them. */
AUTHP_EXTERN(int)
authp_config_set_logger(authp_config* cfg, authp_log_cb cb, void* payload, authp_free_cb free_payload);
/** Registers a custom authenticator under `name` (used as {"class": name} in the JSON).
 * The vtable is copied; free_payload runs when the last engine using it is freed. */
AUTHP_EXTERN(int)
authp_config_add_authenticator(authp_config* cfg, const char* name, const authp_authenticator* vtable, void* payload,
                               authp_free_cb free_payload);
/** @} */

/** @defgroup engine Engine
 * @{ */
/** Builds the immutable engine: resolves classes, opens the database, prepares caches.
 * AUTHP_EMISUSE if no configuration was loaded successfully (load "{}" for the defaults). */
AUTHP_EXTERN(int) authp_engine_new(authp_engine** out, const authp_config* cfg) AUTHP_WARN_UNUSED;
AUTHP_EXTERN(void) authp_engine_free(authp_engine* engine);
/**
 * Replaces the engine's policy with one built from cfg, without a restart (docs/configuration.md
 * "Reload"). The new policy is built completely first: on any error (AUTHP_ECONFIG, AUTHP_ESTORE
 * …, message in authp_last_error) nothing changes and the old policy keeps serving. Then it is
 * swapped in atomically: decisions already running finish on the old policy, later ones use the
 * new one, and no decision ever sees a half-built policy. Returns once no decision uses the old
 * policy any more (called from inside a callback, the old policy is freed later instead).
 * Remote key sets are kept when their URL and fetch options did not change; with the same
 * registered callbacks, the user directory, its caches and every authenticator whose options did
 * not change are kept too; the caches of changed authenticators are dropped. Requests created for
 * this engine stay valid; one whose authentication ran before the swap authenticates again.
 * Safe to call while other threads evaluate; reloads are serialised. cfg may be freed after.
 */
AUTHP_EXTERN(int) authp_engine_reload(authp_engine* engine, const authp_config* cfg) AUTHP_WARN_UNUSED;
/** 1 if the engine has a view of that name, else 0. */
AUTHP_EXTERN(int) authp_engine_has_view(const authp_engine* engine, const char* name, size_t len);
/**
 * Runs the policy of the request's view: authentication (eagerly unless the view says
 * "perform_authentication": false), permissions, and builds the decision.
 * Returns AUTHP_OK whenever a verdict was reached, allowed or not.
 * On AUTHP_EUSER, AUTHP_ECALLBACK or AUTHP_ESTORE a callback, the database or an authorization
 * server failed (no usable remote keys, introspection endpoint unreachable): *out is still set
 * to a safe denial (503, code "service_unavailable") that the host may send; free it.
 * AUTHP_ENOTFOUND: the request names a view the engine does not have (*out is NULL).
 */
AUTHP_EXTERN(int)
authp_engine_evaluate(authp_decision** out, const authp_engine* engine, authp_request* req) AUTHP_WARN_UNUSED;
/** Drops every cached credential (call it after changing users outside the library). */
AUTHP_EXTERN(void) authp_engine_invalidate_caches(const authp_engine* engine);
/** Lookups of the engine's Basic, Token and Session credential caches since it was built: answered
 * from the cache (*hits) or not (*misses: absent, expired or invalidated). For metrics
 * (`authpolicy serve`'s /metrics). Either output may be NULL. AUTHP_EMISUSE for a NULL engine. */
AUTHP_EXTERN(int)
authp_engine_cache_stats(uint64_t* hits, uint64_t* misses, const authp_engine* engine) AUTHP_WARN_UNUSED;
/** @} */

/** @defgroup request Requests
 * Built by the host, read by authenticators. Inputs are capped (docs/limits.md); a request
 * over a cap is not an error here: it is answered 400 by authp_engine_evaluate.
 * @{ */
/** A request belongs to one engine and must be freed before it (it does not keep it alive). */
AUTHP_EXTERN(int) authp_request_new(authp_request** out, const authp_engine* engine);
AUTHP_EXTERN(void) authp_request_free(authp_request* req);
/** Clears all fields and the authentication state, keeping the engine (reuse per request). */
AUTHP_EXTERN(void) authp_request_reset(authp_request* req);
AUTHP_EXTERN(int) authp_request_set_method(authp_request* req, const char* method, size_t len);
AUTHP_EXTERN(int) authp_request_set_path(authp_request* req, const char* path, size_t len);
/** The view whose policy applies; unset or empty means the default policy. */
AUTHP_EXTERN(int) authp_request_set_view(authp_request* req, const char* view, size_t len);
/** Adds a header; names are case-insensitive; repeated names are joined with ", " ("; " for
 * Cookie, RFC 9113 §8.2.3); a second Host header marks the request malformed (a 400 decision). */
AUTHP_EXTERN(int)
authp_request_add_header(authp_request* req, const char* name, size_t name_len, const char* value, size_t value_len);
AUTHP_EXTERN(int) authp_request_set_remote_addr(authp_request* req, const char* addr, size_t len);
/** The server's REMOTE_USER variable (set by the web server, not by the client). */
AUTHP_EXTERN(int) authp_request_set_remote_user(authp_request* req, const char* user, size_t len);
AUTHP_EXTERN(int) authp_request_set_secure(authp_request* req, int secure);
/** The DER bytes of the client certificate the host's TLS layer verified (mutual TLS), for
 * certificate-bound access tokens (RFC 8705 §3: a token whose cnf has x5t#S256 is accepted only
 * with this certificate). The bytes are copied; len 0 clears it. Over 16384 bytes marks the
 * request oversize (a 400 decision). AUTHP_EMISUSE for a NULL request, or NULL der with len > 0.
 * Pass only a certificate the TLS layer checked; never one taken from a client's header. */
AUTHP_EXTERN(int) authp_request_set_client_certificate(authp_request* req, const unsigned char* der, size_t len);
/** A field of the request's form body, which the host parses (repeating a name replaces its
 * value). Only "csrfmiddlewaretoken" is read: Django's CSRF check prefers it to the X-CSRFToken
 * header on POST. At most 16 fields of 8192 bytes each (more marks the request oversize). */
AUTHP_EXTERN(int)
authp_request_set_form_field(authp_request* req, const char* name, size_t name_len, const char* value,
                             size_t value_len);

/** Accessors (for custom authenticators and hosts); *len may be NULL; "" when unset. */
AUTHP_EXTERN(const char*) authp_request_method(const authp_request* req, size_t* len);
AUTHP_EXTERN(const char*) authp_request_path(const authp_request* req, size_t* len);
AUTHP_EXTERN(const char*) authp_request_view(const authp_request* req, size_t* len);
AUTHP_EXTERN(const char*) authp_request_remote_addr(const authp_request* req, size_t* len);
AUTHP_EXTERN(const char*) authp_request_remote_user(const authp_request* req, size_t* len);
AUTHP_EXTERN(int) authp_request_is_secure(const authp_request* req);
/** Finds a header (case-insensitive): AUTHP_OK and a borrowed value, or AUTHP_ENOTFOUND (also for
 * a name longer than 256 bytes, which add_header never stores). */
AUTHP_EXTERN(int)
authp_request_header(const authp_request* req, const char* name, size_t name_len, const char** value,
                     size_t* value_len);

typedef enum authp_auth_status {
    AUTHP_AUTH_NOT_RUN = 0,       /**< nobody has read user or auth yet */
    AUTHP_AUTH_AUTHENTICATED = 1, /**< an authenticator succeeded */
    AUTHP_AUTH_ANONYMOUS = 2,     /**< no authenticator applied */
    AUTHP_AUTH_FAILED = 3         /**< an authenticator rejected the credentials; user is anonymous */
} authp_auth_status;

/** Runs the view's authenticators if they have not run yet (at most once per request).
 * AUTHP_OK whatever the outcome (see authp_request_auth_status); negative on callback or
 * database failure (the request is then left anonymous and not retried). */
AUTHP_EXTERN(int) authp_request_authenticate(authp_request* req);
AUTHP_EXTERN(authp_auth_status) authp_request_auth_status(const authp_request* req);
/** The user, authenticating first if needed. *out is NULL when UNAUTHENTICATED_USER is null. */
AUTHP_EXTERN(int) authp_request_user(const authp_user** out, authp_request* req);
/** The auth value as JSON, authenticating first if needed; *out is NULL for a null auth. */
AUTHP_EXTERN(int) authp_request_auth_json(const char** out, authp_request* req);
/** Name of the authenticator that succeeded, or NULL. Does not authenticate. */
AUTHP_EXTERN(const char*) authp_request_authenticator(const authp_request* req);
/** Detail of the authentication failure (status FAILED), or NULL. Does not authenticate. */
AUTHP_EXTERN(const char*) authp_request_auth_failure(const authp_request* req);
/** The WWW-Authenticate value a 401 for this request would carry: the challenge of its view's first
 * authenticator (DRF's authenticate_header()). Does not authenticate. AUTHP_OK with *out owned by
 * the caller (free with authp_free()), or *out NULL when the view has no authenticator or its first
 * one has no challenge (failures are then answered 403). AUTHP_ENOTFOUND for an unknown view;
 * AUTHP_EUSER or AUTHP_ECALLBACK when a custom authenticator's challenge() failed. */
AUTHP_EXTERN(int) authp_request_challenge(char** out, const authp_request* req);
/** @} */

/** @defgroup decision Decisions
 * All strings are borrowed from the decision.
 * @{ */
AUTHP_EXTERN(void) authp_decision_free(authp_decision* d);
AUTHP_EXTERN(int) authp_decision_allowed(const authp_decision* d);
/** 200, 400, 401, 403, 429 or 503. */
AUTHP_EXTERN(int) authp_decision_status(const authp_decision* d);
/** DRF's code ("not_authenticated", "authentication_failed", "permission_denied", …); NULL if allowed. */
AUTHP_EXTERN(const char*) authp_decision_code(const authp_decision* d);
/** DRF's detail text; NULL if allowed. */
AUTHP_EXTERN(const char*) authp_decision_detail(const authp_decision* d);
/** Response headers the host must send (WWW-Authenticate, Retry-After). */
AUTHP_EXTERN(size_t) authp_decision_header_count(const authp_decision* d);
AUTHP_EXTERN(int) authp_decision_header(const authp_decision* d, size_t index, const char** name, const char** value);
/** The user as of the decision; NULL when authentication did not run or the user is null. */
AUTHP_EXTERN(const authp_user*) authp_decision_user(const authp_decision* d);
/** The auth value as JSON, or NULL for null. */
AUTHP_EXTERN(const char*) authp_decision_auth_json(const authp_decision* d);
/** Name of the authenticator that succeeded, or NULL. */
AUTHP_EXTERN(const char*) authp_decision_authenticator(const authp_decision* d);
/** The whole decision as the CLI prints it (one line of JSON); *len may be NULL. */
AUTHP_EXTERN(const char*) authp_decision_to_json(const authp_decision* d, size_t* len);
/** The JSON object a host sends as the body of a denial: {"detail": "…"}, or richer where the
 * Django package does so (simplejwt's {"detail","code","messages"}, DOT's "required_scopes").
 * *out is borrowed from the decision (NUL-terminated; *len, if len is not NULL, is its length).
 * AUTHP_ENOTFOUND (and *out = NULL) when the request is allowed; AUTHP_EMISUSE for NULL d/out. */
AUTHP_EXTERN(int)
authp_decision_body_json(const char** out, size_t* len, const authp_decision* d) AUTHP_WARN_UNUSED;
/** @} */

/** @defgroup directory The directory: users, API tokens, OAuth tokens, sessions (docs/directory.md)
 * An authp_directory administers the DATABASE a configuration names (SQLite or PostgreSQL),
 * beside an engine or without one, on the same machine or another. Every write is one
 * transaction. Revocations (a token revoked, a user deactivated, deleted or given a new password,
 * sessions ended) reach engines at once when the handle came from authp_engine_directory(), or
 * when the database is PostgreSQL (LISTEN/NOTIFY); otherwise within the engines' CACHE TTL.
 * Usernames of new users are normalised (NFKC) and must be 1 to 150 bytes of UTF-8 without
 * whitespace, control, invisible or bidirectional characters or ':' (AUTHP_EINVALID).
 * @{ */
#define AUTHP_USER_STAFF 0x1u
#define AUTHP_USER_SUPERUSER 0x2u
#define AUTHP_USER_INACTIVE 0x4u

typedef struct authp_directory authp_directory; /**< administration of one DATABASE; thread-safe */

/** Opens the directory a loaded configuration names (authp_config_load_file/_json: DATABASE,
 * DATABASE_OPTIONS, DATABASE_BUSY_TIMEOUT_MS, PASSWORD_ITERATIONS; the clock set with
 * authp_config_set_clock, if any). The configuration may be freed afterwards. SQLite is created
 * and migrated at once; PostgreSQL connects on first use. AUTHP_EMISUSE if no configuration was
 * loaded. Free with authp_directory_free(). */
AUTHP_EXTERN(int) authp_directory_open(authp_directory** out, const authp_config* cfg) AUTHP_WARN_UNUSED;
/** The engine's own directory: writes through it reach the engine's caches at once. The handle
 * holds its own reference: it stays valid (and keeps the engine's callbacks in use, such as its
 * clock) after authp_engine_free(engine), until authp_directory_free(). */
AUTHP_EXTERN(int) authp_engine_directory(authp_directory** out, const authp_engine* engine) AUTHP_WARN_UNUSED;
AUTHP_EXTERN(void) authp_directory_free(authp_directory* dir);
/** Schema versions: *current in the database, *latest this library knows. A directory whose
 * schema is newer than *latest is refused (AUTHP_ESTORE) by every other call. */
AUTHP_EXTERN(int) authp_directory_schema(int* current, int* latest, authp_directory* dir);
/** Brings the schema to the latest version (each step one transaction; safe to run from several
 * processes at once). Embedded SQLite migrates itself on open; PostgreSQL on first use, too. */
AUTHP_EXTERN(int) authp_directory_migrate(authp_directory* dir);

/** Adds a user. password NULL gives an unusable password. id_out may be NULL.
 * AUTHP_EEXISTS if the username is taken. */
AUTHP_EXTERN(int)
authp_directory_user_add(int64_t* id_out, authp_directory* dir, const char* username, size_t username_len,
                         const char* password, size_t password_len, unsigned int flags);
/** password NULL makes the password unusable. Ends nothing by itself, but a session made before
 * no longer verifies (Django's session auth hash). AUTHP_ENOTFOUND for an unknown user. */
AUTHP_EXTERN(int)
authp_directory_user_set_password(authp_directory* dir, const char* username, size_t username_len, const char* password,
                                  size_t password_len);
AUTHP_EXTERN(int)
authp_directory_user_set_active(authp_directory* dir, const char* username, size_t username_len, int active);
/** Sets is_staff and is_superuser. */
AUTHP_EXTERN(int)
authp_directory_user_set_roles(authp_directory* dir, const char* username, size_t username_len, int is_staff,
                               int is_superuser);
/** Deletes the user with its tokens, OAuth tokens and sessions. AUTHP_ENOTFOUND if unknown. */
AUTHP_EXTERN(int) authp_directory_user_delete(authp_directory* dir, const char* username, size_t username_len);
/** A JSON array of users (never password hashes); caller frees with authp_free(). */
AUTHP_EXTERN(int) authp_directory_user_list_json(char** out, authp_directory* dir);

/** Creates a token: 40 lowercase hex characters (160 bits), returned once in *key_out
 * (caller frees with authp_free()); only its SHA-256 digest is stored. name may be NULL.
 * expires_in seconds; 0 = never. AUTHP_ENOTFOUND if the user does not exist. */
AUTHP_EXTERN(int)
authp_directory_token_create(char** key_out, authp_directory* dir, const char* username, size_t username_len,
                             const char* name, size_t name_len, int64_t expires_in);
/** Revokes the token with this key; AUTHP_ENOTFOUND if there is none. */
AUTHP_EXTERN(int) authp_directory_token_revoke(authp_directory* dir, const char* key, size_t key_len);
/** A JSON array of tokens (id, username, name, created, expires; never keys or digests).
 * username NULL lists every user's tokens; AUTHP_ENOTFOUND for a username that does not exist
 * (a user without tokens gets []). Caller frees with authp_free(). */
AUTHP_EXTERN(int)
authp_directory_token_list_json(char** out, authp_directory* dir, const char* username, size_t username_len);

/** Flag of authp_directory_apikey_create: an `ap_test_…` key instead of `ap_live_…`. */
#define AUTHP_APIKEY_TEST 1u
/** Creates an API key (docs/api-keys.md): `ap_live_` (or, with AUTHP_APIKEY_TEST, `ap_test_`),
 * a 12-character selector, a 32-character secret (190 bits) and a 6-character CRC32 checksum,
 * all base62. Returned once in *key_out (caller frees with authp_free()); only the selector and
 * HMAC-SHA256(pepper, selector ‖ secret) are stored. The pepper comes from the configuration's
 * API_KEYS (AUTHP_ECONFIG without it). name and scopes (space-separated, as OAuth's) may be
 * NULL; expires_in seconds, 0 = never. AUTHP_ENOTFOUND if the user does not exist. */
AUTHP_EXTERN(int)
authp_directory_apikey_create(char** key_out, authp_directory* dir, const char* username, size_t username_len,
                              const char* name, size_t name_len, const char* scopes, size_t scopes_len,
                              int64_t expires_in, unsigned int flags) AUTHP_WARN_UNUSED;
/** Revokes an API key given whole or by its selector; it stays listed with its revocation time.
 * AUTHP_EINVALID for neither, AUTHP_ENOTFOUND if unknown or already revoked. */
AUTHP_EXTERN(int)
authp_directory_apikey_revoke(authp_directory* dir, const char* selector_or_key, size_t len) AUTHP_WARN_UNUSED;
/** A JSON array of API keys (id, selector, prefix, username, name, scopes, created, expires,
 * last_used, revoked; never keys, secrets or verifiers). username NULL lists every user's;
 * AUTHP_ENOTFOUND for a username that does not exist. Caller frees with authp_free(). */
AUTHP_EXTERN(int)
authp_directory_apikey_list_json(char** out, authp_directory* dir, const char* username,
                                 size_t username_len) AUTHP_WARN_UNUSED;

/** Creates an OAuth 2.0 access token: 43 base64url characters (256 bits), returned once in
 * *token_out (caller frees with authp_free()). client_id may be NULL (""); scope is
 * space-delimited ("read write"; NULL = none). expires_in seconds; 0 = never. AUTHP_ENOTFOUND if
 * the user does not exist; AUTHP_EINVALID for a scope with quotes, backslashes or control
 * characters. */
AUTHP_EXTERN(int)
authp_directory_oauth_token_create(char** token_out, authp_directory* dir, const char* username, size_t username_len,
                                   const char* client_id, size_t client_id_len, const char* scope, size_t scope_len,
                                   int64_t expires_in);
/** Revokes the access token; AUTHP_ENOTFOUND if there is none. */
AUTHP_EXTERN(int) authp_directory_oauth_token_revoke(authp_directory* dir, const char* token, size_t token_len);
/** A JSON array of access tokens (id, username, client_id, scope, created, expires; never tokens
 * or digests). username NULL lists every user's; AUTHP_ENOTFOUND for a username that does not
 * exist. Caller frees with authp_free(). */
AUTHP_EXTERN(int)
authp_directory_oauth_token_list_json(char** out, authp_directory* dir, const char* username, size_t username_len);

/** Deletes every session of a user; *count (may be NULL) receives how many. AUTHP_ENOTFOUND for
 * an unknown user. */
AUTHP_EXTERN(int)
authp_directory_session_logout_user(int64_t* count, authp_directory* dir, const char* username, size_t username_len);
/** Deletes expired sessions; *count (may be NULL) receives how many. */
AUTHP_EXTERN(int) authp_directory_session_purge(int64_t* count, authp_directory* dir);

/** Adds (install 1) or removes (install 0) the triggers that make a Django database on PostgreSQL
 * (DJANGO.DATABASE) notify every engine when Django deletes a token or a session or changes a
 * user (docs/django.md): the only thing the library ever writes to a Django database. Idempotent,
 * one transaction. AUTHP_EINVALID without a DJANGO block or when its database is SQLite. */
AUTHP_EXTERN(int) authp_directory_django_notify(authp_directory* dir, int install);

/** Deprecated since 0.2: the same calls on the engine's directory (authp_engine_directory()).
 * Kept working for this release; define AUTHP_WARN_DEPRECATED to have the compiler flag them. */
#if defined(AUTHP_WARN_DEPRECATED) && (defined(__GNUC__) || defined(__clang__))
#define AUTHP_DEPRECATED(replacement) __attribute__((deprecated("use " replacement)))
#else
#define AUTHP_DEPRECATED(replacement)
#endif
AUTHP_EXTERN(int)
authp_user_add(int64_t* id_out, authp_engine* engine, const char* username, size_t username_len, const char* password,
               size_t password_len, unsigned int flags) AUTHP_DEPRECATED("authp_directory_user_add");
AUTHP_EXTERN(int)
authp_user_set_password(authp_engine* engine, const char* username, size_t username_len, const char* password,
                        size_t password_len) AUTHP_DEPRECATED("authp_directory_user_set_password");
AUTHP_EXTERN(int)
authp_user_set_active(authp_engine* engine, const char* username, size_t username_len, int active)
    AUTHP_DEPRECATED("authp_directory_user_set_active");
AUTHP_EXTERN(int)
authp_user_set_roles(authp_engine* engine, const char* username, size_t username_len, int is_staff, int is_superuser)
    AUTHP_DEPRECATED("authp_directory_user_set_roles");
AUTHP_EXTERN(int)
authp_user_list_json(char** out, authp_engine* engine) AUTHP_DEPRECATED("authp_directory_user_list_json");
AUTHP_EXTERN(int)
authp_token_create(char** key_out, authp_engine* engine, const char* username, size_t username_len, const char* name,
                   size_t name_len, int64_t expires_in) AUTHP_DEPRECATED("authp_directory_token_create");
AUTHP_EXTERN(int)
authp_token_revoke(authp_engine* engine, const char* key, size_t key_len)
    AUTHP_DEPRECATED("authp_directory_token_revoke");
AUTHP_EXTERN(int)
authp_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len)
    AUTHP_DEPRECATED("authp_directory_token_list_json");
/** @} */

/** @defgroup oauth OAuth 2.0 access tokens (docs/oauth2.md)
 * Opaque bearer tokens for OAuth2Authentication, stored as SHA-256 digests with their user,
 * client id, scopes and expiry; and the host's RFC 7662 introspection for tokens issued elsewhere.
 * @{ */
/** Deprecated since 0.2: authp_directory_oauth_token_create/revoke/list_json on the engine's
 * directory. */
AUTHP_EXTERN(int)
authp_oauth_token_create(char** token_out, authp_engine* engine, const char* username, size_t username_len,
                         const char* client_id, size_t client_id_len, const char* scope, size_t scope_len,
                         int64_t expires_in) AUTHP_DEPRECATED("authp_directory_oauth_token_create");
AUTHP_EXTERN(int)
authp_oauth_token_revoke(authp_engine* engine, const char* token, size_t token_len)
    AUTHP_DEPRECATED("authp_directory_oauth_token_revoke");
AUTHP_EXTERN(int)
authp_oauth_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len)
    AUTHP_DEPRECATED("authp_directory_oauth_token_list_json");

typedef struct authp_introspection authp_introspection; /**< filled by an introspection callback */
/**
 * Token introspection (RFC 7662) for OAuth2Authentication with "source": "introspection": the host
 * asks its authorization server about `token` and hands the response JSON object back through
 * authp_introspection_set_json(), returning AUTHP_OK. Only "active": true (a JSON boolean) admits
 * the token; "exp", "nbf", "scope", "client_id", "sub"/"username" are read. Any other return
 * fails the request closed (AUTHP_EUSER: the host raised; others: AUTHP_ECALLBACK). Active answers
 * are cached by token digest for introspection_cache_ttl seconds but never past their exp.
 */
typedef int (*authp_introspect_cb)(authp_introspection* out, const char* token, size_t token_len, void* payload);
AUTHP_EXTERN(int) authp_introspection_set_json(authp_introspection* ctx, const char* json, size_t len);
AUTHP_EXTERN(int)
authp_config_set_introspection(authp_config* cfg, authp_introspect_cb cb, void* payload, authp_free_cb free_payload);
/** @} */

/** @defgroup sessions Embedded sessions (SessionAuthentication; docs/sessions.md)
 * Sessions live in the engine's DATABASE (only SHA-256 digests of their keys are stored). With
 * "DJANGO" configured, sessions are Django's and these calls return AUTHP_EINVALID.
 * @{ */
/** Logs a user in: a new 32-character [a-z0-9] session key and a new CSRF secret. *session_cookie
 * and *csrf_cookie receive the Set-Cookie header values for "sessionid" and "csrftoken" (names,
 * ages and flags from "SESSIONS"); *session_key (may be NULL) the bare key. The caller frees each
 * with authp_free(). previous_key (NULL or empty: none) is the request's current session key:
 * it is deleted in the same transaction (no session fixation).
 * AUTHP_ENOTFOUND for an unknown user, AUTHP_EINVALID for an inactive one. */
AUTHP_EXTERN(int)
authp_session_login(char** session_cookie, char** csrf_cookie, char** session_key, authp_engine* engine,
                    const char* username, size_t username_len, const char* previous_key, size_t previous_key_len);
/** Logs out: deletes the session; AUTHP_ENOTFOUND if there is none. */
AUTHP_EXTERN(int) authp_session_logout(authp_engine* engine, const char* key, size_t key_len);
/** Deprecated since 0.2: authp_directory_session_logout_user on the engine's directory. */
AUTHP_EXTERN(int)
authp_session_logout_user(int64_t* count, authp_engine* engine, const char* username, size_t username_len)
    AUTHP_DEPRECATED("authp_directory_session_logout_user");
/** @} */

/** @defgroup passwords Django-format password hashes
 * @{ */
/** Hashes with pbkdf2_sha256 and a fresh 22-character salt. iterations 0 = 1,000,000. */
AUTHP_EXTERN(int) authp_password_hash(char** out, const char* password, size_t password_len, unsigned int iterations);
/** Verifies a password against an encoded hash in constant time. *needs_rehash (may be NULL)
 * is 1 when the hash uses another algorithm, fewer than min_iterations (0 = 1,000,000) or a
 * salt below 128 bits. An unknown or malformed format gives *matches = 0 and AUTHP_OK. */
AUTHP_EXTERN(int)
authp_password_verify(int* matches, int* needs_rehash, const char* password, size_t password_len, const char* encoded,
                      size_t encoded_len, unsigned int min_iterations);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* AUTHPOLICY_H */
