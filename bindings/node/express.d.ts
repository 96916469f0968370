// Type declarations of authpolicy/express. See docs/node.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, Engine, RequestInit } from './index';

type Req = IncomingMessage & Record<string, any>;
type Next = (err?: unknown) => void;

export interface MiddlewareOptions {
  /** A view name, or a function of the request (null: the default policy). */
  view?: string | null | ((req: Req) => string | null | undefined);
  /** Where the Decision goes on req (default 'authpolicy'). */
  property?: string;
  /** Answer denials yourself (default: status, challenge headers, JSON {detail}). */
  onDenied?: (req: Req, res: ServerResponse, next: Next, decision: Decision) => void;
}

/** Connect-style middleware (Express 4/5, plain http): decides every request it sees. */
export function middleware(engine: Pick<Engine, 'decide'>, options?: MiddlewareOptions):
  (req: Req, res: ServerResponse, next: Next) => void;

export interface StrategyOptions {
  view?: string | null | ((req: Req) => string | null | undefined);
  /** The strategy name (default 'authpolicy'). */
  name?: string;
}

/** A Passport strategy: success / fail / pass / error from the engine's decision. */
export class Strategy {
  constructor(engine: Pick<Engine, 'decide'>, options?: StrategyOptions);
  name: string;
  authenticate(req: Req, options?: { view?: string | null }): void;
  // Supplied by Passport at authentication time:
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  pass(): void;
  error(err: unknown): void;
}

/** The decide() arguments for a Node request (raw headers, originalUrl, socket address). */
export function requestArgs(req: Req, view?: string | null): RequestInit;
/** Sends a denial: status, headers and JSON {detail}. */
export function sendDenial(res: ServerResponse, decision: Decision): void;
