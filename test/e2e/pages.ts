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
  /** The ward board for doctors (nurses have it at /nurse). */
  ward: '/ward',
  myRecord: '/patient/record',
  sharing: '/patient/sharing',
  accessLog: '/patient/audit',
  auditLog: '/admin/audit',
  consortium: '/admin/consortium',
  incomingTransfers: '/ward/incoming',
  sharedWithMe: '/shared',
} as const;
export type RouteKey = keyof typeof routePaths;

/** Time for a screen to appear. */
export const SCREEN_TIMEOUT = 15_000;
/** Time for operations that derive a key with scrypt or deploy contracts. */
export const SLOW_TIMEOUT = 60_000;

export async function waitVisible(locator: Locator, what: string, timeout = SCREEN_TIMEOUT): Promise<Locator> {
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

/** Pages with a patient address in the path: /vitals/<address>, /patients/<address>. */
export async function gotoPatientRoute(page: Page, kind: 'vitals' | 'record', address: string): Promise<void> {
  const url = new URL(page.url());
  url.hash = `#/${kind === 'vitals' ? 'vitals' : 'patients'}/${address}`;
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
  /** Staff give their age; patients their date of birth (YYYY-MM-DD) and hospital number. */
  age?: number | string;
  dob?: string;
  hospitalNumber?: string;
  role: RoleLabel;
  password: string;
  /** Defaults to password. */
  confirm?: string;
}

/** A date of birth (1 January) that makes someone `age` today: tests stay true whatever day they run. */
export function dobForAge(age: number): string {
  return `${new Date().getFullYear() - age}-01-01`;
}

/** Fill in the registration form and submit (call `gotoRoute(page, 'register')` first if needed). */
export async function fillRegister(page: Page, input: RegisterInput): Promise<void> {
  await waitVisible(heading(page, 'Register'), 'the registration page');
  await field(page, 'Role').selectOption({ label: input.role });
  await field(page, 'Name').fill(input.name);
  if (input.role === 'Patient') {
    await field(page, 'Date of birth').fill(input.dob ?? '');
    await field(page, 'Hospital number').fill(input.hospitalNumber ?? '');
  } else {
    await field(page, 'Age').fill(String(input.age ?? ''));
  }
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
  return { empty: false, names: (await boardTableRows(page, 'My patients')).map((r) => r.name) };
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

// ---------------------------------------------------------------- ward board (nurses, doctors)

export function link(page: Page, name: string): Locator {
  return page.getByRole('link', { name, exact: true });
}

/** The status line a page shows after an action ("Admitted …", "Saved: vitals …"). */
async function notice(page: Page, text: RegExp, what: string, timeout = SLOW_TIMEOUT): Promise<string> {
  const el = await waitVisible(page.getByRole('status').filter({ hasText: text }), what, timeout);
  return ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Wait for the ward board (its table or the empty state). */
export async function expectWardBoard(page: Page, timeout = SCREEN_TIMEOUT): Promise<void> {
  await waitVisible(heading(page, 'Ward board'), 'the ward board', timeout);
  await waitVisible(
    page.getByRole('table', { name: 'Ward board' }).or(page.getByText('No patients on the ward.')),
    'the ward board table or its empty state',
    timeout,
  );
}

export interface News2Reading {
  /** Aggregate, or null when incomplete / no score. */
  score: number | null;
  /** "Low", "Low–medium", "Medium", "High" (the minimum band when incomplete), or null. */
  band: string | null;
  complete: boolean;
}

/** Parse a NEWS2 badge's spoken text ("NEWS2 5, Medium risk" / "NEWS2 incomplete, at least Low risk"). */
function parseNews2Badge(text: string): News2Reading {
  const complete = /NEWS2 (\d+), (.+?) risk/.exec(text);
  if (complete) return { score: Number(complete[1]), band: complete[2], complete: true };
  const partial = /NEWS2 incomplete, at least (.+?) risk/.exec(text);
  if (partial) return { score: null, band: partial[1], complete: false };
  return { score: null, band: null, complete: false };
}

/** A parameter cell of a board row: what it shows and what a screen reader says for it. */
export interface BoardParameter {
  /** As shown: "24", "O2 2 L", "96/65"; "—" when not measured. */
  value: string;
  /** The NEWS2 points written beside the value, or null (0, or not scored). */
  points: number | null;
  /** "Pulse 104/min, scores 1", "Blood pressure: not measured". */
  spoken: string;
}

/** The seven parameter columns, by their headings. */
export const boardParameterHeadings = ['RR', 'SpO2', 'O2', 'BP', 'Pulse', 'ACVPU', 'Temp'] as const;
export type BoardParameterHeading = (typeof boardParameterHeadings)[number];

export interface BoardRow {
  bed: string;
  name: string;
  age: number;
  /** Each NEWS2 parameter of the last complete set, by column heading. */
  params: Record<BoardParameterHeading, BoardParameter>;
  /** The parameters as spoken, joined: "Respiration rate 18/min, scores 0 · SpO2 96% on Scale 1, scores 0 · …". */
  vitals: string;
  /** When the last complete set was taken ("2 h ago", "just now (corrected)"), or "No complete set". */
  taken: string;
  /** A newer device or partial reading shown beside the set ("SpO2 97% · Pulse 88/min (bound monitor, just now)"), or "". */
  newer: string;
  /** NEWS2 of the last complete set, as its badge says it (with the scale). */
  news2: News2Reading & { scale: number | null };
  /** "Due in 3 h 10 min", "Overdue 25 min". */
  due: string;
  overdue: boolean;
  /** The responsible doctor, or "No responsible doctor" ("" on a doctor's own list). */
  doctor: string;
  /** The row's notes (a newer reading, an escalation not recorded, a record that failed verification), as spoken. */
  warnings: string[];
  /** The row's risk band ('high', 'medium', 'low-medium', 'low', 'none'). */
  risk: string;
}

interface CellText {
  /** What is shown (the parts hidden from screen readers, or the whole text). */
  shown: string;
  /** What a screen reader reads (the text outside aria-hidden parts). */
  spoken: string;
}

/**
 * The cells of a row as shown and as spoken (aria-hidden parts are shown only; parts the layout
 * does not render at this width, display: none, are neither).
 */
async function rowCells(row: Locator): Promise<CellText[]> {
  type Node = {
    nodeType: number;
    textContent: string | null;
    childNodes: ArrayLike<Node>;
    getAttribute?: (n: string) => string | null;
    checkVisibility?: (o?: { visibilityProperty?: boolean }) => boolean;
  };
  return row.getByRole('cell').evaluateAll((cells) => {
    const rendered = (n: Node): boolean => n.nodeType === 3 || !n.checkVisibility || n.checkVisibility({ visibilityProperty: true });
    const spokenOf = (n: Node): string =>
      n.nodeType === 3 ? (n.textContent ?? '') : n.getAttribute?.('aria-hidden') === 'true' || !rendered(n) ? '' : Array.from(n.childNodes).map(spokenOf).join('');
    const shownOf = (n: Node): string => {
      const hidden = Array.from(n.childNodes).filter((c) => c.getAttribute?.('aria-hidden') === 'true');
      return hidden.length ? hidden.map((c) => c.textContent ?? '').join('') : (n.textContent ?? '');
    };
    const clean = (t: string) => t.replace(/\s+/g, ' ').trim();
    return (cells as unknown as Node[]).map((c) => ({ shown: clean(shownOf(c)), spoken: clean(spokenOf(c)) }));
  });
}

/**
 * The rows of a board table ("Ward board", or a doctor's "My patients"), in the order shown. The
 * columns are found by their headings.
 */
export async function boardTableRows(page: Page, tableName: string): Promise<BoardRow[]> {
  const table = page.getByRole('table', { name: tableName });
  const headings = (await table.getByRole('columnheader').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  // The row header (patient) is a column of its own but not a cell: cells after it shift by one.
  const col = (heading: string): number => {
    const i = headings.indexOf(heading);
    return i < 0 ? -1 : i > 1 ? i - 1 : i;
  };
  const rows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  const out: BoardRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const cells = await rowCells(row);
    const at = (heading: string): CellText => cells[col(heading)] ?? { shown: '', spoken: '' };
    const patient = ((await row.getByRole('rowheader').textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const m = /^(.*?), (\d+)/.exec(patient);
    const params = Object.fromEntries(
      boardParameterHeadings.map((h) => {
        const cell = at(h);
        const points = /(\d)$/.exec(cell.shown) && /scores ([1-3])$/.exec(cell.spoken);
        return [h, { value: points ? cell.shown.slice(0, -1) : cell.shown, points: points ? Number(points[1]) : null, spoken: cell.spoken }];
      }),
    ) as Record<BoardParameterHeading, BoardParameter>;
    const badge = at('NEWS2').spoken;
    const scale = /Scale (\d)/.exec(badge);
    const notes = await row.getByRole('list', { name: /^Notes for / }).getByRole('listitem').allTextContents();
    const warnings = notes.map((t) => t.replace(/^[^A-Za-z]+/, '').replace(/\s+/g, ' ').trim());
    const newer = warnings.find((w) => w.startsWith('Since then:'));
    const risk = /risk--([a-z-]+)/.exec((await row.getAttribute('class')) ?? '');
    // Below 1700 px wide the time taken is said under the due time ("… taken 2 h ago"), not in a column.
    const dueCell = /^(.*?)\s*(?:taken (.+)|(No complete set))?$/.exec(at('Next set').spoken)!;
    const due = dueCell[1]!;
    out.push({
      bed: at('Bed').spoken,
      name: m ? m[1]! : patient,
      age: m ? Number(m[2]) : Number.NaN,
      params,
      vitals: boardParameterHeadings.map((h) => params[h].spoken).filter((t) => !/not measured$/.test(t)).join(' · '),
      taken: col('Taken') >= 0 ? at('Taken').spoken : (dueCell[2] ?? dueCell[3] ?? ''),
      newer: newer ? newer.replace(/^Since then:\s*/, '') : '',
      news2: { ...parseNews2Badge(badge), scale: scale ? Number(scale[1]) : null },
      due,
      overdue: /^Overdue/.test(due),
      doctor: col('Doctor') >= 0 ? at('Doctor').spoken : '',
      warnings: warnings.filter((w) => !w.startsWith('Since then:')),
      risk: risk ? risk[1]! : 'none',
    });
  }
  return out;
}

/** The rows of the ward board, in the order shown (empty when no one is admitted). */
export async function wardBoardRows(page: Page): Promise<BoardRow[]> {
  await expectWardBoard(page);
  if (!(await page.getByRole('table', { name: 'Ward board' }).isVisible())) return [];
  return boardTableRows(page, 'Ward board');
}

/** Open a row's actions menu ("Actions for <name>") and choose an item by its accessible name. */
export async function rowAction(page: Page, name: string, item: string): Promise<void> {
  const menuButton = await waitVisible(button(page, `Actions for ${name}`), `the "Actions for ${name}" menu button`);
  await menuButton.click();
  await (await waitVisible(page.getByRole('menuitem', { name: item, exact: true }), `the "${item}" menu item`)).click();
}

export type AdmitInput = { bed: string; doctor?: string } & (
  | { patient: string }
  | { register: { name: string; dob: string; hospitalNumber: string } }
);

/** Admit a registered patient (by name) or register and admit a new one; ends on the updated board. */
export async function admitPatient(page: Page, input: AdmitInput): Promise<string> {
  await expectWardBoard(page);
  await button(page, 'Admit patient').click();
  await waitVisible(heading(page, 'Admit patient', 2), 'the admit form');
  let name: string;
  if ('patient' in input) {
    name = input.patient;
    await page.getByRole('radio', { name: 'Registered patient', exact: true }).check();
    const select = field(page, 'Patient');
    const labels = await select.locator('option').allTextContents();
    const label = labels.find((l) => l.startsWith(`${input.patient} · `));
    if (!label) throw new Error(`"${input.patient}" is not offered in the "Patient" list (offered: ${labels.join(', ')}).`);
    await select.selectOption({ label });
  } else {
    name = input.register.name;
    await page.getByRole('radio', { name: 'Register new patient', exact: true }).check();
    await field(page, 'Full name').fill(input.register.name);
    await field(page, 'Date of birth').fill(input.register.dob);
    await field(page, 'Hospital number').fill(input.register.hospitalNumber);
  }
  await field(page, 'Bed').fill(input.bed);
  if (input.doctor) await field(page, 'Responsible doctor').selectOption({ label: input.doctor });
  await button(page, 'Admit').click();
  return notice(page, new RegExp(`^\\s*Admitted ${escapeRegExp(name)} to bed`), `the admission of ${name}`);
}

/** Discharge from the board (with its confirm step); ends when the row is gone. */
export async function dischargePatient(page: Page, name: string): Promise<void> {
  await rowAction(page, name, `Discharge ${name}`);
  await (await waitVisible(button(page, `Confirm discharge of ${name}`), 'the discharge confirmation')).click();
  await notice(page, new RegExp(`Discharged ${escapeRegExp(name)}`), `the discharge of ${name}`);
}

/** From the board: "Enter vitals for <name>"; ends on the vitals entry page. */
export async function openVitalsEntry(page: Page, name: string): Promise<void> {
  await rowAction(page, name, `Enter vitals for ${name}`);
  await waitVisible(heading(page, `Vitals for ${name}`), `the vitals entry page for ${name}`);
}

/**
 * "Open record of <name>": from the row's actions menu (ward board, doctor's patients) or the link
 * of the insurer's list; ends on the record.
 */
export async function openRecord(page: Page, name: string): Promise<void> {
  const menu = button(page, `Actions for ${name}`);
  const direct = link(page, `Open record of ${name}`);
  await waitVisible(menu.or(direct), `the actions menu of ${name} or an "Open record of ${name}" link`);
  // Decide on what cannot be there by accident: a visible direct link (the insurer's list). The
  // board may re-render its rows between the wait and this line; rowAction waits for the menu again.
  if (await direct.first().isVisible()) await direct.first().click();
  else await rowAction(page, name, `Open record of ${name}`);
  await expectPatientRecord(page, name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------- vitals entry

export interface VitalsEntry {
  respiratoryRate?: number | string;
  spo2?: number | string;
  oxygen?: 'Air' | 'Oxygen';
  /** "Nasal cannula", "Simple face mask", "Venturi mask", "Non-rebreather mask", "High-flow nasal oxygen", "Other". */
  oxygenDevice?: string;
  oxygenFlow?: number | string;
  fio2?: number | string;
  systolic?: number | string;
  diastolic?: number | string;
  pulse?: number | string;
  consciousness?: 'A' | 'C' | 'V' | 'P' | 'U';
  temperature?: number | string;
  temperatureUnit?: '°C' | '°F';
  glucose?: number | string;
  glucoseUnit?: 'mg/dL' | 'mmol/L';
}

/** Fill the vitals form (only the values given; others are left as they are). */
export async function fillVitals(page: Page, v: VitalsEntry): Promise<void> {
  const boxes: Array<[string, number | string | undefined]> = [
    ['Respiratory rate (/min)', v.respiratoryRate],
    ['SpO2 (%)', v.spo2],
    ['Systolic BP (mmHg)', v.systolic],
    ['Diastolic BP (mmHg)', v.diastolic],
    ['Pulse (/min)', v.pulse],
    ['Temperature', v.temperature],
    ['Blood glucose', v.glucose],
  ];
  if (v.temperatureUnit) await field(page, 'Temperature unit').selectOption({ label: v.temperatureUnit });
  if (v.glucoseUnit) await field(page, 'Glucose unit').selectOption({ label: v.glucoseUnit });
  for (const [label, value] of boxes) if (value !== undefined) await field(page, label).fill(String(value));
  if (v.oxygen) await page.getByRole('radio', { name: v.oxygen, exact: true }).check();
  if (v.oxygenDevice) await field(page, 'Oxygen delivery device').selectOption({ label: v.oxygenDevice });
  if (v.oxygenFlow !== undefined) await field(page, 'Oxygen flow (L/min)').fill(String(v.oxygenFlow));
  if (v.fio2 !== undefined) await field(page, 'FiO2 (%)').fill(String(v.fio2));
  if (v.consciousness) await field(page, 'Consciousness (ACVPU)').selectOption(v.consciousness);
}

/** A datetime-local value for a time this many minutes ago, in the browser's zone (the workstation's). */
export async function localMinutesAgo(page: Page, minutes: number): Promise<string> {
  return page.evaluate((m) => {
    const d = new Date(Date.now() - m * 60_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, minutes);
}

/** Set "Time taken" (untick "Taken just now", then the date and time). */
export async function setTimeTaken(page: Page, minutesAgo: number): Promise<void> {
  await field(page, 'Taken just now').uncheck();
  await field(page, 'Date and time taken').fill(await localMinutesAgo(page, minutesAgo));
}

/** Tick "Confirm value" for a vital sign ("pulse", "temperature", …) the form asks to confirm. */
export async function confirmValue(page: Page, what: string): Promise<void> {
  await (await waitVisible(field(page, `Confirm value: ${what} checked`), `the "Confirm value" box for ${what}`)).check();
}

/** Answer "Why are NEWS2 parameters missing?" with one of the usual answers. */
export async function chooseMissingReason(page: Page, label: string): Promise<void> {
  await (await waitVisible(field(page, 'Why are NEWS2 parameters missing?'), 'the question why NEWS2 parameters are missing')).selectOption({ label });
}

export interface EscalationEntry {
  /** A ward doctor as listed ("Dr Grace Hopper"), or someone else. */
  who: string | { name: string; role: string };
  response: string;
}

/** The escalation form (after saving a worrying set, or from the board): fill and save; ends on the board. */
export async function recordEscalation(page: Page, e: EscalationEntry): Promise<string> {
  await waitVisible(heading(page, 'Record the escalation', 2), 'the escalation form', SLOW_TIMEOUT);
  const who = field(page, 'Who was informed');
  const starting = async (wanted: string): Promise<string> => {
    const labels = (await who.locator('option').allTextContents()).map((l) => l.trim());
    const label = labels.find((l) => l.startsWith(wanted));
    if (!label) throw new Error(`"${wanted}" is not offered in "Who was informed" (offered: ${labels.join(', ')}).`);
    return label;
  };
  if (typeof e.who === 'string') await who.selectOption({ label: await starting(e.who) });
  else {
    await who.selectOption({ label: await starting('Someone else') });
    await field(page, 'Name of the person informed').fill(e.who.name);
    await field(page, 'Their role').fill(e.who.role);
  }
  await field(page, 'Response').fill(e.response);
  await button(page, 'Save escalation').click();
  await expectWardBoard(page, SLOW_TIMEOUT);
  return notice(page, /Escalation recorded/, 'the "Escalation recorded" notice');
}

/** The per-field message next to a vitals box or question (by its label), or null. */
export function vitalsError(page: Page, label: string): Promise<string | null> {
  return fieldError(page, label);
}

/** The NEWS2 panel beside the vitals form (a region named "NEWS2 score"; only its total and band are a live region). */
export function news2Status(page: Page): Locator {
  return page.getByRole('region', { name: 'NEWS2 score' });
}

/** Wait until the live NEWS2 shows this text (e.g. "5 — Medium" or /Incomplete \(6 of 7/); returns its full text. */
export async function expectNews2(page: Page, text: string | RegExp, timeout = SCREEN_TIMEOUT): Promise<string> {
  const el = await waitVisible(news2Status(page).filter({ hasText: text }), `NEWS2 score showing ${String(text)}`, timeout);
  return ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * "Save vitals"; ends back on the ward board and returns its "Saved: vitals … secured" notice. A
 * worrying score asks for the escalation first: record it (given), or "Record later".
 */
export async function saveVitals(page: Page, escalation?: EscalationEntry | 'later'): Promise<string> {
  await button(page, 'Save vitals').click();
  const asked = heading(page, 'Record the escalation', 2);
  await waitVisible(asked.or(heading(page, 'Ward board')), 'the ward board or the escalation form', SLOW_TIMEOUT);
  if (await asked.isVisible()) {
    if (!escalation) throw new Error('The set called for an escalation, and the test gave none.');
    if (escalation === 'later') {
      await button(page, 'Record later').click();
      await expectWardBoard(page, SLOW_TIMEOUT);
    } else return recordEscalation(page, escalation);
  } else await expectWardBoard(page, SLOW_TIMEOUT);
  return notice(page, /Saved: vitals .* secured against later changes/, 'the "Saved: vitals … secured" notice');
}

/** Enter a full set for a patient from the board and save; returns the saved notice. */
export async function recordVitals(page: Page, name: string, v: VitalsEntry): Promise<string> {
  await openVitalsEntry(page, name);
  await fillVitals(page, v);
  return saveVitals(page);
}

// ---------------------------------------------------------------- patient record

export async function expectPatientRecord(page: Page, name: string, timeout = SLOW_TIMEOUT): Promise<void> {
  await waitVisible(heading(page, name), `the record of ${name}`, timeout);
  await waitVisible(heading(page, 'Records', 2), `the records of ${name}`, timeout);
}

export type ProvenanceLabel = 'Verified' | 'Pending anchor' | 'Tampered' | 'Unverifiable';

export interface RecordRow {
  /** "Vitals", "Note", "Diagnosis", "Amendment", "Escalation". */
  kind: string;
  /** Kind and measured time, then "Superseded" when a later record corrects it. */
  title: string;
  /** "Signed by Grace Hopper (Doctor)". */
  author: string;
  provenance: ProvenanceLabel | null;
  /** Problems listed in the provenance details. */
  problems: string[];
  /** All text of the record with its details open (content, checks, links). */
  text: string;
}

function recordList(page: Page): Locator {
  return page.getByRole('list', { name: 'Records, newest first' });
}

/** The records on the page shown (newest first), each read with its details opened (and closed again). */
export async function recordRows(page: Page): Promise<RecordRow[]> {
  await waitVisible(heading(page, 'Records', 2), 'the record list');
  const list = recordList(page);
  if (!(await list.isVisible())) return [];
  const items = list.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^Provenance:/ }) });
  const out: RecordRow[] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    const badge = item.getByRole('button', { name: /^Provenance:/ });
    const wasOpen = (await badge.getAttribute('aria-expanded')) === 'true';
    if (!wasOpen) await badge.click();
    const kindText = squash(await item.locator('.record-row__kind').textContent());
    const text = squash(await item.textContent());
    const prov = /Provenance: (Verified|Pending anchor|Tampered|Unverifiable)/.exec(squash(await badge.textContent()));
    const problemsList = item.getByRole('list', { name: 'Problems found' });
    const problems = (await problemsList.count()) ? (await problemsList.getByRole('listitem').allTextContents()).map((t) => t.trim()) : [];
    // Leave the screen as found.
    if (!wasOpen) await badge.click();
    out.push({
      kind: kindText.split(' ')[0]!,
      title: `${(await item.getAttribute('aria-label')) ?? ''}${/Superseded/.test(kindText) ? ' Superseded' : ''}`,
      author: squash(await item.locator('.record-row__author').textContent()),
      provenance: prov ? (prov[1] as ProvenanceLabel) : null,
      problems,
      text,
    });
  }
  return out;
}

function squash(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** "Records 1–50 of 200 (filtered from 500), newest first". */
export async function recordListStatus(page: Page): Promise<string> {
  return squash(await page.locator('#record-list-status').textContent());
}

/** Choose the record list's filters by their visible labels ("Vitals", "Nora Nurse", "Last 24 hours"). */
export async function filterRecordList(page: Page, f: { kind?: string; author?: string; period?: string }): Promise<void> {
  if (f.kind) await field(page, 'Kind').selectOption({ label: f.kind });
  if (f.author) await field(page, 'Signed by').selectOption({ label: f.author });
  if (f.period) await field(page, 'Period').selectOption({ label: f.period });
}

/** Turn the record list's page ("Older", "Newer", "Oldest", "Newest"). */
export async function turnRecordPage(page: Page, to: 'Older' | 'Newer' | 'Oldest' | 'Newest'): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages of records' }).getByRole('button', { name: to, exact: true }).click();
}

export interface FlowsheetCellView {
  text: string;
  /** The NEWS2 sub-score its colour says (score--N class), null when not scored. */
  colourScore: number | null;
  /** The sub-score written for screen readers (", scores N"). */
  spokenScore: number | null;
  struck: boolean;
}

/** The flowsheet as shown: column headers (measured time) and rows by parameter name. */
export async function flowsheet(page: Page): Promise<{ columns: string[]; rows: Record<string, FlowsheetCellView[]> }> {
  const table = page.getByRole('region', { name: 'Flowsheet, scrolls sideways' }).getByRole('table');
  await waitVisible(table, 'the flowsheet');
  return table.evaluate((t) => {
    const clean = (s: string | null): string => (s ?? '').replace(/\s+/g, ' ').trim();
    const columns = [...t.querySelectorAll('thead th')].slice(1).map((th) => clean(th.querySelector('.flowsheet__clock')?.textContent ?? null));
    const rows: Record<string, Array<{ text: string; colourScore: number | null; spokenScore: number | null; struck: boolean }>> = {};
    for (const tr of t.querySelectorAll('tbody tr')) {
      const name = clean(tr.querySelector('th')?.childNodes[0]?.textContent ?? null);
      rows[name] = [...tr.querySelectorAll('td')].map((td) => {
        const colour = /score--(\d)/.exec(td.className);
        const spoken = /scores (\d)/.exec(td.textContent ?? '');
        const value = td.querySelector('.flowsheet__value');
        return {
          text: clean(value?.textContent ?? null),
          colourScore: colour ? Number(colour[1]) : null,
          spokenScore: spoken ? Number(spoken[1]) : null,
          struck: value ? (value.ownerDocument.defaultView?.getComputedStyle(value).textDecorationLine ?? "").includes('line-through') : false,
        };
      });
    }
    return { columns, rows };
  });
}

/** Accessible names of the charts (canvas role="img"), e.g. "Pulse over time (/min), 3 readings, axis 30 to 180". */
export async function chartNames(page: Page): Promise<string[]> {
  await waitVisible(heading(page, 'Charts', 2), 'the charts');
  const imgs = page.getByRole('img');
  const names: string[] = [];
  for (let i = 0; i < (await imgs.count()); i++) names.push((await imgs.nth(i).getAttribute('aria-label')) ?? '');
  return names.filter((n) => / over time /.test(n));
}

/** The readings a chart drew, from its accessible name ("…, 21 readings, …"). */
export async function chartReadings(page: Page, title: string): Promise<number | null> {
  const name = (await chartNames(page)).find((n) => n.startsWith(`${title} over time`));
  const m = name ? /, (\d+) readings?/.exec(name) : null;
  return m ? Number(m[1]) : null;
}

/** The values in a chart's readings table (the screen reader's copy of the chart: its latest 100 readings). */
export async function chartTableValues(page: Page, title: string): Promise<string[]> {
  const table = page.locator('table').filter({ has: page.locator('caption', { hasText: new RegExp(`^\\s*${escapeRegExp(title)} readings`) }) });
  return table.locator('td').allTextContents();
}

/** Charts a period ("Records shown", "7 days", "30 days", "Whole record") and returns the words that say which, once drawn. */
export async function chartPeriod(page: Page, period: string, says: string | RegExp): Promise<string> {
  await page.getByRole('group', { name: 'Period charted' }).getByLabel(period, { exact: true }).check();
  const words = page.locator('.chart-period__words').filter({ hasText: says });
  await waitVisible(words, `the charts of "${period}"`, SLOW_TIMEOUT);
  return (await words.textContent())!.trim();
}

/** The y axis a chart drew, from its accessible name ("…, axis 34 to 41"). */
export async function chartAxis(page: Page, title: string): Promise<{ min: number; max: number } | null> {
  const name = (await chartNames(page)).find((n) => n.startsWith(`${title} over time`));
  const m = name ? /axis (-?[\d.]+) to (-?[\d.]+)$/.exec(name) : null;
  return m ? { min: Number(m[1]), max: Number(m[2]) } : null;
}

async function recordNotice(page: Page, what: string): Promise<string> {
  return notice(page, new RegExp(`^\\s*${what} saved, signed by`), `the "${what} saved" notice`);
}

/** Doctor: "Add note". */
export async function addNote(page: Page, text: string): Promise<string> {
  await field(page, 'Note').fill(text);
  await button(page, 'Add note').click();
  return recordNotice(page, 'Note');
}

/** Doctor: "Add diagnosis". */
export async function addDiagnosis(page: Page, text: string, code?: string): Promise<string> {
  await field(page, 'Diagnosis').fill(text);
  if (code !== undefined) await field(page, 'Code (optional)').fill(code);
  await button(page, 'Add diagnosis').click();
  return recordNotice(page, 'Diagnosis');
}

export interface AmendInput {
  reason: string;
  note?: string;
  diagnosis?: { text: string; code?: string };
  vitals?: VitalsEntry;
}

/**
 * Doctor: amend the newest record of a kind ('note', 'diagnosis', 'vitals', 'amendment'); the
 * button is named "Amend <kind> of <time>". Ends on the "Amendment saved" notice.
 */
export async function amendLatest(page: Page, kind: string, input: AmendInput): Promise<string> {
  const amend = page.getByRole('button', { name: new RegExp(`^Amend ${kind} of `) }).first();
  await (await waitVisible(amend, `an "Amend ${kind} of …" button`)).click();
  await field(page, 'Reason for amendment').fill(input.reason);
  if (input.note !== undefined) await field(page, 'Corrected note').fill(input.note);
  if (input.diagnosis) {
    await field(page, 'Corrected diagnosis').fill(input.diagnosis.text);
    if (input.diagnosis.code !== undefined) await field(page, 'Corrected code (optional)').fill(input.diagnosis.code);
  }
  if (input.vitals) await fillVitals(page, input.vitals);
  await button(page, 'Save amendment').click();
  return recordNotice(page, 'Amendment');
}

/** Doctor: set the NEWS2 scale with a reason. */
export async function setNews2Scale(page: Page, scale: 1 | 2, reason: string): Promise<string> {
  await field(page, 'NEWS2 scale').selectOption({ label: `Scale ${scale}` });
  await field(page, 'Reason').fill(reason);
  await button(page, 'Set NEWS2 scale').click();
  return notice(page, new RegExp(`NEWS2 Scale ${scale} is now in force`), 'the NEWS2 scale confirmation');
}

/** The break-glass offer shown when a clinician may not read a record. */
export function breakGlassButton(page: Page): Locator {
  return button(page, 'Emergency access (break glass)');
}

/** Clinician: open a record they may not read, with a reason; ends on the record. */
export async function breakGlass(page: Page, name: string, reason: string): Promise<void> {
  await waitVisible(breakGlassButton(page), 'the break-glass offer');
  await field(page, 'Reason').fill(reason);
  await breakGlassButton(page).click();
  await expectPatientRecord(page, name);
}

/** "Export FHIR" (optionally the one for a named patient in a list); returns the downloaded bundle. */
export async function exportFhir(page: Page, patientName?: string): Promise<{ filename: string; bundle: unknown }> {
  const trigger = button(page, patientName ? `Export FHIR for ${patientName}` : 'Export FHIR');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: SLOW_TIMEOUT }), trigger.click()]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  return { filename: download.suggestedFilename(), bundle: JSON.parse(await readFile(path, 'utf8')) };
}

// ---------------------------------------------------------------- patient: sharing and access log

export interface GrantRow {
  name: string;
  role: string;
  grantedAt: string;
  /** Empty while the grant is active. */
  revokedAt: string;
  active: boolean;
}

export async function expectSharingPage(page: Page): Promise<void> {
  await waitVisible(heading(page, 'Sharing'), 'the sharing page');
  await waitVisible(
    page.getByRole('table', { name: 'Access grants' }).or(page.getByText('You have not shared your record with anyone.')),
    'the list of grants',
  );
}

export async function consentGrants(page: Page): Promise<GrantRow[]> {
  await expectSharingPage(page);
  const table = page.getByRole('table', { name: 'Access grants' });
  if (!(await table.isVisible())) return [];
  const rows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  const out: GrantRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).getByRole('cell');
    const revoked = ((await cells.nth(2).textContent()) ?? '').trim();
    out.push({
      name: ((await rows.nth(i).getByRole('rowheader').textContent()) ?? '').trim(),
      role: ((await cells.nth(0).textContent()) ?? '').trim(),
      grantedAt: ((await cells.nth(1).textContent()) ?? '').trim(),
      revokedAt: revoked === 'Active' ? '' : revoked,
      active: revoked === 'Active',
    });
  }
  return out;
}

