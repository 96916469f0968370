// Type declarations of the authpolicy package (libauthpolicy for Node.js). See docs/node.md.

export type ConfigSource = Record<string, unknown> | string | Buffer | Uint8Array | URL;
export type HeaderValue = string | Buffer | Uint8Array | number | ReadonlyArray<string | Buffer>;
export type HeadersInit =
  | Record<string, HeaderValue | undefined>
  | Iterable<readonly [string, HeaderValue]>
  | Map<string, HeaderValue>
  | globalThis.Headers;

/** One HTTP request, as decide() and request() take it. */
export interface RequestInit {
  /** Default 'GET'. */
  method?: string;
  /** Default '/'. */
  path?: string;
  /** Names are case-insensitive; repeated names are joined with ", ". */
  headers?: HeadersInit;
  /** A view of the configuration's VIEWS; null/undefined: the default policy. */
  view?: string | null;
  remoteAddr?: string | null;
  secure?: boolean;
  /** The server's REMOTE_USER variable (RemoteUserAuthentication). */
  remoteUser?: string | null;
  /**
   * The DER bytes of the client certificate the TLS layer verified (mutual TLS; in Node,
   * `tlsSocket.getPeerCertificate().raw`), for certificate-bound tokens (RFC 8705,
   * `cnf.x5t#S256`). Never one taken from a request header.
   */
  clientCertificate?: Buffer | Uint8Array | null;
}

/** What a userLookup or an authenticator returns for a user (camelCase or snake_case flags). */
export interface UserRecord {
  username: string;
  id?: number | bigint | null;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  is_active?: boolean;
  is_staff?: boolean;
  is_superuser?: boolean;
  /** userLookup only: a Django-format password hash ("pbkdf2_sha256$…"); null: no usable password. */
  password?: string | null;
  attributes?: Record<string, unknown> | null;
}

export type UserQuery = { username: string; id?: undefined } | { id: number; username?: undefined };

export interface EngineOptions {
  /** Synchronous. Return a user, null (no such user), or throw Passthrough (ask the built-in directory). */
  userLookup?: ((query: UserQuery) => UserRecord | null | undefined) | null;
  /** Custom authenticators by name (classes are instantiated with no arguments). */
  authenticators?: Record<string, Authenticator | (new () => Authenticator)>;
  /** true/false, or null to let the engine check the user's hash. */
  passwordVerifier?: ((user: User, password: string) => boolean | null | undefined) | null;
  /** Seconds since the epoch (tests). */
  clock?: (() => number) | null;
  /** The engine's log lines; undefined: stderr; null: discarded. */
  logger?: ((level: 'error' | 'warning' | 'info', message: string) => void) | null;
  /** Where a relative DATABASE of an object / JSON text lives (default: the current directory). */
  baseDir?: string | null;
}

export interface Authenticator {
  /** [user, auth] (authenticated), null (not mine: the next runs), or throw AuthenticationFailed. */
  authenticate(request: RequestView): readonly [UserRecord, unknown] | null | undefined;
  /** The WWW-Authenticate value when first in a view; without it failures are 403. */
  authenticateHeader?(request: RequestView): string | null | undefined;
}

export abstract class BaseAuthentication implements Authenticator {
  abstract authenticate(request: RequestView): readonly [UserRecord, unknown] | null | undefined;
}

/** The request as a custom authenticator sees it; valid only during the call (MisuseError after). */
export class RequestView {
  private constructor();
  readonly method: string;
  readonly path: string;
  readonly view: string | null;
  readonly remoteAddr: string | null;
  readonly remoteUser: string | null;
  readonly secure: boolean;
  readonly headers: {
    /** Case-insensitive; the value decoded as ISO-8859-1 (as Node's HTTP parser does), or null. */
    get(name: string): string | null;
    getBuffer(name: string): Buffer | null;
    has(name: string): boolean;
  };
}

export class User {
  private constructor();
  readonly id: number | null;
  /** '' for the anonymous user. */
  readonly username: string;
  readonly isAuthenticated: boolean;
  readonly isAnonymous: boolean;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly attributes: Record<string, unknown>;
  toJSON(): {
    id: number | null; username: string; is_authenticated: boolean; is_active: boolean; is_staff: boolean;
    is_superuser: boolean; attributes: Record<string, unknown>;
  };
}

export interface DecisionJSON {
  allowed: boolean;
  status: number;
  code: string | null;
  detail: string | null;
  authenticator: string | null;
  body: Record<string, unknown> | null;
  user: {
    id: number | null; username: string; is_authenticated: boolean; is_active: boolean; is_staff: boolean;
    is_superuser: boolean;
  } | null;
  auth: unknown;
  headers: Record<string, string>;
}

/** The outcome of one evaluation; a denial is a value, never an exception. */
export class Decision {
  constructor(allowed: boolean, status: number, code: string | null, detail: string | null, authenticator: string | null,
    user: User | null, authJson: string | null, headers: Record<string, string>);
  readonly allowed: boolean;
  /** 200, 400, 401, 403, 429 or 503. */
  readonly status: number;
  /** 'not_authenticated', 'authentication_failed', 'permission_denied', 'throttled', …; null if allowed. */
  readonly code: string | null;
  readonly detail: string | null;
  /** The JSON body to send with a denial ({detail} or the Django package's richer body); null if allowed. */
  readonly body: { detail?: string; [key: string]: unknown } | null;
  /** WWW-Authenticate, Retry-After. */
  readonly headers: Readonly<Record<string, string>>;
  readonly user: User | null;
  readonly auth: unknown;
  readonly authenticator: string | null;
  /** Exactly the CLI's decision JSON. */
  toJSON(): DecisionJSON;
  toString(): string;
}

