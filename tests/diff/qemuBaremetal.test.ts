// The QEMU side of the harness: hand-written bare-metal programs print known
// lines and exit with known codes under QEMU, in both 32-bit and 64-bit mode.
// (The memory size checks assume BAREMETAL_MEM_MIB = 128.)
import { describe, expect, it } from 'vitest';
import { buildBareMetalFile, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { expectedFaultLines } from './faultProgram.ts';

describe.each([32, 64] as Mode[])('bare-metal runtime under QEMU, %i-bit', (mode) => {
  it('hello: prints the mode, the Multiboot magic and memory sizes, exits with 0x21', async () => {
    const r = await runInQemu(buildBareMetalFile('hello.asm', mode));
    expect(r.serial).toBe([
      mode === 64 ? 'hello from 64-bit long mode' : 'hello from 32-bit protected mode',
      'magic 2badb002',
      'mem_lower 0000027f',
      'mem_upper >= 126 MiB',
      '',
    ].join('\n'));
    expect(r.exitCode).toBe((0x21 << 1) | 1);
  }, 30_000);

  it('faults: each deliberate exception is reported with the architectural vector, error code and CR2', async () => {
    const r = await runInQemu(buildBareMetalFile('faults.asm', mode));
    expect(r.exitCode).toBe((0x22 << 1) | 1);
    // RIPs depend on the assembled layout; everything else is architectural.
    const got = r.serial.split('\n').filter((l) => l !== '').map((l) => l.replace(/ rip=[0-9a-f]+$/, ''));
    expect(got).toEqual(expectedFaultLines(mode));
  }, 30_000);
});
