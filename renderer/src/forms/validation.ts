/**
 * Client-side checks that mirror the core's: the contract's own zod schemas give the same
 * messages people would get from the server, just sooner.
 */
import './zodSetup';
import type { z } from 'zod';
import { ageSchema, dobSchema, hospitalNumberSchema, nameSchema, passwordSchema, MIN_BACKUP_PASSPHRASE } from '../api/contract';

/** The first message a schema gives for a value, or null when it is valid. */
export function firstIssue(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.');
}

export function checkName(value: string, label = 'Name'): string | null {
  const message = firstIssue(nameSchema, value);
  return message ? message.replace(/^Name\b/, label) : null;
}

export function checkPassword(value: string): string | null {
  if (value === '') return 'Password is required.';
  return firstIssue(passwordSchema, value);
}

/** Age typed as text: must be a whole number of years 0..130. */
export function parseAge(text: string): { age: number | null; error: string | null } {
  const trimmed = text.trim();
  if (trimmed === '') return { age: null, error: 'Age is required.' };
  if (!/^\d+$/.test(trimmed)) return { age: null, error: 'Age must be a whole number of years.' };
  const age = Number(trimmed);
  const error = firstIssue(ageSchema, age);
  return { age: error ? null : age, error };
}

export function checkConfirmation(password: string, confirmation: string): string | null {
  if (confirmation === '') return 'Confirm your password.';
  return confirmation === password ? null : 'The passwords do not match.';
}

/** Lock timeout typed in minutes (decimals allowed): 0.25 .. 480. Returns whole seconds. */
export function parseLockMinutes(text: string): { seconds: number | null; error: string | null } {
  const value = Number(text.trim().replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(value)) {
    return { seconds: null, error: 'Enter the number of minutes, for example 5.' };
  }
  const seconds = Math.round(value * 60);
  if (seconds < 15 || seconds > 8 * 3600) {
    return { seconds: null, error: 'Choose between 0.25 minutes (15 seconds) and 480 minutes (8 hours).' };
  }
  return { seconds, error: null };
}

export function checkDob(value: string): string | null {
  if (value.trim() === '') return 'Date of birth is required.';
  return firstIssue(dobSchema, value);
}

export function checkHospitalNumber(value: string): string | null {
  return firstIssue(hospitalNumberSchema, value);
}

/** A backup's passphrase and its repetition: at least MIN_BACKUP_PASSPHRASE characters, the same twice. */
export function checkBackupPassphrase(passphrase: string, repeat: string): { passphrase: string | null; repeat: string | null } {
  return { passphrase: passphrase.length >= MIN_BACKUP_PASSPHRASE ? null : `At least ${MIN_BACKUP_PASSPHRASE} characters.`, repeat: repeat === passphrase ? null : 'The two passphrases differ.' };
}
