import { readFileSync } from 'node:fs';
import * as iced from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { MachineHost } from './machineHost.ts';
import { ByteRing } from './byteRing.ts';
import { RIP } from '../emu/cpu/state/layout.ts';
import { buildBareMetal, baremetalDir } from '../../tests/diff/build.ts';
import type { BootSpec, MachineStateEvent, StoppedEvent, WorkerEvent, WorkerReply, WorkerRequest } from './protocol.ts';

const demo = readFileSync(new URL('../../public/demo/demo64.elf', import.meta.url));
const demoMap = readFileSync(new URL('../../public/demo/demo64.map', import.meta.url), 'utf8');
const bzImage = readFileSync(new URL('../../public/guests/bzImage', import.meta.url));

function spec(over: Partial<BootSpec> = {}): BootSpec {
  return {
    kernelName: 'demo64.elf', kernel: demo.buffer.slice(demo.byteOffset, demo.byteOffset + demo.length),
    cmdline: '', memMiB: 32, vcpus: 1, run: false, ...over,
  };
}

/** A host driven as the worker drives it, with every message recorded. */
function harness() {
  const msgs: (WorkerEvent | WorkerReply)[] = [];
  let latest: MachineStateEvent | null = null;
  let first: MachineStateEvent | null = null;
  const stopList: StoppedEvent[] = [];
  const host = new MachineHost({
    post: (m) => {
      if (m.kind === 'state') {
        latest = m;
        if (first === null && m.runState !== 'off') first = m;
      }
      else if (m.kind === 'stopped') stopList.push(m);
      else msgs.push(m);
    },
    schedule: (fn, delayMs) => { if (delayMs) setTimeout(fn, delayMs); else setImmediate(fn); },
    now: () => performance.now(),
    iced,
    crossOriginIsolated: false,
    missing: [],
  });
  let id = 1;
  const send = (req: Omit<WorkerRequest, 'id'>): WorkerReply => {
    const rid = id++;
    host.handle({ ...req, id: rid } as WorkerRequest);
    const i = msgs.findIndex((m) => 'id' in m && m.id === rid);
    return msgs.splice(i, 1)[0] as WorkerReply;
  };
  const ring = new ByteRing(host.ring.buffer);
  let text = '';
  const serial = () => {
    const buf = new Uint8Array(4096);
    for (let n; (n = ring.read(buf)) > 0;) text += new TextDecoder().decode(buf.subarray(0, n));
    return text;
  };
  const lastState = () => latest!;
  const stops = () => stopList;
  const until = async (cond: () => boolean, ms = 10_000) => {
    const t = Date.now();
    while (!cond()) {
      if (Date.now() - t > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const firstState = () => first;
  return { host, msgs, send, serial, lastState, stops, until, firstState };
}

const rip = (st: MachineStateEvent) => (BigInt(st.regs[RIP + 1]) << 32n) | BigInt(st.regs[RIP]);

describe('MachineHost with the 64-bit Multiboot demo', () => {
  it('boots paused at the entry, steps, and reports registers and mode', () => {
    const h = harness();
    expect(h.send({ kind: 'boot', spec: spec() } as never)).toMatchObject({ kind: 'ok' });
    const booted = h.msgs.find((m) => m.kind === 'booted');
    expect(booted).toMatchObject({ kind: 'booted', kernelDetail: 'ELF32 Multiboot kernel' });
    expect((booted as { ram: unknown }).ram).toBeInstanceOf(SharedArrayBuffer);
    const s0 = h.lastState();
    expect(s0).toMatchObject({ runState: 'paused', mode: 'protected', bits: 32, cpl: 0, icount: 0 });
    h.send({ kind: 'step', count: 1 } as never);
    const s1 = h.lastState();
    expect(s1.icount).toBe(1);
    expect(rip(s1)).not.toBe(rip(s0));
    expect(h.stops().at(-1)).toMatchObject({ reason: 'step', message: 'stepped 1 instruction' });
  });

  it('runs in slices, echoes serial input, pauses, and walks RIP through four levels', async () => {
    const h = harness();
    h.send({ kind: 'boot', spec: spec({ run: true }) } as never);
    expect(h.host.runState).toBe('running');
    await h.until(() => h.serial().includes('demo> '));
    h.send({ kind: 'serialIn', bytes: new TextEncoder().encode('hi\r') } as never);
    await h.until(() => /demo> hi\r?\nticks=[0-9a-f]{16}\r?\ndemo> $/.test(h.serial()));
    h.send({ kind: 'pause' } as never);
    const st = h.lastState();
    expect(st).toMatchObject({ runState: 'paused', mode: 'long', bits: 64 });
    expect(st.icount).toBeGreaterThan(1000);
    const walk = h.send({ kind: 'pageWalk', address: rip(st) } as never) as Extract<WorkerReply, { kind: 'pageWalk' }>;
    expect(walk.walk.mode).toBe(3);
    expect(walk.walk.levels.map((l) => l.level)).toEqual([4, 3, 2, 1]);
    expect(walk.walk.pageBits).toBe(12);
    // The demo identity-maps its code: the physical address is RIP itself.
    expect(walk.walk.pa).toBe(Number(rip(st)));
  });

  it('stops at a breakpoint, steps over a call, and disassembles around RIP', async () => {
    const h = harness();
    h.send({ kind: 'boot', spec: spec({ run: true }) } as never);
    await h.until(() => h.serial().includes('demo> '));
    h.send({ kind: 'pause' } as never);
    const near = h.send({ kind: 'disasm', address: rip(h.lastState()), before: 4, count: 12, syntax: 'intel' } as never) as Extract<WorkerReply, { kind: 'disasm' }>;
    expect(near.rows.length).toBe(12);
    expect(near.rows.filter((r) => r.address === rip(h.lastState()))).toHaveLength(1);
    // Breakpoints on every call of test_main: without input only the loop's "call tick" runs again.
    const testMain = BigInt(`0x${/^([0-9a-f]+) T test_main$/m.exec(demoMap)![1]}`);
    const dis = h.send({ kind: 'disasm', address: testMain, before: 0, count: 24, syntax: 'intel' } as never) as Extract<WorkerReply, { kind: 'disasm' }>;
    expect(dis.rows[0].address).toBe(testMain);
    const calls = dis.rows.filter((r) => r.text.startsWith('call'));
    expect(calls.length).toBeGreaterThan(2);
    for (const c of calls) h.send({ kind: 'setBreakpoint', address: c.address } as never);
    h.send({ kind: 'run' } as never);
    await h.until(() => h.host.runState === 'paused');
    expect(h.stops().at(-1)!.reason).toBe('breakpoint');
    const call = calls.find((c) => c.address === rip(h.lastState()))!;
    expect(call).toBeDefined();
    expect(h.lastState().breakpoints).toEqual(calls.map((c) => c.address));
    for (const c of calls) if (c !== call) h.send({ kind: 'clearBreakpoint', address: c.address } as never);
    expect(h.lastState().breakpoints).toEqual([call.address]);
    // Step over: stops at the next instruction with the call's work done.
    const before = h.lastState().icount;
    h.send({ kind: 'stepOver' } as never);
    await h.until(() => h.host.runState === 'paused');
    const after = h.lastState();
    expect(rip(after)).toBe(call.address + 5n);
    expect(after.icount - before).toBe(3); // call, inc, ret
    // Run to an address, with AT&T syntax for the look.
    const att = h.send({ kind: 'disasm', address: call.address, before: 0, count: 1, syntax: 'att' } as never) as Extract<WorkerReply, { kind: 'disasm' }>;
    expect(att.rows[0].text).toMatch(/^call/);
    h.send({ kind: 'clearBreakpoint', address: call.address } as never);
    expect(h.lastState().breakpoints).toEqual([]);
    h.send({ kind: 'runTo', address: call.address } as never);
    await h.until(() => h.host.runState === 'paused');
    expect(rip(h.lastState())).toBe(call.address);
  });

  it('reports bad files and unbootable kernels without a machine left half-made', () => {
    const h = harness();
    const junk = new TextEncoder().encode('this is not a kernel at all');
    const r = h.send({ kind: 'boot', spec: spec({ kernelName: 'junk.bin', kernel: junk.buffer }) } as never);
    expect(r).toMatchObject({ kind: 'error', message: expect.stringMatching(/^junk\.bin: not a kernel/) });
    expect(h.stops().at(-1)).toMatchObject({ reason: 'error' });
    expect(h.send({ kind: 'run' } as never)).toMatchObject({ kind: 'error', message: 'no machine: boot a kernel first' });
    // A bzImage cut short is the Linux loader's to refuse; its words reach the page.
    const cut = bzImage.buffer.slice(bzImage.byteOffset, bzImage.byteOffset + 64 * 1024);
    const linux = h.send({ kind: 'boot', spec: spec({ kernelName: 'bzImage', kernel: cut }) } as never);
    expect(linux).toMatchObject({ kind: 'error', message: expect.stringMatching(/^bzImage: .*(truncated|short|end of the file|past the end)/i) });
    expect(h.stops().at(-1)).toMatchObject({ reason: 'error' });
    const smp = h.send({ kind: 'boot', spec: spec({ vcpus: 2 }) } as never);
    expect(smp).toMatchObject({ kind: 'error', message: expect.stringMatching(/^unimplemented: 2 vCPUs/) });
    expect(h.stops().at(-1)).toMatchObject({ reason: 'unimplemented' });
    expect(h.send({ kind: 'boot', spec: spec({ memMiB: 3 }) } as never)).toMatchObject({ kind: 'error', message: /memory must be/ });
  });

  it('reset loads the same kernel again, paused at its entry', async () => {
    const h = harness();
    h.send({ kind: 'boot', spec: spec({ run: true }) } as never);
    await h.until(() => h.serial().includes('demo> '));
    const entry = h.firstState()!;
    h.send({ kind: 'reset' } as never);
    expect(h.lastState()).toMatchObject({ runState: 'paused', icount: 0 });
    expect(rip(h.lastState())).toBe(rip(entry));
  });

  it('reports VMX root and non-root operation while the bare-metal hypervisor test runs', () => {
    const elf = readFileSync(buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(`${baremetalDir}/vmx.asm`, 'utf8') }));
    const h = harness();
    h.send({ kind: 'boot', spec: spec({ kernelName: 'vmx.elf', kernel: elf.buffer.slice(elf.byteOffset, elf.byteOffset + elf.length) }) } as never);
    const seen = new Set<string>();
    // The guest runs a few instructions between exits: step one at a time.
    for (let i = 0; i < 500_000 && h.stops().at(-1)!.reason !== 'exit'; i++) {
      h.send({ kind: 'step', count: 1 } as never);
      seen.add(String(h.lastState().vmx));
    }
    expect(h.stops().at(-1)!.message).toMatch(/wrote 0 to the debug-exit port/);
    expect([...seen].sort()).toEqual(['non-root', 'null', 'root']);
  });
});
