import { ref, type Ref } from 'vue';

/**
 * Sending a password (logging in, unlocking): one at a time, the password box emptied afterwards
 * whatever happened, and on failure the error shown with the box focused for another try.
 */
export function usePasswordSubmit(
  password: Ref<string>,
  form: { applyApiError(e: unknown): void; focusField(field: 'password'): Promise<void> },
): { busy: Ref<boolean>; send: (action: () => Promise<void>) => Promise<void> } {
  const busy = ref(false);
  async function send(action: () => Promise<void>): Promise<void> {
    busy.value = true;
    try {
      await action();
    } catch (e) {
      form.applyApiError(e);
      void form.focusField('password');
    } finally {
      password.value = '';
      busy.value = false;
    }
  }
  return { busy, send };
}