/** Patient: share the record with a person (by name); returns the confirmation text. */
export async function shareRecordWith(page: Page, name: string): Promise<string> {
  await expectSharingPage(page);
  const select = field(page, 'Share my record with');
  const labels = await select.locator('option').allTextContents();
  const label = labels.find((l) => l.startsWith(`${name} (`));
  if (!label) throw new Error(`"${name}" is not offered in "Share my record with" (offered: ${labels.join(', ')}).`);
  await select.selectOption({ label });
  await button(page, 'Share').click();
  return notice(page, new RegExp(`^\\s*${escapeRegExp(name)} \\(.+\\) can now read your record`), `the grant to ${name}`);
}

/** Patient: revoke a grant; returns the notice the app shows (what was shared stays readable). */
export async function revokeAccess(page: Page, name: string): Promise<string> {
  await (await waitVisible(button(page, `Revoke access for ${name}`), `the "Revoke access for ${name}" button`)).click();
  const alert = await waitVisible(page.getByRole('alert').filter({ hasText: 'Access revoked.' }), 'the revoke notice', SLOW_TIMEOUT);
  return ((await alert.textContent()) ?? '').replace(/^\s*Access revoked\.\s*/, '').replace(/\s+/g, ' ').trim();
}

export interface AuditRow {
  when: string;
  who: string;
  role: string;
  what: string;
  /** Only in the IT admin's log. */
  patient?: string;
  why: string;
  breakGlass: boolean;
  /** Marked "Flagged" (a care relationship made to read); its reason is part of `why`. */
  flagged: boolean;
}

