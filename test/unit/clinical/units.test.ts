import { describe, expect, it } from 'vitest';
import { CONVERSION_DECIMALS, GLUCOSE_MG_PER_DL_PER_MMOL_PER_L, celsiusToFahrenheit, fahrenheitToCelsius, mgPerDlToMmolPerL, mmolPerLToMgPerDl, roundHalfUp, toCelsius, toMmolPerL } from '../../../electron/core/clinical/units';

/** Values from `from` to `to` in steps of 1/10^decimals, exact decimals (no float drift). */
function decimalRange(from: number, to: number, decimals: number): number[] {
  const f = 10 ** decimals;
  const out: number[] = [];
  for (let i = Math.round(from * f); i <= Math.round(to * f); i++) out.push(i / f);
  return out;
}

describe('roundHalfUp', () => {
  it.each([
    [35.05, 1, 35.1], // the binary double is 35.04999…; a typed "35.05" must still round up
    [38.05, 1, 38.1],
    [35.04, 1, 35.0],
    [1.005, 2, 1.01],
    [2.5, 0, 3],
    [0.5, 0, 1],
    [0.49, 0, 0],
    [-2.5, 0, -3], // half away from zero
    [-35.05, 1, -35.1],
    [97.999, 2, 98],
  ])('roundHalfUp(%d, %d) = %d', (value, decimals, expected) => {
    expect(roundHalfUp(value, decimals)).toBe(expected);
  });

  it('passes non-finite values through unchanged', () => {
    expect(roundHalfUp(Number.NaN, 1)).toBeNaN();
    expect(roundHalfUp(Number.POSITIVE_INFINITY, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('glucose conversion (÷ 18.016)', () => {
  it('uses the factor 18.016 and 2 decimals', () => {
    expect(GLUCOSE_MG_PER_DL_PER_MMOL_PER_L).toBe(18.016);
    expect(CONVERSION_DECIMALS).toBe(2);
    expect(mgPerDlToMmolPerL(18.016)).toBe(1);
    expect(mgPerDlToMmolPerL(100)).toBe(5.55); // 5.5506…
    expect(mgPerDlToMmolPerL(180)).toBe(9.99); // 9.9911…
    expect(mmolPerLToMgPerDl(1)).toBe(18.02); // 18.016
    expect(mmolPerLToMgPerDl(5.5)).toBe(99.09); // 99.088
    expect(mmolPerLToMgPerDl(10)).toBe(180.16);
  });

  it('round-trips every whole mg/dL from 18 to 900 exactly', () => {
    for (const mg of decimalRange(18, 900, 0)) {
      expect(roundHalfUp(mmolPerLToMgPerDl(mgPerDlToMmolPerL(mg)), 0)).toBe(mg);
    }
  });

  it('round-trips every 0.1 mmol/L from 1.0 to 50.0 exactly', () => {
    for (const mmol of decimalRange(1, 50, 1)) {
      expect(roundHalfUp(mgPerDlToMmolPerL(mmolPerLToMgPerDl(mmol)), 1)).toBe(mmol);
    }
  });

  it('toMmolPerL converts only mg/dL', () => {
    expect(toMmolPerL(7.3, 'mmol/L')).toBe(7.3);
    expect(toMmolPerL(126, 'mg/dL')).toBe(6.99);
  });
});

describe('temperature conversion', () => {
  it.each([
    [32, 0],
    [212, 100],
    [-40, -40],
    [98.6, 37],
    [100.4, 38],
    [95, 35],
    [102.2, 39],
    [99, 37.22], // 37.2222…
  ])('%d °F = %d °C', (f, c) => {
    expect(fahrenheitToCelsius(f)).toBe(c);
  });

  it.each([
    [0, 32],
    [100, 212],
    [37, 98.6],
    [38.1, 100.58],
    [35.05, 95.09],
  ])('%d °C = %d °F', (c, f) => {
    expect(celsiusToFahrenheit(c)).toBe(f);
  });

  it('round-trips every 0.1 °F from 77.0 to 113.0 exactly', () => {
    for (const f of decimalRange(77, 113, 1)) {
      expect(roundHalfUp(celsiusToFahrenheit(fahrenheitToCelsius(f)), 1)).toBe(f);
    }
  });

  it('round-trips every 0.1 °C from 25.0 to 45.0 exactly', () => {
    for (const c of decimalRange(25, 45, 1)) {
      expect(roundHalfUp(fahrenheitToCelsius(celsiusToFahrenheit(c)), 1)).toBe(c);
    }
  });

  it('toCelsius converts only [degF]', () => {
    expect(toCelsius(36.6, 'Cel')).toBe(36.6);
    expect(toCelsius(97.9, '[degF]')).toBe(36.61);
  });
});
