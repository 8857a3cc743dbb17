/**
 * How a person's name is stored, matched and compared for look-alikes. (Which characters a name
 * may contain is checked at the API boundary: nameSchema in model/fields.ts.)
 *
 * - displayName: NFKC (compatibility forms folded: fullwidth letters, ligatures, superscripts),
 *   runs of whitespace as one space, trimmed. This is what profiles and the staff directory hold.
 * - indexForm: displayName in lower case — login names match whatever the case and spacing.
 * - lookalikeForms: the Unicode TR39 §4 "skeleton" (NFD, each character replaced by its prototype
 *   from confusables.txt via the unhomoglyph package, NFD) of the name as written, in lower case
 *   and in upper case. Two names look alike when any of their forms meet. The skeleton is
 *   case-sensitive ("MiIls" is "Mills"); lower case finds "rn" for "m"; upper case lets Greek
 *   capitals meet Latin ones (lower-casing Ρ gives ρ, whose prototype is not P's).
 */
import unhomoglyph from 'unhomoglyph';

export function displayName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

export function indexForm(name: string): string {
  return displayName(name).toLowerCase();
}

/** The index form of versions before NFKC (NFC): accounts registered then are still found. */
export function legacyIndexForm(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function skeleton(s: string): string {
  return unhomoglyph(s.normalize('NFD')).normalize('NFD');
}

export function lookalikeForms(name: string): [asWritten: string, lower: string, upper: string] {
  const n = displayName(name);
  return [skeleton(n), skeleton(n.toLowerCase()), skeleton(n.toUpperCase())];
}

/** True when two names look alike (see lookalikeForms). */
export function looksAlike(a: string, b: string): boolean {
  const fa = lookalikeForms(a);
  return lookalikeForms(b).some((f, i) => f === fa[i]);
}