/** Rows of the patient's "Access log" or the IT admin's "Audit log" (newest first). */
export async function auditRows(page: Page, log: 'Access log' | 'Audit log'): Promise<AuditRow[]> {
  await waitVisible(heading(page, log), `the ${log} page`);
  const table = page.getByRole('table', { name: log });
  await waitVisible(table.or(page.getByText('No audit events yet.')), `the ${log} or its empty state`);
  if (!(await table.isVisible())) return [];
  const withPatient = log === 'Audit log';
  const rows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  const out: AuditRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).getByRole('cell');
    const texts = (await cells.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const flagged = /\s*Flagged$/.test(texts[2]);
    const what = texts[2].replace(/\s*Flagged$/, '');
    out.push({
      when: texts[0],
      who: ((await rows.nth(i).getByRole('rowheader').textContent()) ?? '').trim(),
      role: texts[1],
      what: what.replace(/\s*Break glass$/, ''),
      ...(withPatient ? { patient: texts[3] } : {}),
      why: texts[withPatient ? 4 : 3],
      breakGlass: /Break glass$/.test(what),
      flagged,
    });
  }
  return out;
}

// ---------------------------------------------------------------- insurer

export interface VerifyResult {
  /** "All 3 records verified", "1 of 3 records failed verification", "The file could not be verified." */
  summary: string;
  rows: Array<{
    /** The record as the row names it ("Vitals of 27 Nov 2026, 10:12"); its id in `id`. */
    record: string;
    id: string;
    author: string;
    signature: boolean;
    member: boolean;
    integrity: boolean;
    anchor: boolean;
    /** The consortium cell's text ("✓ Included (block 12) published by Ward 7 North", "Not published"…); null without the column. */
    consortium: string | null;
    problems: string;
  }>;
}

