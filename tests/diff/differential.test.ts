// The differential test: the same bare-metal programs under QEMU (TCG) and
// vmxlab must produce identical serial output and exit codes.
//
// CI runs the fixed seed set of gen/seeds.ts; widen it by hand with
//   VMXLAB_DIFF_SEEDS=1-500 VMXLAB_DIFF_CASES=400 npx vitest run tests/diff/differential.test.ts
// and minimize a failure with tests/diff/runCase.ts (see tests/diff/README.md).
import { describe, expect, it } from 'vitest';
import { buildBareMetal, buildBareMetalFile, type Mode } from './build.ts';
import { runInQemu, type RunResult } from './qemuRunner.ts';
import { runInVmxlab, type VmxlabRunResult } from './vmxlabRunner.ts';
import { generateProgram, type GeneratedProgram } from './gen/program.ts';
import { compareDumps } from './gen/compare.ts';
import { diffConfig } from './gen/seeds.ts';

const cfg = diffConfig();

/** Fails with a readable report: the differing cases' listings and both values. */
function expectSame(what: string, qemu: RunResult, vmx: VmxlabRunResult, prog?: GeneratedProgram): void {
  if (vmx.reason !== 'exit') {
    throw new Error(`${what}: vmxlab stopped with '${vmx.reason}' after ${vmx.instructions} instructions:\n${vmx.message}\n` +
      `--- vmxlab serial (tail) ---\n${vmx.serial.slice(-1500)}`);
  }
  if (qemu.serial !== vmx.serial) {
    const report = prog
      ? compareDumps(prog, 'qemu  ', qemu.serial, 'vmxlab', vmx.serial)
      : firstDifference(qemu.serial, vmx.serial);
    throw new Error(`${what}: serial output differs\n${report}`);
  }
  expect(vmx.exitCode, `${what}: exit code`).toBe(qemu.exitCode);
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  qemu  : ${la[i] ?? '(missing)'}\n  vmxlab: ${lb[i] ?? '(missing)'}`;
  }
  return '(no line differs)';
}

describe.each([64, 32] as Mode[])('vmxlab vs QEMU, %i-bit', (mode) => {
  it.each(['hello.asm', 'faults.asm'])('%s', async (file) => {
    const elf = buildBareMetalFile(file, mode);
    const qemu = await runInQemu(elf);
    expectSame(`${file} (${mode}-bit)`, qemu, runInVmxlab(elf));
  }, 60_000);

  it.each(cfg.seeds)('random instructions, seed %i', async (seed) => {
    const prog = generateProgram({ seed, mode, cases: cfg.cases, length: cfg.length, groups: cfg.groups });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const qemu = await runInQemu(elf);
    expectSame(prog.name, qemu, runInVmxlab(elf), prog);
  }, 120_000);

  it.each(cfg.faultSeeds)('deliberate faults (#UD, #GP, #PF with error code and CR2), seed %i', async (seed) => {
    const prog = generateProgram({ seed, mode, cases: 300, length: 3, kind: 'fault' });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const qemu = await runInQemu(elf);
    expectSame(prog.name, qemu, runInVmxlab(elf), prog);
  }, 60_000);

  it('divide errors (#DE from zero divisors and quotient overflow)', async () => {
    const prog = generateProgram({ seed: 7, mode, cases: 60, length: 4, kind: 'divide-error' });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const qemu = await runInQemu(elf);
    expectSame(prog.name, qemu, runInVmxlab(elf), prog);
  }, 60_000);
});
