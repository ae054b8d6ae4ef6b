import { describe, expect, it } from 'vitest';
import { FIELDS, OFFSETS, STATE_WORDS, GPR, RIP, SEGS, segOff, SEG_AR } from './layout.ts';
import { FPU_WORDS } from '../fpu/state.ts';

describe('register file layout', () => {
  it('fields are contiguous, non-overlapping and named uniquely', () => {
    let w = 0;
    const names = new Set<string>();
    for (const f of FIELDS) {
      expect(names.has(f.name), f.name).toBe(false);
      names.add(f.name);
      expect(OFFSETS[f.name]).toBe(w);
      w += f.count * f.words;
    }
    expect(STATE_WORDS).toBe(w);
  });
  it('hot-path offsets agree with the field list', () => {
    expect(GPR).toBe(0);
    expect(RIP).toBe(32);
    expect(segOff(7, SEG_AR)).toBe(SEGS + 7 * 5 + 4);
  });
  it('reserves exactly the FPU state size the x87 module needs', () => {
    const f = FIELDS.find((x) => x.name === 'fpu')!;
    expect(f.count * f.words).toBe(FPU_WORDS);
  });
});
