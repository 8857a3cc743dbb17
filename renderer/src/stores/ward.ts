import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage } from '../api';
import type { WardStatus } from '../api/contract';

/** Ward-level facts everyone may see (initialised? name, lock timeout), from `ward/status`. */
export const useWardStore = defineStore('ward', () => {
  const status = ref<WardStatus | null>(null);
  const loadError = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      status.value = await api.call('ward/status', {});
      loadError.value = null;
    } catch (e) {
      loadError.value = errorMessage(e);
    }
  }

  function setLockTimeout(seconds: number): void {
    if (status.value) status.value = { ...status.value, lockTimeoutSeconds: seconds };
  }

  return { status, loadError, load, setLockTimeout };
});
