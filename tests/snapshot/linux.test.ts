// Snapshots of the bundled Linux guest: one taken mid-boot and one at the
// shell, each restored into a fresh machine, must continue exactly as the
// machine that was never interrupted (same serial bytes at the same icount).
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '../../src/emu/machine.ts';
import { VMXLAB_CORE } from '../../src/emu/cpu/models/cpuModel.ts';
import { restoreSnapshot, saveSnapshot } from '../../src/emu/snapshot/index.ts';
import { bundledGuest } from '../support/qemu.ts';
import { startGuest } from '../linux/guestSession.ts';

const cpuCanBootLinux = ['FPU', 'FXSR', 'SSE', 'SSE2'].every((f) => VMXLAB_CORE.features.includes(f));

/** Runs exactly to `icount` (budget slices), collecting serial output into `out`. */
function runToIcount(m: Machine, icount: number): void {
  while (m.cpu.icount < icount) {
    const r = m.run({ maxInstructions: Math.min(5_000_000, icount - m.cpu.icount) });
    if (r.reason !== 'budget') throw new Error(`stopped early: ${r.reason} ${r.message ?? ''}`);
  }
}

function restored(bytes: Uint8Array, out: { text: string }): Machine {
  const m = createMachine({ memMiB: 128, deterministic: true, onSerial: (b) => { out.text += String.fromCharCode(b); } });
  restoreSnapshot(m, bytes);
  return m;
}

describe.skipIf(!cpuCanBootLinux)('snapshots of the bundled Linux guest', () => {
  it('mid-boot and at the shell: a restored machine prints the same bytes at the same instruction counts', async () => {
    const g = bundledGuest();
    const vm = startGuest();
    runToIcount(vm.machine, 20_000_000); // mid-boot: the kernel is initialising
    const mid = saveSnapshot(vm.machine);
    const midAt = vm.output().length;
    await vm.waitFor(g.prompt, 300_000_000);
    const shellIcount = vm.machine.cpu.icount;

    const a = { text: '' };
    const fromMid = restored(mid, a);
    runToIcount(fromMid, shellIcount);
    expect(a.text).toBe(vm.output().slice(midAt));

    const atShell = saveSnapshot(vm.machine);
    const b = { text: '' };
    const fromShell = restored(atShell, b);
    const before = vm.output().length;
    for (const m of [vm.machine, fromShell]) {
      m.sendSerial(Buffer.from('echo $((6*7)); uname -s\n'));
      runToIcount(m, shellIcount + 40_000_000);
    }
    const answer = vm.output().slice(before);
    expect(answer).toMatch(/42\r?\nLinux/);
    expect(b.text).toBe(answer);
    expect(fromShell.cpu.icount).toBe(vm.machine.cpu.icount);
  }, 600_000);
});
