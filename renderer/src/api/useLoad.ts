import { onMounted, ref, type Ref } from 'vue';
import { errorMessage } from './errors';

/**
 * A screen's data: `loading` while `fetch` runs (from mount, and again on every `load()`, e.g.
 * Refresh or Try again), and the message to show when it failed.
 */
export function useLoad(fetch: () => Promise<void>): { loading: Ref<boolean>; loadError: Ref<string | null>; load: () => Promise<void> } {
  const loading = ref(true);
  const loadError = ref<string | null>(null);
  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      await fetch();
    } catch (e) {
      loadError.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }
  onMounted(load);
  return { loading, loadError, load };
}
