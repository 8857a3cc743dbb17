/**
 * Page objects for WardLedger's end-to-end tests (playwright-core `Page`). They drive the app the
 * way a person with a screen reader or keyboard would: by labels, roles and accessible names,
 * never by CSS classes. Each helper waits for the screen it ends on and throws a plain Error
 * naming what it expected when that screen does not come.
 */
import type { Locator, Page } from 'playwright-core';

/** Role names as the registration form shows them. */
export type RoleLabel = 'Patient' | 'Doctor' | 'Nurse' | 'Insurer' | 'IT admin';

/** The renderer's routes (hash history). */
export const routePaths = {
  setup: '/setup',
  login: '/login',
  register: '/register',
  doctor: '/doctor',
  patient: '/patient',
  nurse: '/nurse',
  insurer: '/insurer',
  admin: '/admin',
} as const;
export type RouteKey = keyof typeof routePaths;

/** Time for a screen to appear. */
export const SCREEN_TIMEOUT = 15_000;
/** Time for operations that derive a key with scrypt or deploy contracts. */
export const SLOW_TIMEOUT = 60_000;

async function waitVisible(locator: Locator, what: string, timeout = SCREEN_TIMEOUT): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`Expected ${what} to be visible within ${timeout} ms.`);
  }
  return locator.first();
}

async function waitHidden(locator: Locator, what: string, timeout = SCREEN_TIMEOUT): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch {
    throw new Error(`Expected ${what} to go away within ${timeout} ms.`);
  }
}

/** A form field by its visible label (exact, so "Password" never matches "Confirm password"). */
export function field(page: Page, label: string): Locator {
  return page.getByLabel(label, { exact: true });
}

export function button(page: Page, name: string): Locator {
  return page.getByRole('button', { name, exact: true });
}

export function heading(page: Page, name: string | RegExp, level = 1): Locator {
  return page.getByRole('heading', { name, level, ...(typeof name === 'string' ? { exact: true } : {}) });
}

/** Wait until the app has booted and its route guards have settled on a first screen. */
export async function appReady(page: Page, timeout = SLOW_TIMEOUT): Promise<void> {
  await waitVisible(page.getByRole('heading', { level: 1 }), 'the first screen of the app', timeout);
}

/** Navigate inside the app by changing only the hash (keeps the server's launch secret in the URL). */
export async function gotoRoute(page: Page, route: RouteKey): Promise<void> {
  const url = new URL(page.url());
  url.hash = `#${routePaths[route]}`;
  await page.goto(url.toString());
}

