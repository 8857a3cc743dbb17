import { nextTick, reactive, ref } from 'vue';
import { errorMessage, isApiError } from '../api';

/**
 * Per-field and form-level error state for one form. Field ids are `${idPrefix}-${field}` so the
 * first invalid field can be focused after a failed submit.
 */
export function useFormErrors<K extends string>(idPrefix: string, fields: readonly K[]) {
  const errors = reactive({}) as Partial<Record<K, string>>;
  const formError = ref<string | null>(null);

  function reset(): void {
    for (const field of fields) delete errors[field];
    formError.value = null;
  }

  /** Record client-side messages; returns true when the form is valid. Focuses the first problem. */
  function apply(found: Partial<Record<K, string | null>>): boolean {
    reset();
    for (const field of fields) {
      const message = found[field];
      if (message) errors[field] = message;
    }
    const first = fields.find((f) => errors[f]);
    if (first) void focusField(first);
    return !first;
  }

  /** Show a failed call: field messages next to fields, the rest in the form's alert. */
  function applyApiError(e: unknown): void {
    reset();
    if (isApiError(e)) {
      const fieldMessages = e.fields;
      for (const field of fields) {
        const message = fieldMessages[field];
        if (message) errors[field] = message;
      }
      const first = fields.find((f) => errors[f]);
      if (first) void focusField(first);
    }
    formError.value = errorMessage(e);
  }

  async function focusField(field: K): Promise<void> {
    await nextTick();
    document.getElementById(`${idPrefix}-${field}`)?.focus();
  }

  return { errors, formError, reset, apply, applyApiError, focusField };
}
