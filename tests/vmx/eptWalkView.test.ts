// The plain EPT walk view at the EPT exits of the bare-metal hypervisor test
// (tests/baremetal/vmx.asm: 2-MByte EPT pages, 0x600000 read-only, 0x800000 write-only).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../diff/build.ts';
import { BAREMETAL_MEM_MIB } from '../diff/cpuModel.ts';
import { createMachine } from '../../src/emu/machine.ts';
import { eptWalkView, type EptWalkView } from '../../src/emu/debug/eptWalkView.ts';
import { EXIT_REASON as R } from '../../src/emu/cpu/vmx/exitReasons.ts';
import { EXIT_QUALIFICATION, VM_EXIT_REASON as VM_EXIT_REASON_SLOT } from '../../src/emu/cpu/vmx/slots.ts';
import { VmxEvent } from '../../src/emu/cpu/vmx/vmx.ts';

describe('EPT walk view', () => {
  const elf = buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') });
  const m = createMachine({ memMiB: BAREMETAL_MEM_MIB, onSerial: () => {} });
  const seen: Record<string, EptWalkView | number> = {};
  m.cpu.vmx.onEvent = (kind) => {
    const basic = kind === VmxEvent.Exit ? m.cpu.vmx.cache.lo(VM_EXIT_REASON_SLOT) & 0xffff : -1;
    if (basic === R.EPT_VIOLATION && !seen.viol) {
      seen.qual = m.cpu.vmx.cache.lo(EXIT_QUALIFICATION);
      seen.viol = eptWalkView(m.cpu, 0x600123n, 'write');
      seen.read = eptWalkView(m.cpu, 0x600123n, 'read');
    }
    if (basic === R.EPT_MISCONFIG && !seen.mis) seen.mis = eptWalkView(m.cpu, 0x800000n, 'read');
  };
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  m.run({ maxInstructions: 5_000_000 });

  it('explains the violation with the qualification the exit carried', () => {
    const w = seen.viol as EptWalkView;
    expect(w.result).toBe('EPT violation');
    expect(w.levels.map((l) => l.name)).toEqual(['EPT PML4E', 'EPT PDPTE', 'EPT PDE']);
    const pde = w.levels[2];
    expect(pde).toMatchObject({ leaf: true, rights: 'R--', memType: 'WB' });
    const words = Object.fromEntries(w.exitWords.map((x) => [x.k, x.v]));
    expect(words).toMatchObject({ access: 'write', 'EPT permissions': 'R--', 'guest-physical': '0x600123' });
    // Bits 5:0 (access and permissions) agree with what the CPU reported at that exit.
    expect((seen.qual as number) & 0x3f).toBe(0x2 | (1 << 3));
  });

  it('translates a permitted read to the host-physical address through a 2-MByte page', () => {
    const w = seen.read as EptWalkView;
    expect(w).toMatchObject({ result: 'ok', pageBits: 21, exitWords: [] });
    expect(w.hpa & 0x1fffff).toBe(0x123);
  });

  it('reports a write-only entry as a misconfiguration', () => {
    const w = seen.mis as EptWalkView;
    expect(w.result).toBe('EPT misconfiguration');
    expect(w.levels.at(-1)!.rights).toBe('-W-');
    expect(w.exitWords).toEqual([{ k: 'guest-physical', v: '0x800000' }]);
  });

  it('refuses a CPU without a current VMCS', () => {
    // The program ends with VMCLEAR and VMXOFF.
    expect(() => eptWalkView(m.cpu, 0x1000n)).toThrow(/no current VMCS/);
  });
});
