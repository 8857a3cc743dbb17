import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage } from '../api';
import type { GlucoseUnit, WardStatus } from '../api/contract';
import { setWardGlucoseUnit } from '../clinical/vitalsDisplay';

/** Ward-level facts everyone may see (initialised? name, lock timeout), from `ward/status`. */
export const useWardStore = defineStore('ward', () => {
  const status = ref<WardStatus | null>(null);
  const loadError = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      status.value = await api.call('ward/status', {});
      setWardGlucoseUnit(status.value.glucoseUnit);
      loadError.value = null;
    } catch (e) {
      loadError.value = errorMessage(e);
    }
  }

  function setLockTimeout(seconds: number): void {
    if (status.value) status.value = { ...status.value, lockTimeoutSeconds: seconds };
  }

  function setGlucoseUnit(unit: GlucoseUnit): void {
    if (status.value) status.value = { ...status.value, glucoseUnit: unit };
    setWardGlucoseUnit(unit);
  }

  return { status, loadError, load, setLockTimeout, setGlucoseUnit };
});
