import { defineStore } from 'pinia';
import { ref } from 'vue';

/** A one-shot notice carried across a navigation (e.g. "Saved and anchored" shown on the board). */
export const useFlashStore = defineStore('flash', () => {
  const message = ref<string | null>(null);

  function set(text: string): void {
    message.value = text;
  }

  /** Read and clear (a page shows it once). */
  function take(): string | null {
    const text = message.value;
    message.value = null;
    return text;
  }

  return { message, set, take };
});
