/**
 * Input field schemas, validated at the API boundary and in the renderer's forms, with the
 * messages people see. Runtime-neutral (zod only), so the renderer bundles them as they are.
 */
import { z } from 'zod';

/**
 * Characters a name must not contain, checked on its NFKC form (Unicode TR36 §3, TR39 §3.1): they
 * make a name look like another or hide part of it. Bidirectional controls can reorder what is
 * shown ("Peter\u202Etneitap"); invisible ones (zero-width space, soft hyphen, Hangul filler,
 * variation selectors, tags: Default_Ignorable_Code_Point) make two different names look equal.
 * ZWNJ between two Arabic-script letters stays allowed (Persian spelling; RFC 5892 Appendix A.1).
 */
const nameControl = /\p{Cc}/u;
const nameBidiControl = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const nameInvisible = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;
const nameUnassigned = /[\p{Co}\p{Cn}\p{Cs}]/u;
const arabicZwnj = /(?<=\p{Script=Arabic}\p{M}*)\u200C(?=\p{Script=Arabic})/gu;

function nameCharacterProblem(name: string): string | null {
  const s = name.normalize('NFKC');
  if (nameControl.test(s)) return 'Name must not contain control characters.';
  if (nameBidiControl.test(s)) return 'Name must not contain text-direction marks (they can make a name show differently from what it is).';
  if (nameInvisible.test(s.replace(arabicZwnj, ''))) return 'Name must not contain invisible characters (such as zero-width spaces or soft hyphens).';
  if (nameUnassigned.test(s)) return 'Name must not contain private-use or unassigned characters.';
  return null;
}

export const nameSchema = z
  .string({ error: 'Name is required.' })
  .trim()
  .min(1, 'Name is required.')
  .max(100, 'Name must be at most 100 characters.')
  .superRefine((s, ctx) => {
    const problem = nameCharacterProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const ageSchema = z
  .number({ error: 'Age must be a whole number of years.' })
  .int('Age must be a whole number of years.')
  .min(0, 'Age must be between 0 and 130.')
  .max(130, 'Age must be between 0 and 130.');

/**
 * Date of birth as an ISO calendar date (YYYY-MM-DD): a real day, not in the future, at most 130
 * years ago (the age limit above).
 */
export const dobSchema = z
  .string({ error: 'Date of birth is required.' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Date of birth must be a date (year, month, day).')
  .superRefine((s, ctx) => {
    const problem = dobProblem(s, new Date());
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export function dobProblem(iso: string, today: Date): string | null {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'Date of birth is not a real date.';
  const todayIso = today.toISOString().slice(0, 10);
  if (iso > todayIso) return 'Date of birth cannot be in the future.';
  if (y < today.getUTCFullYear() - 130) return 'Date of birth must be within the last 130 years.';
  return null;
}

/**
 * The hospital number (medical record number) a hospital gives each patient: 6 to 12 letters and
 * digits with at least 4 digits (for example RX1234567 or 4857773456), kept in upper case without
 * spaces. Unique on the ward; a patient with one logs in with it (names may repeat).
 */
export const hospitalNumberSchema = z
  .string({ error: 'Hospital number is required.' })
  .transform((s) => normaliseHospitalNumber(s))
  .pipe(
    z
      .string()
      .min(1, 'Hospital number is required.')
      .regex(/^[A-Z0-9]{6,12}$/, 'Hospital number must be 6 to 12 letters and digits (for example RX1234567).')
      .regex(/(?:\d.*){4}/, 'Hospital number must contain at least 4 digits (for example RX1234567).'),
  );

/** Upper case, without spaces or dashes: how a hospital number is stored and matched. */
export function normaliseHospitalNumber(s: string): string {
  return s.replace(/[\s-]+/gu, '').toUpperCase();
}

export const passwordSchema = z
  .string({ error: 'Password is required.' })
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.');

export const addressSchema = z
  .string({ error: 'Account address is required.' })
  .regex(/^0x[0-9a-fA-F]{40}$/, 'Account address must be 0x followed by 40 hex digits.');

export const lockTimeoutSchema = z
  .number({ error: 'Lock timeout must be a number of seconds.' })
  .int('Lock timeout must be a whole number of seconds.')
  .min(15, 'Lock timeout must be between 15 seconds and 8 hours.')
  .max(8 * 3600, 'Lock timeout must be between 15 seconds and 8 hours.');

export const bedSchema = z
  .string({ error: 'Bed is required.' })
  .trim()
  .min(1, 'Bed is required.')
  .max(16, 'Bed must be at most 16 characters.')
  .regex(/^[A-Za-z0-9 .\-/]+$/, 'Bed may contain letters, digits, spaces and . - / only.');

export const noteSchema = z
  .string({ error: 'Text is required.' })
  .trim()
  .min(1, 'Text is required.')
  .max(10_000, 'Text must be at most 10,000 characters.');

export const reasonSchema = z
  .string({ error: 'A reason is required.' })
  .trim()
  .min(5, 'Give a reason of at least 5 characters.')
  .max(500, 'A reason must be at most 500 characters.');

export const recordIdSchema = z
  .string({ error: 'Record id is required.' })
  .regex(/^0x[0-9a-f]{64}$/, 'Record id must be 0x followed by 64 lowercase hex digits.');

export const deviceIdSchema = z.string({ error: 'Choose a device.' }).min(1, 'Choose a device.').max(512);
export const readingIdsSchema = z
  .array(z.string().uuid('Reading ids are UUIDs.'), { error: 'Choose readings.' })
  .min(1, 'Choose at least one reading.')
  .max(1000, 'Choose at most 1,000 readings at once.');

export const maxReadingAgeSchema = z
  .number({ error: 'The age limit must be a number of days.' })
  .int('The age limit must be a whole number of days.')
  .min(1, 'The age limit must be between 1 and 365 days.')
  .max(365, 'The age limit must be between 1 and 365 days.');
/** Where the next page of a paged read starts (a cursor the core handed out with the last page). */
export const pageCursorSchema = z.string({ error: 'That page position is not valid.' }).regex(/^[0-9a-f]{28}$/, 'That page position is not valid; reload the page.');

/** How far back a history or chart window reaches, in hours (up to a year). */
export const windowHoursSchema = z
  .number({ error: 'The period must be a number of hours.' })
  .int('The period must be a whole number of hours.')
  .min(1, 'The period must be between 1 hour and a year.')
  .max(8784, 'The period must be between 1 hour and a year.');
