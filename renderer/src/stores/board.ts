import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { parseBoardView, type BoardView } from '../clinical/boardOrder';

const VIEW_KEY = 'wardledger.board.view';
const LARGE_KEY = 'wardledger.board.large';

function read(storage: Storage, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null; // storage refused (private mode, quota): the defaults serve
  }
}

function write(storage: Storage, key: string, value: string): void {
  try {
    storage.setItem(key, value);
  } catch {
    // not kept, still applied for this page
  }
}

/**
 * How the ward board is shown: sort and filters kept for this tab's session (a nurse's choice does
 * not follow the next person on a shared workstation), the large display mode remembered on this
 * workstation (a ward display stays large).
 */
export const useBoardStore = defineStore('board', () => {
  const view = ref<BoardView>(parseBoardView(read(sessionStorage, VIEW_KEY)));
  const largeDisplay = ref(read(localStorage, LARGE_KEY) === 'true');

  watch(view, (v) => write(sessionStorage, VIEW_KEY, JSON.stringify(v)), { deep: true });
  watch(largeDisplay, (v) => write(localStorage, LARGE_KEY, String(v)));

  return { view, largeDisplay };
});