/** Insurer (or anyone on the page): verify an export file; returns the summary and the report rows (cells by their column header). */
export async function verifyExport(
  page: Page,
  file: string | { name: string; mimeType: string; buffer: Buffer },
): Promise<VerifyResult> {
  await field(page, 'FHIR export file').setInputFiles(file);
  await button(page, 'Verify').click();
  const status = await waitVisible(
    page.getByRole('status').filter({ hasText: /records? verified|failed verification|could not be verified|Incomplete export|does not verify|Not verified/ }),
    'the verification summary',
    SLOW_TIMEOUT,
  );
  const summary = ((await status.textContent()) ?? '').replace(/\s*\(.*\)\s*$/, '').replace(/\s+/g, ' ').trim();
  const table = page.getByRole('table', { name: 'Verification report' });
  const rows: VerifyResult['rows'] = [];
  if (await table.isVisible()) {
    const headers = (await table.getByRole('columnheader').allTextContents()).map((t) => t.trim()).slice(1); // the first heads the row headers
    const trs = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
    for (let i = 0; i < (await trs.count()); i++) {
      const texts = (await trs.nth(i).getByRole('cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      const cell = (name: string): string | null => (headers.includes(name) ? texts[headers.indexOf(name)]! : null);
      const header = trs.nth(i).getByRole('rowheader');
      rows.push({
        record: ((await header.textContent()) ?? '').replace(/Record id.*$/s, '').replace(/\s+/g, ' ').trim(),
        id: ((await header.getAttribute('title')) ?? '').trim(),
        author: cell('Author (ward registry)')!,
        signature: cell('Signature')!.startsWith('✓'),
        member: cell('Member')!.startsWith('✓'),
        integrity: cell('Integrity')!.startsWith('✓'),
        anchor: cell('Anchor')!.startsWith('✓'),
        consortium: cell('Consortium'),
        problems: cell('Problems')!,
      });
    }
  }
  return { summary, rows };
}

/** Names in a patient list table: "My patients" (doctor) or "Shared with me" (insurer). */
export async function patientListNames(page: Page, table: 'My patients' | 'Shared with me'): Promise<string[]> {
  const t = page.getByRole('table', { name: table });
  const empty = page.getByText(/^(No patients yet|No patient has shared a record with you yet\.)/);
  await waitVisible(t.or(empty), `the "${table}" list or its empty state`);
  if (!(await t.isVisible())) return [];
  return (await t.getByRole('rowheader').allTextContents()).map((s) => s.trim());
}

// ---------------------------------------------------------------- devices panel (nurses, doctors, IT)

/** Open the devices panel from the main navigation; ends when its device list has loaded. */
export async function gotoDevices(page: Page): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await (await waitVisible(nav.getByRole('link', { name: 'Devices', exact: true }), 'the "Devices" link in the navigation')).click();
  await expectDevicesPage(page);
}

/** Wait for the devices panel: its heading and the device list (or its empty state). */
export async function expectDevicesPage(page: Page, timeout = SCREEN_TIMEOUT): Promise<void> {
  await waitVisible(heading(page, 'Devices'), 'the devices panel', timeout);
  await waitVisible(
    page.getByRole('list', { name: 'Connected devices' }).or(page.getByText(/^\s*No devices connected\./)),
    'the connected devices or their empty state',
    timeout,
  );
}

/** One connected device (its card in the "Connected devices" list), by model as its heading shows it. */
export function deviceRow(page: Page, model: string): Locator {
  return page
    .getByRole('list', { name: 'Connected devices' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { level: 3, name: model, exact: true }) })
    .first();
}

