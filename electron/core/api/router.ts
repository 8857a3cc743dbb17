/**
 * The API's single entry: operation lookup, input validation, session and role checks, and error
 * shaping. Handlers only see validated input and an authorised caller.
 */
import type { z } from 'zod';
import { WardError } from '../model/errors';
import { log } from '../platform/log';
import type { Session, SessionManager } from '../identity/sessions';
import { vitalsFieldErrors } from '../model/vitals';
import { operations, type CallContext, type CallResult, type OperationName, type Operations, type OutputOf } from './contract';

export interface HandlerContext {
  session: Session | null;
  channel: string;
  /** Report progress of a long step (shown by the UI). */
  progress(label: string, fraction: number): void;
}

export type Handler<N extends OperationName> = (ctx: HandlerContext, input: z.output<Operations[N]['input']>) => Promise<OutputOf<N>>;
export type Handlers = { [N in OperationName]: Handler<N> };

/** Authorised context for handlers that need a logged-in, unlocked user. */
export function requireSession(ctx: HandlerContext): Session {
  if (!ctx.session) throw new WardError('UNAUTHENTICATED', 'Please log in first.');
  return ctx.session;
}

/**
 * One message per input field, the first problem of each, keyed by the field's path
 * ('diagnosis.text'). A vitals set is a form of its own: its problems are keyed by vital sign
 * ('spo2', unknown keys by name, 'form' for the set), as the vitals form and vitals/preview key them.
 */
function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  const put = (key: string, message: string) => {
    if (!(key in fields)) fields[key] = message;
  };
  for (const issue of error.issues) {
    if (issue.path[0] === 'vitals') {
      for (const [key, message] of Object.entries(vitalsFieldErrors([{ ...issue, path: issue.path.slice(1) }]))) put(key, message);
    } else {
      put(issue.path.join('.') || '_', issue.code === 'unrecognized_keys' ? `Unexpected field(s): ${issue.keys.join(', ')}.` : issue.message);
    }
  }
  return fields;
}

export class Router {
  constructor(
    private readonly handlers: Handlers,
    private readonly sessions: SessionManager,
    private readonly publishProgress: (channel: string, operation: string, label: string, fraction: number) => void,
  ) {}

  async call(ctx: CallContext, operation: string, input: unknown): Promise<CallResult> {
    try {
      return { ok: true, result: await this.dispatch(ctx, operation, input) };
    } catch (e) {
      if (e instanceof WardError) return { ok: false, error: e.toJSON() };
      log('error', 'api.internal_error', { operation: typeof operation === 'string' ? operation.slice(0, 64) : 'invalid', error: (e as Error)?.name ?? 'unknown' });
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside WardLedger. Your data is unchanged; try again.' } };
    }
  }

  private async dispatch(ctx: CallContext, operation: string, input: unknown): Promise<unknown> {
    if (typeof operation !== 'string' || !Object.hasOwn(operations, operation)) {
      throw new WardError('UNKNOWN_OPERATION', `Unknown operation "${String(operation).slice(0, 64)}".`);
    }
    const name = operation as OperationName;
    const spec = operations[name];
    const session = this.sessions.get(ctx.sessionToken);
    if (spec.access !== 'public') {
      if (!session) throw new WardError('UNAUTHENTICATED', 'Please log in first.');
      if (session.locked && !spec.allowWhenLocked) throw new WardError('LOCKED', 'The session is locked. Enter your password to continue.');
      if (Array.isArray(spec.access) && !spec.access.includes(session.profile.role)) {
        throw new WardError('FORBIDDEN', 'Your role does not allow this action.');
      }
    }
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new WardError('BAD_INPUT', Object.values(fields)[0] ?? 'The request is not valid.', { fields });
    }
    // Activity is what a person does (session/touch from input events, and actions); repeated
    // reads a screen makes by itself do not keep a session unlocked.
    if (session && !session.locked && !spec.allowWhenLocked && !('passive' in spec && spec.passive)) this.sessions.touch(session);
    const handler = this.handlers[name] as Handler<OperationName>;
    return handler(
      {
        session,
        channel: ctx.channel,
        progress: (label, fraction) => this.publishProgress(ctx.channel, name, label, fraction),
      },
      parsed.data as never,
    );
  }
}
