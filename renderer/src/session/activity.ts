/**
 * Reports user activity to the core (`session/touch`) so the inactivity lock is postponed while
 * someone is working. Throttled: at most one touch per 20 s. With a lock timeout shorter than
 * 40 s the interval shrinks to half the timeout (never below 5 s), or an active user would be
 * locked out between two touches.
 */
const DEFAULT_INTERVAL_MS = 20_000;
const MIN_INTERVAL_MS = 5_000;

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel'] as const;

export interface ActivityReporterOptions {
  /** Whether a touch makes sense now (logged in and not locked). */
  isActive: () => boolean;
  touch: () => Promise<void>;
  lockTimeoutSeconds: () => number;
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  now?: () => number;
}

/** The throttle interval for a given lock timeout. */
export function touchIntervalMs(lockTimeoutSeconds: number): number {
  return Math.min(DEFAULT_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, (lockTimeoutSeconds * 1000) / 2));
}

/** Start listening; returns the function that stops it. */
export function startActivityReporter(options: ActivityReporterOptions): () => void {
  const target = options.target ?? window;
  const now = options.now ?? (() => Date.now());
  let lastTouch = Number.NEGATIVE_INFINITY;
  let inFlight = false;

  const onActivity = (): void => {
    if (inFlight || !options.isActive()) return;
    const t = now();
    if (t - lastTouch < touchIntervalMs(options.lockTimeoutSeconds())) return;
    lastTouch = t;
    inFlight = true;
    void options.touch().finally(() => {
      inFlight = false;
    });
  };

  for (const type of ACTIVITY_EVENTS) target.addEventListener(type, onActivity, { passive: true, capture: true });
  return () => {
    for (const type of ACTIVITY_EVENTS) target.removeEventListener(type, onActivity, { capture: true });
  };
}