/** Wait until a device with this model is listed (hotplug takes a poll or two). */
export async function waitForDevice(page: Page, model: string, timeout = SCREEN_TIMEOUT): Promise<Locator> {
  return waitVisible(deviceRow(page, model), `the device "${model}" in the connected devices`, timeout);
}

/** "Ready", "Streaming", "Reading memory", "No permission", … as the device's card says. */
export async function deviceStatus(page: Page, model: string): Promise<string> {
  const row = await waitForDevice(page, model);
  // The word "Status:" is for screen readers; its parent holds the status itself.
  const status = row.getByText(/^\s*Status:\s*$/).locator('..');
  return ((await status.textContent()) ?? '').replace(/^\s*Status:\s*/, '').trim();
}

/** Wait for the note that live updates paused because nobody is using the workstation. */
export async function expectDevicesPaused(page: Page, timeout = SCREEN_TIMEOUT): Promise<void> {
  await waitVisible(page.getByRole('status').filter({ hasText: /^\s*Live updates paused/ }), 'the "Live updates paused" note', timeout);
}

/** Demo mode: choose a simulator ("oximeter", "glucometer", "bp" or a driver name) and plug it in. */
export async function plugSimulator(page: Page, name: string): Promise<string> {
  await waitVisible(heading(page, 'Simulate a device', 2), 'the "Simulate a device" form (demo mode)');
  await field(page, 'Simulator').selectOption(name);
  await button(page, 'Plug in').click();
  // The notice names the device in words (renderer deviceDisplay.ts simulatorLabel), not by its id.
  const words: Record<string, string> = { oximeter: 'pulse oximeter', glucometer: 'blood glucose meter', bp: 'blood pressure monitor' };
  return notice(page, new RegExp(`Plugged in a simulated ${escapeRegExp(words[name] ?? name)}`, 'i'), `the notice that ${name} was plugged in`);
}

