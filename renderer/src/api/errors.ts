import type { ApiErrorBody } from './contract';

/** Codes the renderer itself produces (the core's codes arrive from the bridge unchanged). */
export const UNREACHABLE = 'UNREACHABLE';
export const BAD_RESPONSE = 'BAD_RESPONSE';

/** A failed API call: the core's stable code, its user-facing message and optional details. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.code = body.code;
    this.details = body.details;
  }

  /** Per-field messages (`details.fields`: field name → message), for showing next to inputs. */
  get fields(): Record<string, string> {
    const raw = this.details?.fields;
    if (!raw || typeof raw !== 'object') return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof value === 'string') out[key] = value;
      else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
    }
    return out;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'Something went wrong in the WardLedger window. Please try again.';
}

/** Narrow an unknown reply to the bridge's result shape. */
export function isCallResult(body: unknown): body is { ok: true; result: unknown } | { ok: false; error: ApiErrorBody } {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  if (b.ok === true) return 'result' in b;
  if (b.ok !== false || !b.error || typeof b.error !== 'object') return false;
  const err = b.error as Record<string, unknown>;
  return typeof err.code === 'string' && typeof err.message === 'string';
}
