/**
 * Keeps the devices overview fresh while the devices panel is open: refetch on every
 * `devices.changed` event (debounced), plus a poll every 2 s as a fallback (live oximeter values
 * change without events). Both stop when the panel unmounts.
 *
 * Every API call counts as activity for the core's inactivity lock, so a panel that polls forever
 * would keep an unattended workstation unlocked. The feed therefore pauses once nobody has used
 * the keyboard or mouse for half the lock timeout, and resumes on the next input.
 */
import { onMounted, onUnmounted, ref, type Ref } from 'vue';
import { api, errorMessage } from '../../api';
import type { DevicesOverview } from './deviceDisplay';

export const POLL_INTERVAL_MS = 2000;
export const EVENT_DEBOUNCE_MS = 200;
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel'] as const;

export interface DevicesFeed {
  overview: Ref<DevicesOverview | null>;
  /** Why the last fetch failed (cleared by the next good one). */
  loadError: Ref<string | null>;
  loading: Ref<boolean>;
  /** True while updates are paused because nobody is using the workstation. */
  paused: Ref<boolean>;
  refresh(): Promise<void>;
  /** Show an overview an action returned (bind, simulate…) without waiting for the next poll. */
  apply(next: DevicesOverview): void;
}

/** Idle time after which background updates pause: half the lock timeout, at least 10 s. */
export function pauseAfterMs(lockTimeoutSeconds: number): number {
  return Math.max(10_000, (lockTimeoutSeconds * 1000) / 2);
}

export function useDevicesFeed(lockTimeoutSeconds: () => number): DevicesFeed {
  const overview = ref<DevicesOverview | null>(null);
  const loadError = ref<string | null>(null);
  const loading = ref(true);
  const paused = ref(false);

  // Answers may arrive out of order: only the newest request (or action result) is shown.
  let issued = 0;
  let shown = 0;
  let inFlight = false;
  /** A change was announced while a fetch was already under way: fetch once more after it. */
  let again = false;
  let lastInput = Date.now();

  function apply(next: DevicesOverview): void {
    shown = ++issued;
    overview.value = next;
    loadError.value = null;
  }

  async function refresh(): Promise<void> {
    const id = ++issued;
    inFlight = true;
    try {
      const next = await api.call('devices/list', {});
      if (id > shown) {
        shown = id;
        overview.value = next;
        loadError.value = null;
      }
    } catch (e) {
      if (id > shown) loadError.value = errorMessage(e);
    } finally {
      inFlight = false;
      loading.value = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  function idle(): boolean {
    return Date.now() - lastInput >= pauseAfterMs(lockTimeoutSeconds());
  }

  function backgroundRefresh(): void {
    if (idle()) {
      paused.value = true;
      return;
    }
    if (inFlight) again = true;
    else void refresh();
  }

  function onInput(): void {
    lastInput = Date.now();
    if (paused.value) {
      paused.value = false;
      void refresh();
    }
  }

  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let debounceTimer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;

  onMounted(() => {
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onInput, { passive: true, capture: true });
    unsubscribe = api.onEvent((event) => {
      if (event.type !== 'devices.changed') return;
      if (debounceTimer) clearTimeout(debounceTimer);
      debounceTimer = setTimeout(() => {
        debounceTimer = null;
        backgroundRefresh();
      }, EVENT_DEBOUNCE_MS);
    });
    pollTimer = setInterval(backgroundRefresh, POLL_INTERVAL_MS);
    void refresh();
  });

  onUnmounted(() => {
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onInput, { capture: true });
    unsubscribe?.();
    if (pollTimer) clearInterval(pollTimer);
    if (debounceTimer) clearTimeout(debounceTimer);
  });

  return { overview, loadError, loading, paused, refresh, apply };
}
