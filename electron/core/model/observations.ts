/**
 * An observation as a nurse takes it: the vitals set, when it was taken, and what a nurse states
 * about it — why it is recorded late, which unusual values were checked and confirmed, why NEWS2
 * parameters are missing. And the escalation a nurse records after a worrying score. These are
 * the input shapes; clinical/vitalsAssessment.ts turns them into signed record content.
 */
import { z } from 'zod';
import { addressSchema, nameSchema, reasonSchema, recordIdSchema } from './fields';
import type { News2Parameter, News2Result } from './news2';
import { UNUSUAL_FIELDS, VitalsInputSchema, type UnusualField, type VitalsErrors } from './vitals';

/** A set taken longer ago than this is recorded with a reason (a late entry). */
export const LATE_ENTRY_MINUTES = 60;
/** A time taken later than now by more than this (clock skew between screen and core) is refused. */
export const FUTURE_TOLERANCE_SECONDS = 60;
/** A hand-entered set taken longer ago than this is refused as a probable typing slip (wrong day or year). */
export const OLDEST_ENTRY_DAYS = 31;

/** An ISO-8601 date-time with a zone (what `Date.toISOString()` writes). */
export const instantSchema = z
  .string({ error: 'Give a date and time.' })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'Give a date and time with its time zone.')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'That date and time does not exist.');

/** Why parameters of a NEWS2 set were not measured: the usual answers, and "other" with words. */
export const MISSING_REASONS = {
  asleep: 'Patient asleep: not woken, as the care plan allows',
  refused: 'Patient declined',
  equipment: 'Equipment not available',
  'care-plan': 'Not measured as agreed in the care plan',
} as const;

export const missingReasonSchema = z
  .string({ error: 'Say why parameters are missing.' })
  .trim()
  .min(3, 'Say why parameters are missing (at least 3 characters).')
  .max(500, 'The reason must be at most 500 characters.');

/** Everything recorded with a hand-entered vitals set besides the values themselves. */
export const observationFields = {
  vitals: VitalsInputSchema,
  /** When the set was taken (default: now). */
  takenAt: instantSchema.optional(),
  /** Why the set is recorded more than LATE_ENTRY_MINUTES after it was taken. */
  lateEntryReason: reasonSchema.optional(),
  /** Values outside the usual range the nurse checked and confirms. */
  confirmed: z
    .array(z.enum(UNUSUAL_FIELDS as [UnusualField, ...UnusualField[]], { error: 'Only unusual values can be confirmed.' }))
    .max(UNUSUAL_FIELDS.length)
    .optional(),
  /** Why NEWS2 parameters are missing from the set. */
  missingReason: missingReasonSchema.optional(),
};
export const ObservationInputSchema = z.strictObject(observationFields);
export type ObservationInput = z.input<typeof ObservationInputSchema>;

/** The live check of a set while it is typed (vitals/preview). */
export interface VitalsPreview {
  valid: boolean;
  /** Per-field messages, keyed as the vitals form keys its boxes. */
  errors: VitalsErrors;
  /** NEWS2 of what is valid so far. */
  news2: News2Result | null;
  /** Values outside the usual range the form asks to confirm. */
  unusual: UnusualField[];
  /** NEWS2 parameters still missing. */
  missing: News2Parameter[];
}

/** Who was informed of a worrying score, when, and what they did. */
export const escalationFields = {
  /** The vitals record (or its correction) whose score prompted the escalation. */
  forRecord: recordIdSchema,
  informed: z
    .strictObject({
      name: nameSchema,
      role: z.string({ error: 'Say what role they have.' }).trim().min(2, 'Say what role they have.').max(60, 'A role must be at most 60 characters.'),
      /** Set when the person informed is a member of this ward. */
      address: addressSchema.nullish(),
    }),
  informedAt: instantSchema,
  response: z
    .string({ error: 'Record the response.' })
    .trim()
    .min(3, 'Record the response (at least 3 characters).')
    .max(2000, 'The response must be at most 2,000 characters.'),
};
export type EscalationInput = z.input<z.ZodObject<typeof escalationFields>>;

/** The form of a vitals entry as typed (every box as text), kept as a draft in the core's memory. */
export const draftFormSchema = z
  .record(z.string().max(40), z.string().max(4000), { error: 'A draft is a set of form fields.' })
  .refine((f) => Object.keys(f).length <= 40, 'A draft holds at most 40 fields.');
export type DraftForm = z.output<typeof draftFormSchema>;
