/**
 * Errors are typed values: a stable machine code plus a message a nurse or IT admin can act on.
 * Nothing in the core throws strings. Messages must never contain PHI or key material.
 */
export type WardErrorCode =
  | 'BAD_INPUT'
  | 'UNKNOWN_OPERATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'LOCKED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'WRONG_PASSWORD'
  /** The account is still under its one-time activation code: log in again with a new password. */
  | 'ACTIVATION_REQUIRED'
  /** Too many attempts (password guesses, or sign-ins at once): details.retryAfterSeconds says when to try again. */
  | 'THROTTLED'
  | 'PENDING_APPROVAL'
  | 'DATA_DIR_LOCKED'
  | 'CHAIN'
  | 'CRYPTO'
  | 'INTEGRITY'
  | 'DEVICE'
  | 'DEVICE_TIMEOUT'
  | 'DEVICE_UNPLUGGED'
  | 'DEVICE_PERMISSION'
  | 'DEVICE_UNSUPPORTED'
  | 'PROTOCOL'
  /** The core is starting (e.g. upgrading the record store); details.label and details.fraction say how far. */
  | 'STARTING'
  | 'INTERNAL';

/** The error shape every bridge carries (a WardError's toJSON, or any code from a newer core). */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class WardError extends Error {
  override readonly name = 'WardError';
  constructor(
    readonly code: WardErrorCode,
    message: string,
    /**
     * Optional structured detail (e.g. per-field validation messages). Never PHI — except the
     * identifiers of the patient a break-glass prompt names, for the clinician who asked (errors'
     * details are never logged).
     */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: WardErrorCode; message: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Wrap anything thrown by a dependency into a WardError without leaking its text to users. */
export function asWardError(e: unknown, fallback: WardErrorCode = 'INTERNAL'): WardError {
  if (e instanceof WardError) return e;
  return new WardError(fallback, fallback === 'INTERNAL' ? 'Something went wrong inside WardLedger.' : String((e as Error)?.message ?? e));
}
