import { describe, expect, it } from 'vitest';
import { STATE_WORDS, FPU, MXCSR, XCR0 } from '../cpu/state/layout.ts';
import { FpuState, F80, FPU_WORDS, fromNumber } from '../cpu/fpu/index.ts';
import { formatX87, x87View } from './x87View.ts';

describe('x87View', () => {
  it('shows ST(i) by stack position with tags and values, and decodes FCW/FSW', () => {
    const s = new Uint32Array(STATE_WORDS);
    const f = new FpuState(s.subarray(FPU, FPU + FPU_WORDS));
    f.push(fromNumber(1.5, new F80()));
    f.push(fromNumber(0, new F80()));
    f.setFcw(0x0b7b);                        // RC up, ZE unmasked
    f.setFsw(0x0004 | (f.top << 11));        // ZE pending
    s[MXCSR] = 0x1f80; s[XCR0] = 3;
    const v = x87View(s);
    expect(v.top).toBe(6);
    expect(v.regs[0]).toMatchObject({ st: 0, phys: 6, tag: 'zero', value: 0 });
    expect(v.regs[1]).toMatchObject({ st: 1, phys: 7, tag: 'valid', value: 1.5, raw: '3fff:c000000000000000' });
    expect(v.regs[2]!.tag).toBe('empty');
    expect(v.ftw).toBe(0x1fff);                // R7 valid (00), R6 zero (01), the rest empty
    const text = formatX87(v);
    expect(text).toContain('RC=up');
    expect(text).toContain('TOP=6 ZE ES B');
    expect(text).toContain('st1=3fff:c000000000000000 1.5 (valid) R7');
    expect(text).toContain('xcr0=00000003');
  });
});
