// Unit tests of the generator itself: determinism, flag bookkeeping, operands.
import { describe, expect, it } from 'vitest';
import { generateProgram } from './program.ts';
import { GenContext } from './context.ts';
import { Rng } from './rng.ts';
import { AF, ALL, CF, OF, PF, SF, ZF } from './flags.ts';
import { diffConfig } from './seeds.ts';

describe('instruction generator', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateProgram({ seed: 5, mode: 64, cases: 20, length: 10 });
    const b = generateProgram({ seed: 5, mode: 64, cases: 20, length: 10 });
    const c = generateProgram({ seed: 6, mode: 64, cases: 20, length: 10 });
    expect(a.source).toBe(b.source);
    expect(a.source).not.toBe(c.source);
  });

  it('never emits 64-bit registers or REX-only instructions in 32-bit mode', () => {
    const p = generateProgram({ seed: 9, mode: 32, cases: 100, length: 20 });
    expect(p.source).not.toMatch(/\b(r[a-d]x|r[sd]i|rbp|r\d+[bwd]?|spl|bpl|sil|dil|movsxd|cdqe|cqo|popfq|pushfq)\b/);
  });

  it('never pairs AH..BH with a REX prefix', () => {
    const p = generateProgram({ seed: 11, mode: 64, cases: 300, length: 20 });
    for (const line of p.source.split('\n')) {
      // REX comes from R8-R15, SPL..DIL, or a 64-bit operand size (not from 64-bit addressing).
      if (/\b[a-d]h\b/.test(line)) {
        expect(line).not.toMatch(/\b(r\d+[bwd]?|spl|bpl|sil|dil)\b/);
        expect(line).not.toMatch(/^mov[sz]x r[a-z]{2}, /);
      }
    }
  });

  it('tracks undefined flags: logic leaves AF undefined, MUL leaves SF/ZF/AF/PF, ADD defines all', () => {
    const ctx = new GenContext(new Rng(1), 64);
    ctx.flags(ALL & ~AF, AF);
    expect(ctx.undef).toBe(AF);
    ctx.flags(CF | OF, SF | ZF | AF | PF);
    expect(ctx.undef).toBe(SF | ZF | AF | PF);
    expect(ctx.canRead(CF)).toBe(true);
    expect(ctx.canRead(ZF)).toBe(false);
    ctx.flags(CF); // e.g. STC: the rest stay undefined
    expect(ctx.undef).toBe(SF | ZF | AF | PF);
    ctx.flags(ALL);
    expect(ctx.undef).toBe(0);
  });

  it('masks exactly the flags left undefined at the end of a case', () => {
    const p = generateProgram({ seed: 2, mode: 64, cases: 200, length: 8 });
    const masks = p.source.split('\n').filter((l) => l.startsWith('and qword [rt_regs+128]'));
    expect(masks.length).toBe(p.cases.filter((c) => c.flagMask !== 0).length);
    for (const c of p.cases) expect(c.flagMask & ~ALL).toBe(0);
    expect(p.cases.some((c) => c.flagMask === 0)).toBe(true);
    expect(p.cases.some((c) => c.flagMask !== 0)).toBe(true);
  });

  it('covers the whole menu in a CI-sized run', () => {
    const { seeds, cases, length } = diffConfig({});
    const text = seeds.map((seed) => generateProgram({ seed, mode: 64, cases, length }).source).join('\n');
    for (const m of ['adc', 'sbb', 'lock add', 'inc', 'neg', 'not', 'rcl', 'rcr', 'shld', 'shrd', 'mul', 'imul', 'div', 'idiv',
      'bts', 'btr', 'btc', 'bsf', 'bsr', 'set', 'cmov', 'xchg', 'xadd', 'cmpxchg', 'bswap', 'movzx', 'movsx', 'movsxd',
      'lea', 'rep movs', 'repe cmps', 'repne scas', 'stos', 'lods', 'push', 'pop', 'cbw', 'cqo', 'popcnt', 'lzcnt', 'tzcnt',
      'std', 'ah,', 'r15b', 'fld tword', 'fild', 'fistp', 'fstp qword', 'fcomi', 'fucomip', 'fldcw', 'fsqrt', 'fdivr', 'fninit',
      'movdqu', 'paddq', 'pshufd', 'addps', 'mulsd', 'divpd', 'sqrtss', 'minps', 'maxsd', 'cvtdq2pd', 'cvttsd2si', 'cvtsi2ss',
      'cmpps', 'ucomisd', 'shufps', 'movhlps']) {
      expect(text, m).toContain(m);
    }
  });

  it('fault programs cover #UD, #GP, #PF and end every case in one faulting instruction', () => {
    const p64 = generateProgram({ seed: 1, mode: 64, cases: 300, length: 3, kind: 'fault' });
    const p32 = generateProgram({ seed: 1, mode: 32, cases: 300, length: 3, kind: 'fault' });
    for (const m of ['ud2', 'lock add eax, ebx', 'times ', 'mov ss, ax', 'call r', 'jmp r', 'rep stos', 'rep movs',
      'rep lods', 'std', 'xadd', 'bts qword [rax + 400], 63']) {
      expect(p64.source, m).toContain(m);
    }
    expect(p64.source).toMatch(/mov [defg]s, ax/); // a selector past the GDT limit
    expect(p64.source).toMatch(/mov r[sd]i, 0x5fff/); // REP up into the not-present page
    expect(p64.source).toMatch(/mov rdi, 0x6(3fff|4000)/); // REP down from the NX page into the read-only one
    expect(p32.source).toContain('swapgs');
    expect(p32.source).not.toMatch(/\b(r[a-d]x|rsi|rdi|r\d+)\b/);
    // Every case arms fault_resume once and resumes at its own label.
    expect(p64.source.match(/\[fault_resume\], \.resume/g)?.length).toBe(300);
  });

  it('segment overrides: FS/GS-based operands in both modes, 16-bit addressing in 32-bit code', () => {
    const p32 = generateProgram({ seed: 1, mode: 32, cases: 250, length: 20 }).source;
    const p64 = generateProgram({ seed: 1, mode: 64, cases: 250, length: 20 }).source;
    expect(p32).toMatch(/\[(fs|gs):b[xp]\+[sd]i\+\d+\]/);
    expect(p32).toMatch(/(rep |repe |repne )?[fg]s (movs|cmps)[bwd]/);
    expect(p64).toMatch(/\[(fs|gs):r\w+\+\d+\]/);
    expect(p64).toContain('mov [gdt_spare+2], ax');
  });

  it('reads the seed set from the environment', () => {
    expect(diffConfig({ VMXLAB_DIFF_SEEDS: '3-5,9', VMXLAB_DIFF_CASES: '7' })).toMatchObject({ seeds: [3, 4, 5, 9], cases: 7 });
  });
});