export interface LiveValues {
  spo2: number | null;
  pulse: number | null;
  /** The whole text, e.g. "SpO2 97 %, pulse 72 /min" or "No finger". */
  text: string;
}

/** The element named "Live values of <model> <serial>" of a streaming oximeter. */
export function liveValuesElement(page: Page, model: string): Locator {
  return page.getByRole('group', { name: new RegExp(`^Live values of ${escapeRegExp(model)}( |$)`) }).first();
}

/** An oximeter's live values as shown now (null where the screen shows none). */
export async function liveValues(page: Page, model: string): Promise<LiveValues> {
  const el = await waitVisible(liveValuesElement(page, model), `live values of ${model}`);
  const text = ((await el.textContent()) ?? '').replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
  const spo2 = /SpO2 (\d+)/.exec(text);
  const pulse = /pulse (\d+)/i.exec(text);
  return { spo2: spo2 ? Number(spo2[1]) : null, pulse: pulse ? Number(pulse[1]) : null, text };
}

/** Wait until the oximeter shows a numeric SpO2; returns the values. */
export async function waitForLiveValues(page: Page, model: string, timeout = SCREEN_TIMEOUT): Promise<LiveValues> {
  await waitVisible(liveValuesElement(page, model).filter({ hasText: /SpO2\s*\d+/ }), `a live SpO2 value of ${model}`, timeout);
  return liveValues(page, model);
}

