import { readFileSync } from 'node:fs';
import * as iced from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { MachineHost } from './machineHost.ts';
import { VMX } from '../emu/cpu/state/layout.ts';
import type { MachineStateEvent, StoppedEvent, WorkerEvent, WorkerReply, WorkerRequest } from './protocol.ts';

const elf = readFileSync(new URL('../../public/demo/vmxdemo.elf', import.meta.url));

/** The worker's host with the VMX demo booted, stepped synchronously. */
function bootVmxDemo() {
  const replies: WorkerReply[] = [];
  let state: MachineStateEvent | null = null;
  const stops: StoppedEvent[] = [];
  const host = new MachineHost({
    post: (m: WorkerEvent | WorkerReply) => { if ('id' in m) replies.push(m); else if (m.kind === 'state') state = m; else if (m.kind === 'stopped') stops.push(m); },
    schedule: (fn) => setImmediate(fn), now: () => performance.now(), iced, crossOriginIsolated: false, missing: [],
  });
  let id = 1;
  const send = <K extends WorkerReply['kind']>(req: Omit<WorkerRequest, 'id'>): Extract<WorkerReply, { kind: K }> => {
    host.handle({ ...req, id: id++ } as WorkerRequest);
    const r = replies.pop()!;
    if (r.kind === 'error') throw new Error(r.message);
    return r as Extract<WorkerReply, { kind: K }>;
  };
  send({ kind: 'boot', spec: { kernelName: 'vmxdemo.elf', kernel: elf.buffer.slice(elf.byteOffset, elf.byteOffset + elf.length), cmdline: '', memMiB: 32, vcpus: 1, run: false } } as never);
  return { send, state: () => state!, host, stops };
}

describe('VT-x views in the worker (VMX demo)', () => {
  it('logs the demo guest exits with decoded qualifications and instructions, and filters by reason', () => {
    const h = bootVmxDemo();
    h.send({ kind: 'step', count: 200_000 } as never);
    const { log } = h.send<'exitLog'>({ kind: 'exitLog', max: 100, reasons: null } as never);
    expect(log.total).toBeGreaterThan(50);
    const names = log.rows.slice(-5).map((r) => r.name).sort();
    expect(names).toEqual(['CPUID', 'HLT', 'IO_INSTRUCTION', 'IO_INSTRUCTION', 'VMCALL']);
    const out = log.rows.find((r) => r.name === 'IO_INSTRUCTION' && r.words.some((w) => w.k === 'direction' && w.v === 'OUT'))!;
    expect(out.words).toContainEqual({ k: 'port', v: '0x80' });
    expect(out.insn).toMatch(/^out\s+0x80, al$/);
    expect(log.rows.find((r) => r.name === 'CPUID')!.insn).toMatch(/^cpuid/);
    const hist = new Map(log.histogram);
    expect(hist.get(30)).toBeGreaterThan(hist.get(10)! * 2 - 2); // two I/O exits per CPUID
    const only = h.send<'exitLog'>({ kind: 'exitLog', max: 10, reasons: [18] } as never).log;
    expect(only.rows.length).toBe(10);
    expect(only.rows.every((r) => r.name === 'VMCALL')).toBe(true);
    expect(() => h.send({ kind: 'exitLog', max: 0, reasons: null } as never)).toThrow(/1 to 4096/);
  });

  it('shows the current VMCS with decoded controls and changed fields; the state carries the VMCS pointer', () => {
    const h = bootVmxDemo();
    h.send({ kind: 'step', count: 100_000 } as never);
    const { view } = h.send<'vmcs'>({ kind: 'vmcs', pa: null } as never);
    expect(view.current).toBe(true);
    expect(view.launched).toBe(true);
    const proc = view.controls.find((c) => c.field === 'CPU_BASED_VM_EXEC_CONTROL')!;
    expect(proc.bits.find((b) => b.name === 'Unconditional I/O exiting')!.set).toBe(true);
    const fields = view.groups.flatMap((g) => g.fields);
    expect(fields.find((f) => f.name === 'GUEST_RIP')!.changed).toBe(true);
    expect(fields.find((f) => f.name === 'HOST_RIP')!.changed).toBe(false);
    const regs = h.state().regs;
    expect(view.pointer).toBe(regs[VMX + 3].toString(16));
    expect(() => h.send({ kind: 'vmcs', pa: 0x1001 } as never)).toThrow(/4-KByte-aligned/);
    // The demo runs its guest without EPT: the EPT walk says so.
    expect(() => h.send({ kind: 'eptWalk', gpa: 0x1000n, access: 'read' } as never)).toThrow(/does not enable EPT/);
  });

  it('stops on a chosen exit reason at the host entry point, and not on others', () => {
    const h = bootVmxDemo();
    h.send({ kind: 'setVmxBreak', reasons: [18], entryFailure: false } as never);
    expect(h.state().vmxBreak).toEqual({ reasons: [18], entryFailure: false });
    h.send({ kind: 'step', count: 1_000_000 } as never);
    const stop = h.stops.at(-1)!;
    expect(stop).toMatchObject({ reason: 'breakpoint', message: 'VM exit: VMCALL' });
    const { log } = h.send<'exitLog'>({ kind: 'exitLog', max: 1, reasons: null } as never);
    expect(log.rows[0].name).toBe('VMCALL');
    // Stopped right after the exit: in VMX root operation, the instruction count well below the budget.
    expect(h.state().vmx).toBe('root');
    expect(h.state().icount).toBeLessThan(100_000);
    h.send({ kind: 'step', count: 1_000_000 } as never);
    expect(h.stops.at(-1)!.message).toBe('VM exit: VMCALL');
    expect(h.send<'exitLog'>({ kind: 'exitLog', max: 1, reasons: null } as never).log.total).toBe(log.total + 5);
    expect(() => h.send({ kind: 'setVmxBreak', reasons: [-1], entryFailure: false } as never)).toThrow(/0 to 65535/);
  });
});
