/**
 * Names: which characters are refused (Unicode TR36 §3 and TR39 §3.1: bidirectional controls,
 * default-ignorable "invisible" characters), NFKC folding, and look-alike comparison by the TR39
 * §4 skeleton. Confusable pairs are those of Unicode's confusables.txt, e.g.
 * "0430 ; 0061 ; MA # ( а → a ) CYRILLIC SMALL LETTER A → LATIN SMALL LETTER A",
 * "0420 ; 0050 ; MA # ( Р → P ) CYRILLIC CAPITAL LETTER ER → LATIN CAPITAL LETTER P",
 * "03A1 ; 0050 ; MA # ( Ρ → P ) GREEK CAPITAL LETTER RHO → LATIN CAPITAL LETTER P".
 */
import { describe, expect, it } from 'vitest';
import { nameSchema } from '../../../electron/core/model/fields';
import { displayName, indexForm, legacyIndexForm, looksAlike } from '../../../electron/core/identity/personName';

const problem = (name: string) => {
  const r = nameSchema.safeParse(name);
  return r.success ? null : r.error.issues[0]!.message;
};

describe('name characters', () => {
  it.each([
    ['C1 control NEL', 'Peter\u0085Patient', /control characters/],
    ['C1 control CSI', 'Peter \u009B31mPatient', /control characters/],
    ['C0 control', 'Peter\u0007Patient', /control characters/],
    ['right-to-left override', 'Peter \u202Etneitap', /text-direction marks/],
    ['right-to-left isolate', '\u2067Peter Patient\u2069', /text-direction marks/],
    ['Arabic letter mark', 'Peter\u061C Patient', /text-direction marks/],
    ['left-to-right mark', 'Peter\u200E Patient', /text-direction marks/],
    ['zero-width space', 'Peter\u200BPatient', /invisible characters/],
    ['zero-width joiner', 'Pe\u200Dter Patient', /invisible characters/],
    ['word joiner', 'Peter\u2060 Patient', /invisible characters/],
    ['soft hyphen', 'Pe\u00ADter Patient', /invisible characters/],
    ['byte order mark', 'Peter\uFEFF Patient', /invisible characters/],
    ['Hangul filler', 'Peter \u3164Patient', /invisible characters/],
    ['combining grapheme joiner', 'Pe\u034Fter Patient', /invisible characters/],
    ['variation selector', 'Peter\uFE0F Patient', /invisible characters/],
    ['tag characters', 'Peter Patient\u{E0041}\u{E0042}', /invisible characters/],
    ['private use', 'Peter \uE000Patient', /private-use or unassigned/],
    ['unassigned code point', 'Peter \u0378Patient', /private-use or unassigned/],
  ])('refuses a %s', (_what, name, message) => {
    expect(problem(name)).toMatch(message);
  });

  it.each([
    'Zoë Ångström',
    'José Núñez-García',
    "Seán O'Brien",
    'Nguyễn Văn An',
    'Иван Петров',
    'Σωκράτης Παπαδόπουλος',
    '王小明',
    'محمد رضا',
    'می\u200Cخواهم', // ZWNJ between Arabic-script letters: Persian spelling
    'Jean-Luc Picard',
  ])('accepts %s', (name) => {
    expect(problem(name)).toBeNull();
  });

  it('refuses ZWNJ where it is not Persian spelling', () => {
    expect(problem('Peter\u200CPatient')).toMatch(/invisible/);
  });
});

describe('stored and matched forms', () => {
  it('folds compatibility forms (NFKC) and runs of spaces', () => {
    expect(displayName('  \uFF30eter\u00A0\u00A0Patient ')).toBe('Peter Patient'); // fullwidth P, no-break spaces
    expect(displayName('\uFB01ona Smith')).toBe('fiona Smith'); // ﬁ ligature
    expect(indexForm('PETER   patient')).toBe('peter patient');
  });

  it('keeps the index form of earlier versions (NFC) for accounts registered then', () => {
    expect(legacyIndexForm('\uFF30eter Patient')).toBe('\uFF50eter patient');
    expect(legacyIndexForm('\uFF30eter Patient')).not.toBe(indexForm('\uFF30eter Patient'));
  });
});

describe('look-alike names (TR39 skeleton)', () => {
  it.each([
    ['Cyrillic е', 'P\u0435ter Patient'],
    ['Cyrillic Р, е, а', '\u0420et\u0435r \u0420\u0430ti\u0435nt'],
    ['Greek capitals', '\u03A1\u0395\u03A4\u0395R \u03A1\u0391TIENT'],
    ['upper case', 'PETER PATIENT'],
    ['lower case', 'peter patient'],
    ['fullwidth letters', '\uFF30eter \uFF30atient'],
  ])('%s looks like "Peter Patient"', (_what, name) => {
    expect(looksAlike(name, 'Peter Patient')).toBe(true);
  });

  it.each([['Petra Patient'], ['Peter Patients'], ['Пётр Пациент'], ['Peter Patiant']])('%s does not', (name) => {
    expect(looksAlike(name, 'Peter Patient')).toBe(false);
  });

  it('finds the classic look-alikes of Latin letters (rn/m, I/l, O/0)', () => {
    expect(looksAlike('Kim Smith', 'Kirn Smith')).toBe(true);
    expect(looksAlike('Mills', 'MiIls')).toBe(true);
    expect(looksAlike('Olaf', '0laf')).toBe(true);
  });
});
