// The bundled Linux guest on vmxlab: to `vmxlab: init done` and a working
// busybox shell, from the bzImage and from the vmlinux inside it.
import { beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'fflate';
import { bundledGuest, startQemu } from '../support/qemu.ts';
import { diffBootLogs } from './bootLogDiff.ts';
import { parseSetupHeader, payloadOf } from '../../src/emu/boot/bzImage.ts';
import { VMXLAB_CORE } from '../../src/emu/cpu/models/cpuModel.ts';
import { bundledKernel, startGuest, type GuestSession } from './guestSession.ts';

/** x86-64 Linux requires x87, FXSR, SSE and SSE2 (arch/x86/include/asm/required-features.h). */
const cpuCanBootLinux = ['FPU', 'FXSR', 'SSE', 'SSE2'].every((f) => VMXLAB_CORE.features.includes(f));
const BOOT_BUDGET = 400_000_000;

describe.skipIf(!cpuCanBootLinux)('bundled guest on vmxlab (bzImage, deterministic)', () => {
  const g = bundledGuest();
  let vm: GuestSession;
  let bootLog = '';
  beforeAll(async () => {
    vm = startGuest();
    await vm.waitFor(g.readyLine, BOOT_BUDGET);
    await vm.waitFor(g.prompt, 50_000_000);
    bootLog = vm.output();
  }, 600_000);

  it('boots to init done with a clean kernel log', () => {
    const log = vm.output();
    expect(log).toMatch(/^\[ {4}0\.000000\] Linux version 6\.1\.\d+-vmxlab/m);
    expect(log).toContain('serial8250: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A');
    expect(log).not.toMatch(/WARNING|BUG|Oops|Call Trace|Kernel panic|unchecked MSR/);
  });

  it('prints the kernel log QEMU TCG prints for the same guest, apart from the listed expected differences', async () => {
    const q = startQemu({ kernel: g.kernel, initrd: g.initrd, append: g.append, memMiB: 128 });
    let qemuLog: string;
    try {
      await q.waitFor(new RegExp(g.prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 60_000);
      qemuLog = q.output;
    } finally {
      await q.kill();
    }
    const d = diffBootLogs(bootLog, qemuLog);
    expect(d.complaints).toEqual([]);
    expect(d.unexplained).toEqual([]);
    // The comparison has teeth: most lines are common to both logs.
    expect(d.onlyQemu.length).toBeLessThan(60);
  }, 120_000);

  it('runs shell commands: arithmetic, /proc/cpuinfo, /dev', async () => {
    expect(await vm.command('echo $((6*7))')).toBe('42');
    const cpuinfo = await vm.command('cat /proc/cpuinfo');
    expect(cpuinfo).toMatch(/^vendor_id\s*: GenuineIntel$/m);
    expect(cpuinfo).toMatch(/^cpu family\s*: 6$/m);
    expect(cpuinfo).toMatch(/^cpu MHz\s*: 1000\.\d+$/m); // the 1 GHz virtual clock
    const flags = /^flags\s*: (.*)$/m.exec(cpuinfo)?.[1].split(' ') ?? [];
    for (const f of ['fpu', 'tsc', 'apic', 'fxsr', 'sse', 'sse2', 'lm', 'nx', 'hypervisor']) expect(flags).toContain(f);
    const dev = (await vm.command('ls /dev')).split(/\s+/);
    for (const d of ['console', 'null', 'ttyS0', 'zero', 'rtc0']) expect(dev).toContain(d);
  }, 600_000);
});

describe.skipIf(!cpuCanBootLinux)('bundled kernel as vmlinux ELF', () => {
  it('boots through its PVH entry to init done', async () => {
    const bz = bundledKernel();
    const vmlinux = gunzipSync(payloadOf(bz, parseSetupHeader(bz)));
    const vm = startGuest(vmlinux);
    await vm.waitFor(bundledGuest().readyLine, BOOT_BUDGET);
    expect(vm.output()).not.toMatch(/WARNING|BUG|Oops|Call Trace|Kernel panic/);
  }, 600_000);
});