/** The option of a select whose label is `wanted`, or "<bed> — <name>" with `wanted` as bed or name. */
async function optionMatching(select: Locator, wanted: string, what: string): Promise<string> {
  const labels = (await select.locator('option').allTextContents()).map((l) => l.trim());
  const label = labels.find((l) => l === wanted || l.startsWith(`${wanted} — `) || l.endsWith(` — ${wanted}`));
  if (!label) throw new Error(`"${wanted}" is not offered in ${what} (offered: ${labels.join(', ')}).`);
  return label;
}

/** Bind a streaming oximeter to a bed ("1A" or "1A — Peter Patient") at an interval; ends on the bound status. */
export async function bindToBed(page: Page, model: string, bedLabel: string, seconds: number | string): Promise<string> {
  const row = await waitForDevice(page, model);
  const bed = row.getByRole('combobox', { name: new RegExp(`^Bind ${escapeRegExp(model)}( .*)? to bed$`) });
  await waitVisible(bed, `the "Bind ${model} to bed" field`);
  await bed.selectOption({ label: await optionMatching(bed, bedLabel, `"Bind ${model} to bed"`) });
  await row.getByLabel('Interval (seconds)', { exact: true }).fill(String(seconds));
  await row.getByRole('button', { name: 'Bind', exact: true }).click();
  await waitVisible(row.getByText(/^\s*Bound to /), `the bound status of ${model}`, SLOW_TIMEOUT);
  return (await boundStatus(page, model)).text;
}

