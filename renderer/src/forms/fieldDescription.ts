import { computed, type ComputedRef } from 'vue';

/**
 * Ids of a field's hint and error and the aria-describedby that ties them to the control —
 * one place for TextField, TextAreaField and SelectField.
 */
export function useFieldDescription(props: { id: string; hint?: string; error?: string | null }): {
  hintId: ComputedRef<string>;
  errorId: ComputedRef<string>;
  describedBy: ComputedRef<string | undefined>;
} {
  const hintId = computed(() => `${props.id}-hint`);
  const errorId = computed(() => `${props.id}-error`);
  const describedBy = computed(() => {
    const ids = [props.hint ? hintId.value : null, props.error ? errorId.value : null].filter(Boolean);
    return ids.length ? ids.join(' ') : undefined;
  });
  return { hintId, errorId, describedBy };
}
