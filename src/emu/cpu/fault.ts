/**
 * Guest exceptions are thrown as one preallocated sentinel (STYLE.md §7): the
 * vector and error code go into the CPU first, and the run loop catches the
 * sentinel once per slice. Not an Error: no stack capture on the hot path.
 */
export const FAULT: { readonly kind: 'guest-fault' } = Object.freeze({ kind: 'guest-fault' });

/** Error code value meaning "this exception pushes none". */
export const NO_ERR = -1;

/** Exception classes for the double-fault rules (SDM Vol. 3 Table 6-5). */
export function isContributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

/** Exceptions that push an error code (SDM Vol. 3 6.13). */
export function hasErrorCode(v: number): boolean {
  return v === 8 || (v >= 10 && v <= 14) || v === 17 || v === 21;
}
