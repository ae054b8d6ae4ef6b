// Arithmetic flags and condition codes as the SDM defines them (Vol. 1 3.4.3,
// Appendix B): which flags each condition reads.
export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
export const ALL = CF | PF | AF | ZF | SF | OF;
/** Flags a logic op (AND/OR/XOR/TEST) defines; AF is undefined. */
export const LOGIC_DEF = CF | PF | ZF | SF | OF;

export const CONDITIONS: ReadonlyArray<{ cc: string; reads: number }> = [
  { cc: 'o', reads: OF }, { cc: 'no', reads: OF }, { cc: 'b', reads: CF }, { cc: 'ae', reads: CF },
  { cc: 'e', reads: ZF }, { cc: 'ne', reads: ZF }, { cc: 'be', reads: CF | ZF }, { cc: 'a', reads: CF | ZF },
  { cc: 's', reads: SF }, { cc: 'ns', reads: SF }, { cc: 'p', reads: PF }, { cc: 'np', reads: PF },
  { cc: 'l', reads: SF | OF }, { cc: 'ge', reads: SF | OF }, { cc: 'le', reads: ZF | SF | OF }, { cc: 'g', reads: ZF | SF | OF },
];

/** Initial RFLAGS for a case: bit 1 set, IF and DF clear, random status flags. */
export function initialFlags(randomBits: number): number {
  return 0x2 | (randomBits & ALL);
}
