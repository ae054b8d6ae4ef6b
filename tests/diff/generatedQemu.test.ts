// The generator's programs assemble, run under QEMU and produce complete,
// parseable dumps for the fixed seeds (the QEMU half of the differential test).
import { describe, expect, it } from 'vitest';
import { buildBareMetal, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { generateProgram, DONE_EXIT, ALL_GROUPS } from './gen/program.ts';
import { splitCases, validateDump } from './gen/compare.ts';
import { diffConfig } from './gen/seeds.ts';
import { regNamesFor } from './gen/regNames.ts';

const cfg = diffConfig();

describe.each([64, 32] as Mode[])('generated programs under QEMU, %i-bit', (mode) => {
  it.each(cfg.seeds)('seed %i: every case dumps registers, flags and memory; exit 0x11', async (seed) => {
    const prog = generateProgram({ seed, mode, cases: cfg.cases, length: cfg.length, groups: cfg.groups });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const r = await runInQemu(elf);
    expect(validateDump(r.serial, prog, regNamesFor(mode))).toEqual([]);
    expect(r.exitCode).toBe((DONE_EXIT << 1) | 1);
  }, 60_000);

  it('divide-error programs: every case reports #DE and resumes', async () => {
    const prog = generateProgram({ seed: 7, mode, cases: 60, length: 4, kind: 'divide-error' });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const r = await runInQemu(elf);
    expect(validateDump(r.serial, prog, regNamesFor(mode))).toEqual([]);
    const cases = splitCases(r.serial).filter((c) => c.id >= 0);
    expect(cases.map((c) => c.lines.filter((l) => l.startsWith('EXC ')).map((l) => l.slice(0, 6)))).toEqual(
      prog.cases.map(() => ['EXC 00']));
  }, 60_000);

  it('every group together builds and runs with XMM dumps', async () => {
    const groups = ALL_GROUPS.filter((g) => !g.modes || g.modes.includes(mode)).map((g) => g.name);
    const prog = generateProgram({ seed: 3, mode, cases: 40, length: 12, groups });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const r = await runInQemu(elf);
    expect(validateDump(r.serial, prog, regNamesFor(mode))).toEqual([]);
    expect(r.serial).toMatch(/^xmm7 [0-9a-f]{32}$/m);
  }, 60_000);
});