export interface BoundStatus {
  /** "Bound to bed 1A — Peter Patient, every 5 s, 2 readings recorded, last at …". */
  text: string;
  bed: string | null;
  name: string | null;
  intervalSeconds: number | null;
  recorded: number;
}

/** What a bound monitor's card says about its binding (throws if it is not bound). */
export async function boundStatus(page: Page, model: string): Promise<BoundStatus> {
  const row = await waitForDevice(page, model);
  const el = await waitVisible(row.getByText(/^\s*Bound to /), `the bound status of ${model}`);
  const text = ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const who = /^Bound to bed (.+?) — (.+?), every/.exec(text);
  const every = /every (\d+) s/.exec(text);
  const recorded = /(\d+) readings? recorded/.exec(text);
  return {
    text,
    bed: who ? who[1] : null,
    name: who ? who[2] : null,
    intervalSeconds: every ? Number(every[1]) : null,
    recorded: recorded ? Number(recorded[1]) : 0,
  };
}

/** Wait until a bound monitor has recorded at least `count` readings; returns its status. */
export async function waitForBoundReadings(page: Page, model: string, count: number, timeout = SLOW_TIMEOUT): Promise<BoundStatus> {
  const row = await waitForDevice(page, model);
  const pattern = new RegExp(`(\\d+) readings? recorded`);
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await row.getByText(/^\s*Bound to /).textContent().catch(() => '')) ?? '';
    const m = pattern.exec(text);
    if (m && Number(m[1]) >= count) return boundStatus(page, model);
    if (Date.now() > deadline) throw new Error(`Expected ${model} to record ${count} readings within ${timeout} ms; it says "${text.trim()}".`);
    await page.waitForTimeout(250);
  }
}

/** "Unbind <model>"; ends when the bind form is back. */
export async function unbindMonitor(page: Page, model: string): Promise<void> {
  const row = await waitForDevice(page, model);
  await row.getByRole('button', { name: new RegExp(`^Unbind ${escapeRegExp(model)}`) }).click();
  await waitVisible(row.getByRole('button', { name: 'Bind', exact: true }), `the bind form of ${model}`, SLOW_TIMEOUT);
}

/** "Read memory of <model>"; returns the notice ("<model>: 5 readings in memory, 0 new."). */
export async function readMemory(page: Page, model: string): Promise<string> {
  const row = await waitForDevice(page, model);
  await row.getByRole('button', { name: new RegExp(`^Read memory of ${escapeRegExp(model)}`) }).click();
  return notice(page, new RegExp(`^\\s*${escapeRegExp(model)}.*: .*(readings in memory|memory is empty)`), `the memory read of ${model}`);
}

/** "Unplug <model>" (simulated devices); ends when its card has gone. */
export async function unplug(page: Page, model: string): Promise<void> {
  const row = await waitForDevice(page, model);
  await row.getByRole('button', { name: new RegExp(`^Unplug ${escapeRegExp(model)}`) }).click();
  await waitHidden(deviceRow(page, model), `the device "${model}"`, SLOW_TIMEOUT);
}

export interface PendingRow {
  /** "FreeStyle Precision Neo NEO0001-00042" (model and serial). */
  device: string;
  kind: string;
  /** "Glucose 148 mg/dL", "BP 141/88 mmHg, pulse 76 /min". */
  values: string;
  /** Flags in words ("Irregular heartbeat"), or "None". */
  flags: string;
  deviceTime: string;
  /** The row's checkbox name, "Select reading <time> <values> from <model>" (null for roles that cannot record). */
  selectName: string | null;
}

/** The "Pending readings" table (empty when there are none). */
export async function pendingRows(page: Page): Promise<PendingRow[]> {
  await waitVisible(heading(page, 'Pending readings', 2), 'the pending readings');
  const table = page.getByRole('table', { name: 'Pending readings' });
  await waitVisible(table.or(page.getByText(/^\s*No pending readings\./)), 'the pending readings or their empty state');
  if (!(await table.isVisible())) return [];
  const rows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  const out: PendingRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const box = row.getByRole('checkbox');
    const cells = (await row.getByRole('cell').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const data = (await box.count()) ? cells.slice(1) : cells; // the first cell holds the checkbox
    out.push({
      device: data[0] ?? '',
      kind: data[1] ?? '',
      values: ((await row.getByRole('rowheader').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
      flags: data[2] ?? '',
      deviceTime: data[3] ?? '',
      selectName: (await box.count()) ? await box.getAttribute('aria-label') : null,
    });
  }
  return out;
}

/** Wait until at least `count` pending readings are listed. */
export async function waitForPending(page: Page, count: number, timeout = SCREEN_TIMEOUT): Promise<PendingRow[]> {
  const table = page.getByRole('table', { name: 'Pending readings' });
  await waitVisible(table.getByRole('row').filter({ has: page.getByRole('rowheader') }).nth(count - 1), `${count} pending readings`, timeout);
  return pendingRows(page);
}

async function selectPending(page: Page, which: number[] | 'all'): Promise<void> {
  const table = await waitVisible(page.getByRole('table', { name: 'Pending readings' }), 'the pending readings table');
  if (which === 'all') {
    await table.getByRole('checkbox', { name: 'Select all pending readings' }).check();
    return;
  }
  const rows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  for (const i of which) await rows.nth(i).getByRole('checkbox').check();
}

/**
 * Select pending readings (row indices, or 'all') and record them for a patient ("1B",
 * "Mary Major" or "1B — Mary Major"); returns the notice ("5 readings recorded for Mary Major.").
 */
export async function recordPending(page: Page, which: number[] | 'all', patientLabel: string, confirmTimes = false): Promise<string> {
  await selectPending(page, which);
  const select = field(page, 'Patient');
  await select.selectOption({ label: await optionMatching(select, patientLabel, 'the "Patient" list of pending readings') });
  await button(page, 'Record selected').click();
  if (confirmTimes) {
    await (await waitVisible(button(page, 'Record them at the times measured'), 'the question about old readings')).click();
  }
  return notice(page, /^\s*\d+ readings? recorded for /, 'the notice that the readings were recorded');
}

/** Select pending readings and dismiss them; returns the notice. */
export async function dismissPending(page: Page, which: number[] | 'all'): Promise<string> {
  await selectPending(page, which);
  await button(page, 'Dismiss selected').click();
  return notice(page, /^\s*\d+ readings? dismissed/, 'the notice that the readings were dismissed');
}
