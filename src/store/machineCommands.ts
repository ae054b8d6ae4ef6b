/**
 * What the UI can ask of the machine: one function per command or query, over
 * the single WorkerClient. Replies that are errors become rejected promises
 * with the worker's message.
 */
import { WorkerClient, type Request } from './workerClient.ts';
import { useMachine } from './machineStore.ts';
import { useApp } from './appStore.ts';
import { useBoot } from './bootStore.ts';
import type { AsmSyntax, BootSpec, DisasmRow, ExitLogReply, PageWalkResult, Translation, WorkerReply } from '../worker/protocol.ts';
import type { VmcsView } from '../emu/debug/vmcsView.ts';
import type { EptWalkView } from '../emu/debug/eptWalkView.ts';

let client: WorkerClient | null = null;

/** Starts the worker once and says hello; later calls return the same client. */
export function connectWorker(): WorkerClient {
  if (client) return client;
  client = new WorkerClient((e) => {
    useMachine.getState().apply(e);
    // The worker's own stages (checking, unpacking) show in the boot dialog while it loads.
    if (e.kind === 'progress' && e.fraction !== 1 && useBoot.getState().busy) useBoot.getState().progress(e.stage, e.fraction);
  });
  void client.request({ kind: 'hello' }).then((r) => {
    if (r.kind === 'hello') useApp.getState().setWorker({ ready: true, sharedArrayBuffer: r.hello.sharedArrayBuffer, missing: r.hello.missing });
  });
  return client;
}

async function send(req: Request, transfer: Transferable[] = []): Promise<WorkerReply> {
  const r = await connectWorker().request(req, transfer);
  if (r.kind === 'error') throw new Error(r.message);
  return r;
}

export const boot = (spec: BootSpec) => send({ kind: 'boot', spec });
export const run = () => send({ kind: 'run' });
export const pause = () => send({ kind: 'pause' });
export const step = (count = 1) => send({ kind: 'step', count });
export const stepOver = () => send({ kind: 'stepOver' });
export const runTo = (address: bigint) => send({ kind: 'runTo', address });
export const reset = () => send({ kind: 'reset' });
export const serialIn = (bytes: Uint8Array) => send({ kind: 'serialIn', bytes });

export function toggleBreakpoint(address: bigint): Promise<WorkerReply> {
  const has = useMachine.getState().breakpoints.includes(address);
  return send({ kind: has ? 'clearBreakpoint' : 'setBreakpoint', address });
}

export async function disasm(address: bigint, before: number, count: number, syntax: AsmSyntax): Promise<DisasmRow[]> {
  const r = await send({ kind: 'disasm', address, before, count, syntax });
  return r.kind === 'disasm' ? r.rows : [];
}

export async function pageWalk(address: bigint): Promise<PageWalkResult> {
  const r = await send({ kind: 'pageWalk', address });
  if (r.kind !== 'pageWalk') throw new Error(`unexpected reply ${r.kind}`);
  return r.walk;
}

/** The current VMCS (pa null) or the VMCS region at pa. */
export async function vmcs(pa: number | null): Promise<VmcsView> {
  const r = await send({ kind: 'vmcs', pa });
  if (r.kind !== 'vmcs') throw new Error(`unexpected reply ${r.kind}`);
  return r.view;
}

export async function eptWalk(gpa: bigint, access: 'read' | 'write' | 'fetch'): Promise<EptWalkView> {
  const r = await send({ kind: 'eptWalk', gpa, access });
  if (r.kind !== 'eptWalk') throw new Error(`unexpected reply ${r.kind}`);
  return r.walk;
}

export async function exitLog(max: number, reasons: number[] | null): Promise<ExitLogReply> {
  const r = await send({ kind: 'exitLog', max, reasons });
  if (r.kind !== 'exitLog') throw new Error(`unexpected reply ${r.kind}`);
  return r.log;
}

/** Stop after VM exits with these basic reasons and/or after failed VM entries. */
export const setVmxBreak = (reasons: number[], entryFailure: boolean) => send({ kind: 'setVmxBreak', reasons, entryFailure });

export async function translate(address: bigint, length: number): Promise<Translation> {
  const r = await send({ kind: 'translate', address, length });
  if (r.kind !== 'translate') throw new Error(`unexpected reply ${r.kind}`);
  return r.translation;
}

/** Play/pause for F5 and the toolbar. */
export function toggleRun(): void {
  const st = useMachine.getState().runState;
  if (st === 'running') void pause();
  else if (st === 'paused') void run();
}
