/**
 * The signed-in person: session token, profile, lock state and login/unlock progress.
 * The token lives in memory and in this tab's sessionStorage (so a reload keeps the session and,
 * if it was locked, comes back locked: `session/me` is asked before anything is shown).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api';
import type { Profile, SessionInfo, WardEvent } from '../api/contract';

const TOKEN_KEY = 'wardledger.session';

export type LockReason = 'inactivity' | 'manual';

export interface Progress {
  operation: string;
  /** 0..1, or null while no progress has been reported yet (indeterminate). */
  fraction: number | null;
  label: string;
}

function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage may be unavailable; the session then simply does not survive a reload
  }
}

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null);
  const profile = ref<Profile | null>(null);
  const wardName = ref<string | null>(null);
  const lockTimeoutSeconds = ref(300);
  const locked = ref(false);
  const lockReason = ref<LockReason | null>(null);
  const progress = ref<Progress | null>(null);
  /** Why the last session ended without the user logging out (shown on the login page). */
  const endedMessage = ref<string | null>(null);

  const isLoggedIn = computed(() => token.value !== null && profile.value !== null);
  const role = computed(() => profile.value?.role ?? null);

  let lockCheckTimer: ReturnType<typeof setTimeout> | null = null;

  function adopt(info: SessionInfo): void {
    token.value = info.token;
    profile.value = info.profile;
    wardName.value = info.wardName;
    lockTimeoutSeconds.value = info.lockTimeoutSeconds;
    endedMessage.value = null;
    api.setSessionToken(info.token);
    storeToken(info.token);
  }

  function clear(): void {
    token.value = null;
    profile.value = null;
    wardName.value = null;
    locked.value = false;
    lockReason.value = null;
    progress.value = null;
    api.setSessionToken(null);
    storeToken(null);
    cancelLockCheck();
  }

  /** Run a key-decrypting call with a progress indicator fed by `progress` events. */
  async function withProgress<T>(operation: string, label: string, run: () => Promise<T>): Promise<T> {
    progress.value = { operation, fraction: null, label };
    try {
      return await run();
    } finally {
      progress.value = null;
    }
  }

  /** `newPassword`: a patient's own password, replacing the activation code given as `password`. */
  async function login(name: string, password: string, newPassword?: string): Promise<Profile> {
    const info = await withProgress('session/login', newPassword ? 'Setting your password and logging you in…' : 'Checking your password…', () =>
      api.call('session/login', { name, password, ...(newPassword ? { newPassword } : {}) }),
    );
    adopt(info);
    locked.value = false;
    lockReason.value = null;
    scheduleLockCheck(Date.now() + info.lockTimeoutSeconds * 1000);
    return info.profile;
  }

  /** Pick up a session kept in this tab (after a reload). Never reveals data: `locked` comes first. */
  async function restore(): Promise<void> {
    const saved = storedToken();
    if (!saved || token.value) return;
    api.setSessionToken(saved);
    try {
      const me = await api.call('session/me', {});
      adopt(me);
      locked.value = me.locked;
      lockReason.value = me.locked ? 'inactivity' : null;
      if (!me.locked) scheduleLockCheck(Date.now() + me.lockTimeoutSeconds * 1000);
    } catch {
      clear();
    }
  }

  async function unlock(password: string): Promise<void> {
    const info = await withProgress('session/unlock', 'Checking your password…', () =>
      api.call('session/unlock', { password }),
    );
    adopt(info);
    locked.value = false;
    lockReason.value = null;
    scheduleLockCheck(Date.now() + info.lockTimeoutSeconds * 1000);
  }

  /** Lock now: the UI covers itself first, then tells the core. */
  async function lock(): Promise<void> {
    markLocked('manual');
    try {
      await api.call('session/lock', {});
    } catch {
      // the screen is already locked; unlocking will ask the core for the password anyway
    }
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await api.call('session/logout', {});
    } catch {
      // logging out locally is what matters to the person at the workstation
    } finally {
      clear();
    }
  }

  function markLocked(reason: LockReason): void {
    if (!isLoggedIn.value) return;
    locked.value = true;
    lockReason.value = reason;
    cancelLockCheck();
  }

  /** The core no longer knows this session (expired, server restarted): back to login. */
  function expire(message: string): void {
    if (!token.value) return;
    clear();
    endedMessage.value = message;
  }

  function handleEvent(event: WardEvent): void {
    if (event.type === 'session.locked') markLocked(event.reason);
    else if (event.type === 'progress' && progress.value && progress.value.operation === event.operation) {
      const fraction = Number.isFinite(event.fraction) ? Math.min(1, Math.max(0, event.fraction)) : null;
      progress.value = { operation: event.operation, fraction, label: event.label || progress.value.label };
    }
  }

  /** Report activity so the core postpones the inactivity lock. */
  async function touch(): Promise<void> {
    if (!isLoggedIn.value || locked.value) return;
    try {
      const { locksAt } = await api.call('session/touch', {});
      const at = Date.parse(locksAt);
      scheduleLockCheck(Number.isNaN(at) ? Date.now() + lockTimeoutSeconds.value * 1000 : at);
    } catch {
      // LOCKED / UNAUTHENTICATED are handled centrally (api.onError)
    }
  }

  /**
   * A safety net beside the `session.locked` event: shortly after the session should have
   * locked, ask the core. If the event was lost, the screen still locks.
   */
  function scheduleLockCheck(atMs: number): void {
    cancelLockCheck();
    const delay = Math.max(1000, atMs - Date.now() + 1000);
    lockCheckTimer = setTimeout(() => void checkLock(), delay);
  }

  function cancelLockCheck(): void {
    if (lockCheckTimer) clearTimeout(lockCheckTimer);
    lockCheckTimer = null;
  }

  async function checkLock(): Promise<void> {
    lockCheckTimer = null;
    if (!isLoggedIn.value || locked.value) return;
    try {
      const me = await api.call('session/me', {});
      if (me.locked) markLocked('inactivity');
      else scheduleLockCheck(Date.now() + Math.max(15, me.lockTimeoutSeconds) * 1000);
    } catch {
      // LOCKED / UNAUTHENTICATED were handled centrally; anything else (unreachable): look again later
      if (isLoggedIn.value && !locked.value) scheduleLockCheck(Date.now() + 30_000);
    }
  }

  function setLockTimeout(seconds: number): void {
    lockTimeoutSeconds.value = seconds;
  }

  return {
    token,
    profile,
    wardName,
    lockTimeoutSeconds,
    locked,
    lockReason,
    progress,
    endedMessage,
    isLoggedIn,
    role,
    login,
    restore,
    unlock,
    lock,
    logout,
    markLocked,
    expire,
    handleEvent,
    touch,
    setLockTimeout,
    withProgress,
  };
});