export type AuthStatus = 'not_run' | 'authenticated' | 'anonymous' | 'failed';

/** DRF's lazy request: user and auth authenticate on first read, at most once. */
export class Request {
  private constructor();
  readonly user: User | null;
  readonly auth: unknown;
  readonly authStatus: AuthStatus;
  readonly authenticator: string | null;
  readonly authFailure: string | null;
  readonly challenge: string | null;
  authenticate(): this;
  decide(): Decision;
  close(): void;
  [Symbol.dispose](): void;
}

export interface UserOptions {
  password?: string | Buffer | null;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
}
export interface UserListEntry {
  id: number; username: string; is_active: boolean; is_staff: boolean; is_superuser: boolean; date_joined: number;
}
export interface TokenListEntry {
  id: number; username: string; name: string | null; created: number; expires: number | null;
}

export class Users {
  private constructor();
  add(username: string, options?: UserOptions): number;
  add(username: string, password: string | Buffer | null, options?: Omit<UserOptions, 'password'>): number;
  setPassword(username: string, password: string | Buffer | null): void;
  activate(username: string): void;
  deactivate(username: string): void;
  setRoles(username: string, roles: { isStaff?: boolean; isSuperuser?: boolean }): void;
  /** Deletes the user with its tokens, OAuth tokens and sessions. */
  delete(username: string): void;
  list(): UserListEntry[];
}

export class Tokens {
  private constructor();
  /** The key (40 hex characters), shown only here. */
  create(username: string, options?: { name?: string | null; expiresIn?: number | null }): string;
  revoke(key: string): void;
  list(username?: string | null): TokenListEntry[];
}

export interface OAuthTokenListEntry {
  id: number; username: string; client_id: string; scope: string; created: number; expires: number | null;
}

export class OAuthTokens {
  private constructor();
  /** The access token (43 base64url characters), shown only here. scope: space-delimited. */
  create(username: string, options?: { clientId?: string | null; scope?: string | null; expiresIn?: number | null }): string;
  revoke(token: string): void;
  list(username?: string | null): OAuthTokenListEntry[];
}

export class Sessions {
  private constructor();
  /** Ends every session of a user; how many. */
  logoutUser(username: string): number;
  /** Deletes expired sessions; how many. */
  purge(): number;
}

/**
 * The users, API tokens, OAuth tokens and sessions of a configuration's DATABASE
 * (authp_directory). Owns its handle: close() it when done.
 */
export class Directory {
  private constructor();
  /** Opens the directory a configuration names, without building an engine (SQLite: created and migrated). */
  static open(config: ConfigSource, options?: { baseDir?: string | null }): Directory;
  readonly users: Users;
  readonly tokens: Tokens;
  readonly oauthTokens: OAuthTokens;
  readonly sessions: Sessions;
  readonly closed: boolean;
  schema(): { current: number; latest: number };
  migrate(): void;
  /** Adds (true) or removes (false) the Django notify triggers (PostgreSQL DJANGO database only). */
  djangoNotify(install?: boolean): void;
  close(): void;
  [Symbol.dispose](): void;
}

export class Engine {
  constructor(config: ConfigSource, options?: EngineOptions);
  /** The engine's directory, taken afresh for each call (follows a reload). */
  readonly users: Users;
  readonly tokens: Tokens;
  /** A new Directory on the engine's DATABASE; its writes reach this engine's caches at once. It stays valid after close(). */
  directory(): Directory;
  readonly authenticators: Record<string, Authenticator>;
  readonly closed: boolean;
  decide(request?: RequestInit): Decision;
  request(request?: RequestInit): Request;
  /** Replaces the policy without a restart; a bad one throws and the old one keeps serving. */
  reload(config: object | string | Buffer | URL, options?: { baseDir?: string }): void;
  hasView(name: string): boolean;
  invalidateCaches(): void;
  close(): void;
  [Symbol.dispose](): void;
}

export class AuthPolicyError extends Error {
  constructor(message: string, errno?: number);
  /** The C API's authp_error_code (negative). */
  readonly errno: number;
  /** Its name: 'AUTHP_ECONFIG', … */
  readonly code: string;
  /** StoreError / CallbackError from decide(): the engine's safe 503 denial. */
  decision: Decision | null;
}
export class NotFoundError extends AuthPolicyError {}
export class ExistsError extends AuthPolicyError {}
export class InvalidArgumentError extends AuthPolicyError {}
export class NoMemoryError extends AuthPolicyError {}
export class StoreError extends AuthPolicyError {}
export class CryptoError extends AuthPolicyError {}
export class VersionError extends AuthPolicyError {}
export class MisuseError extends AuthPolicyError {}
export class ConfigError extends AuthPolicyError {}
export class CallbackError extends AuthPolicyError {}

export class AuthenticationFailed extends Error {
  constructor(detail?: string);
  readonly detail: string;
  static defaultDetail: string;
}
export class Passthrough extends Error {
  constructor(message?: string);
}

export function hashPassword(password: string | Buffer, options?: { iterations?: number }): string;
export function verifyPassword(password: string | Buffer, encoded: string, options?: { minIterations?: number }): boolean;
export function checkPassword(password: string | Buffer, encoded: string, options?: { minIterations?: number }):
  { matches: boolean; needsRehash: boolean };
export function strerror(code: number): string;
export const version: string;
export const VERSION_INFO: readonly [number, number, number];
export const ABI_VERSION: number;
/** The libauthpolicy file that was loaded. */
export const libraryPath: string;
