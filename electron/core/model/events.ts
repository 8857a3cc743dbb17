/** What the core tells the screens without being asked (per channel: one window or browser tab). */
export type WardEvent =
  | { type: 'session.locked'; reason: 'inactivity' | 'manual' }
  /** Devices, live values or pending readings changed: refetch devices/list. */
  | { type: 'devices.changed' }
  | { type: 'progress'; operation: string; fraction: number; label: string };