/** The path the app is showing right now, e.g. "/doctor" (route guards may still be redirecting). */
export function currentRoute(page: Page): string {
  return new URL(page.url()).hash.replace(/^#/, '').split('?')[0] || '/';
}

/** Wait until the app shows this route (after guards and redirects have settled). */
export async function expectRoute(page: Page, route: RouteKey, timeout = SCREEN_TIMEOUT): Promise<void> {
  const path = routePaths[route];
  try {
    await page.waitForURL((url) => (url.hash.replace(/^#/, '').split('?')[0] || '/') === path, { timeout });
  } catch {
    throw new Error(`Expected the app to show ${path}, but it shows ${currentRoute(page)}.`);
  }
}

/** The per-field message shown next to a field (tied to it by aria-describedby), or null. */
export async function fieldError(page: Page, label: string): Promise<string | null> {
  const input = field(page, label);
  if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter((id) => id.endsWith('-error'));
  if (ids.length === 0) return null;
  return ((await page.locator(`[id="${ids[0]}"]`).textContent()) ?? '').trim();
}

/** The text of the form's alert (role="alert"), waiting for it to appear. */
export async function alertText(page: Page, timeout = SLOW_TIMEOUT): Promise<string> {
  const alert = await waitVisible(page.getByRole('alert'), 'an error message (role="alert")', timeout);
  return ((await alert.textContent()) ?? '').trim();
}

// ---------------------------------------------------------------- first run

export interface SetupInput {
  wardName: string;
  name: string;
  age: number | string;
  password: string;
  /** Defaults to password. */
  confirm?: string;
}

/** Fill in the first-run form, submit, and fill nothing else. */
export async function fillSetup(page: Page, input: SetupInput): Promise<void> {
  await waitVisible(heading(page, 'Set up this ward'), 'the first-run setup page');
  await field(page, 'Ward name').fill(input.wardName);
  await field(page, 'Your name').fill(input.name);
  await field(page, 'Age').fill(String(input.age));
  await field(page, 'Password').fill(input.password);
  await field(page, 'Confirm password').fill(input.confirm ?? input.password);
  await button(page, 'Set up ward').click();
}

/** First-run setup; ends on the new IT admin's page (the app logs them in). */
export async function setupWard(page: Page, input: SetupInput): Promise<void> {
  await fillSetup(page, input);
  await expectAdminPage(page, SLOW_TIMEOUT);
}

// ---------------------------------------------------------------- registration

export interface RegisterInput {
  name: string;
  age: number | string;
  role: RoleLabel;
  password: string;
  /** Defaults to password. */
  confirm?: string;
}

/** Fill in the registration form and submit (call `gotoRoute(page, 'register')` first if needed). */
export async function fillRegister(page: Page, input: RegisterInput): Promise<void> {
  await waitVisible(heading(page, 'Register'), 'the registration page');
  await field(page, 'Name').fill(input.name);
  await field(page, 'Age').fill(String(input.age));
  await field(page, 'Role').selectOption({ label: input.role });
  await field(page, 'Password').fill(input.password);
  await field(page, 'Confirm password').fill(input.confirm ?? input.password);
  await button(page, 'Register').click();
}

/**
 * Register from the registration page. Returns 'active' (patients) or 'pending' (staff waiting for
 * IT approval), as the page says it in plain words.
 */
export async function register(page: Page, input: RegisterInput): Promise<'active' | 'pending'> {
  await fillRegister(page, input);
  const outcome = await waitVisible(
    page.getByRole('heading', { level: 2, name: /^(Your account is active|Waiting for IT approval)$/ }),
    'the registration outcome',
    SLOW_TIMEOUT,
  );
  return ((await outcome.textContent()) ?? '').includes('active') ? 'active' : 'pending';
}

// ---------------------------------------------------------------- login / session

export interface Credentials {
  name: string;
  password: string;
}

/** Fill in the login form and submit, without waiting for the result. */
export async function fillLogin(page: Page, input: Credentials): Promise<void> {
  await waitVisible(heading(page, 'Log in'), 'the login page');
  await field(page, 'Name').fill(input.name);
  await field(page, 'Password').fill(input.password);
  await button(page, 'Log in').click();
}

/** Log in; ends on the person's home page (the header's "Log out" button is visible). */
export async function login(page: Page, input: Credentials): Promise<void> {
  await fillLogin(page, input);
  await waitVisible(button(page, 'Log out'), 'the signed-in app (after login)', SLOW_TIMEOUT);
}

/** Try to log in and return the error the page shows (wrong password, pending approval…). */
export async function loginExpectingError(page: Page, input: Credentials): Promise<string> {
  await fillLogin(page, input);
  return alertText(page);
}

/** The progress bar shown while the keystore is decrypted (visible only during login/unlock). */
export function keyProgress(page: Page): Locator {
  return page.getByRole('progressbar');
}

/** Who the header says is logged in: name and role label (e.g. { name: 'Ada', role: 'IT admin' }). */
export async function signedInAs(page: Page): Promise<{ name: string; role: string }> {
  const banner = await waitVisible(page.getByRole('banner'), 'the app header');
  const text = ((await banner.textContent()) ?? '').replace(/\s+/g, ' ');
  const match = /Logged in as (.+?) \(([^)]+)\)/.exec(text);
  if (!match) throw new Error(`The header does not say who is logged in: "${text.trim()}".`);
  return { name: match[1].trim(), role: match[2].trim() };
}

/** The ward name shown in the header. */
export async function headerWardName(page: Page): Promise<string> {
  const banner = await waitVisible(page.getByRole('banner'), 'the app header');
  return ((await banner.getByRole('group', { name: 'Ward' }).textContent()) ?? '').trim();
}

export async function logout(page: Page): Promise<void> {
  await button(page, 'Log out').click();
  await waitVisible(heading(page, 'Log in'), 'the login page (after logging out)');
}

/** Lock the workstation by hand; ends on the lock screen. */
export async function lock(page: Page): Promise<void> {
  await button(page, 'Lock').click();
  await waitVisible(heading(page, /^Locked — /), 'the lock screen');
}

/** Wait for the lock screen naming this person (e.g. after the inactivity timeout). */
export async function expectLocked(page: Page, name: string, timeout = SCREEN_TIMEOUT): Promise<void> {
  await waitVisible(heading(page, `Locked — ${name}`), `the lock screen for ${name}`, timeout);
}

/** Unlock with the password; ends with the lock screen gone. */
export async function unlock(page: Page, password: string): Promise<void> {
  await field(page, 'Password').fill(password);
  await button(page, 'Unlock').click();
  await waitHidden(heading(page, /^Locked — /), 'the lock screen (after unlocking)', SLOW_TIMEOUT);
}

/** Try to unlock and return the error the lock screen shows. */
export async function unlockExpectingError(page: Page, password: string): Promise<string> {
  await field(page, 'Password').fill(password);
  await button(page, 'Unlock').click();
  return alertText(page);
}

// ---------------------------------------------------------------- home pages

/** "Your details" as label → value (Name, Age, Role, Ward, Account). */
export async function readDetails(page: Page): Promise<Record<string, string>> {
  const region = await waitVisible(page.getByRole('region', { name: 'Your details' }), 'the "Your details" section');
  const terms = await region.locator('dt').allTextContents();
  const values = await region.locator('dd').allTextContents();
  return Object.fromEntries(terms.map((term, i) => [term.trim(), (values[i] ?? '').trim()]));
}

async function expectHome(page: Page, name: string, what: string): Promise<Record<string, string>> {
  await waitVisible(heading(page, name), `${what} for ${name}`);
  return readDetails(page);
}

/** The doctor's home page with the doctor's name as heading; returns the details. */
export function expectDoctorHome(page: Page, input: { name: string }): Promise<Record<string, string>> {
  return expectHome(page, input.name, "the doctor's home page");
}

export function expectPatientHome(page: Page, input: { name: string }): Promise<Record<string, string>> {
  return expectHome(page, input.name, "the patient's home page");
}

/** Nurse and insurer homes. */
export function expectStaffHome(page: Page, input: { name: string }): Promise<Record<string, string>> {
  return expectHome(page, input.name, 'the home page');
}

/** The doctor's patients: names in the table, or an empty list when the empty state shows. */
export async function doctorPatients(page: Page): Promise<{ empty: boolean; names: string[] }> {
  const region = await waitVisible(page.getByRole('region', { name: 'My patients' }), 'the "My patients" section');
  const emptyState = region.getByText('No patients yet', { exact: false });
  const table = region.getByRole('table', { name: 'My patients' });
  await waitVisible(emptyState.or(table), 'the patient list or its empty state');
  if (await emptyState.isVisible()) return { empty: true, names: [] };
  return { empty: false, names: (await table.getByRole('rowheader').allTextContents()).map((s) => s.trim()) };
}

// ---------------------------------------------------------------- IT admin

export async function expectAdminPage(page: Page, timeout = SCREEN_TIMEOUT): Promise<void> {
  await waitVisible(heading(page, 'Ward administration'), 'the IT admin page', timeout);
}

/** Names in the pending registrations table (empty when none are waiting). */
export async function pendingNames(page: Page): Promise<string[]> {
  const region = await waitVisible(page.getByRole('region', { name: 'Pending registrations' }), 'the pending registrations');
  const empty = region.getByText('No registrations are waiting for approval.');
  const table = region.getByRole('table', { name: 'Pending registrations' });
  await waitVisible(empty.or(table), 'the pending registrations list');
  if (await empty.isVisible()) return [];
  return (await table.getByRole('rowheader').allTextContents()).map((s) => s.trim());
}

async function decidePending(page: Page, name: string, decision: 'Approve' | 'Reject'): Promise<void> {
  const action = await waitVisible(button(page, `${decision} ${name}`), `the "${decision} ${name}" button`);
  await action.click();
  await waitHidden(button(page, `${decision} ${name}`), `${name}'s pending registration`, SLOW_TIMEOUT);
}

/** Approve a pending registration by the person's name; ends when the row is gone. */
export function approvePending(page: Page, name: string): Promise<void> {
  return decidePending(page, name, 'Approve');
}

export function rejectPending(page: Page, name: string): Promise<void> {
  return decidePending(page, name, 'Reject');
}

/** A member's status as shown ("Active", "Waiting for approval", "Rejected", "Revoked"). */
export async function memberStatus(page: Page, name: string): Promise<string> {
  const table = await waitVisible(page.getByRole('table', { name: 'Members' }), 'the members table');
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  return ((await row.getByRole('cell').nth(2).textContent()) ?? '').trim();
}

/** Set "Lock after inactivity (minutes)" and save; ends when the page confirms. */
export async function setLockTimeout(page: Page, minutes: number | string): Promise<void> {
  await field(page, 'Lock after inactivity (minutes)').fill(String(minutes));
  await button(page, 'Save').click();
  await waitVisible(page.getByText(/^Saved\. Sessions lock after/), 'the saved-settings confirmation');
}
