/// <reference lib="webworker" />
import type { WorkerReply, WorkerRequest } from './protocol.ts';

/** Parts of the emulator this build cannot run yet; shrinks as issues land. */
const MISSING = ['the x86-64 CPU core', 'the PC platform (UART, PIC, PIT, APIC) and the Linux boot loader'];

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  if (req.kind === 'hello') {
    const reply: WorkerReply = {
      id: req.id,
      kind: 'hello',
      sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
      crossOriginIsolated: scope.crossOriginIsolated,
      missing: MISSING,
    };
    scope.postMessage(reply);
  }
};
