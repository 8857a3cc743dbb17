import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api, errorMessage, isApiError } from '../api';
import type { GlucoseUnit, WardStatus } from '../api/contract';
import { setWardGlucoseUnit } from '../clinical/vitalsDisplay';

/** What a starting core is doing (its STARTING answers carry it). */
export interface StartingProgress {
  label: string;
  fraction: number | null;
  step: 'opening' | 'upgrading' | 'checking';
}

/** How often a starting core is asked again. */
export const STARTING_POLL_MS = 500;

function startingOf(details: Record<string, unknown> | undefined): StartingProgress {
  const step = details?.step === 'upgrading' || details?.step === 'checking' ? details.step : 'opening';
  const fraction = typeof details?.fraction === 'number' ? Math.min(1, Math.max(0, details.fraction)) : null;
  return { label: typeof details?.label === 'string' ? details.label : 'Opening the ward', fraction, step };
}

/** Ward-level facts everyone may see (initialised? name, lock timeout), from `ward/status`. */
export const useWardStore = defineStore('ward', () => {
  const status = ref<WardStatus | null>(null);
  const loadError = ref<string | null>(null);
  /** Set while the core starts (App.vue shows its progress); load() asks again until it answers. */
  const starting = ref<StartingProgress | null>(null);

  async function load(): Promise<void> {
    for (;;) {
      try {
        status.value = await api.call('ward/status', {});
        setWardGlucoseUnit(status.value.glucoseUnit);
        loadError.value = null;
        starting.value = null;
        return;
      } catch (e) {
        if (isApiError(e) && e.code === 'STARTING') {
          starting.value = startingOf(e.details);
          await new Promise((r) => setTimeout(r, STARTING_POLL_MS));
          continue;
        }
        starting.value = null;
        loadError.value = errorMessage(e);
        return;
      }
    }
  }

  function setLockTimeout(seconds: number): void {
    if (status.value) status.value = { ...status.value, lockTimeoutSeconds: seconds };
  }

  function setGlucoseUnit(unit: GlucoseUnit): void {
    if (status.value) status.value = { ...status.value, glucoseUnit: unit };
    setWardGlucoseUnit(unit);
  }

  return { status, loadError, starting, load, setLockTimeout, setGlucoseUnit };
});
