/**
 * Vitals are validated at the API boundary by their schema (model/vitals.ts). A refused vitals set
 * must come back with the same per-field messages, keyed by vital sign, that vitals/preview and
 * the vitals form show: the form puts each message next to its box by that key.
 */
import { ethers } from 'ethers';
import { describe, expect, it } from 'vitest';
import { Router, type Handlers } from '../../../electron/core/api/router';
import { validateVitals } from '../../../electron/core/clinical/vitals';
import { EventHub } from '../../../electron/core/platform/eventHub';
import { SessionManager } from '../../../electron/core/identity/sessions';

describe('vitals at the API boundary', () => {
  const sessions = new SessionManager(new EventHub(), () => 300);
  const reached: string[] = [];
  const handlers = new Proxy({}, { get: (_t, op: string) => async () => (reached.push(op), {}) }) as Handlers;
  const router = new Router(handlers, sessions, () => undefined);
  const w = new ethers.Wallet(ethers.Wallet.createRandom().privateKey);
  const s = sessions.create('c', { address: w.address, name: 'D', age: 40, role: 'doctor', status: 'approved' }, w, null);
  const call = (op: string, input: unknown) => router.call({ sessionToken: s.token, channel: 'c' }, op, input);
  const patient = ethers.Wallet.createRandom().address;

  const refused: Array<[string, unknown]> = [
    ['out of range', { spo2: 140, pulse: 72 }],
    ['a string for a number', { spo2: 97, pulse: 'ten' }],
    ['an unknown vital sign', { pulse: 72, lactate: 2 }],
    ['a temperature out of range in °F', { temperature: { value: 120, unit: '[degF]' } }],
    ['a glucose unit nobody uses', { bloodGlucose: { value: 5, unit: 'g/L' } }],
    ['diastolic above systolic', { systolic: 90, diastolic: 95 }],
    ['no measurement at all', { supplementalOxygen: true }],
    ['not an object', 'ninety-seven'],
    ['missing', undefined],
  ];

  for (const [what, vitals] of refused) {
    it(`refuses ${what} with the per-field messages of the vitals form`, async () => {
      const expected = validateVitals(vitals);
      if (expected.ok) throw new Error('the case must be invalid vitals');
      for (const [op, input] of [
        ['records/addVitals', { patient, vitals }],
        ['records/amend', { recordId: '0x' + '1'.repeat(64), reason: 'Corrected reading', vitals: vitals ?? null }],
      ] as const) {
        const r = await call(op, input);
        if (r.ok) throw new Error(`${op} accepted ${what}`);
        expect(r.error.code).toBe('BAD_INPUT');
        expect(r.error.details?.fields, op).toEqual(expected.errors);
        expect(r.error.message).toBe(Object.values(expected.errors)[0]);
      }
    });
  }

  it('passes a valid set on to the handler, and keys other fields by their path', async () => {
    reached.length = 0;
    expect((await call('records/addVitals', { patient, vitals: { spo2: 97, pulse: 72 } })).ok).toBe(true);
    expect(reached).toEqual(['records/addVitals']);
    const r = await call('records/amend', { recordId: '0x' + '1'.repeat(64), reason: 'Corrected', diagnosis: { text: '' } });
    if (r.ok) throw new Error('an empty diagnosis was accepted');
    expect(r.error.details?.fields).toEqual({ 'diagnosis.text': 'Text is required.' });
  });
});
