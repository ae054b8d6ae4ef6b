/// <reference lib="webworker" />
/**
 * The machine's Web Worker: loads iced-x86, creates the MachineHost and hands
 * it every request. Run slices are scheduled through a MessageChannel (no 4 ms
 * timer clamp), so commands from the UI are handled between slices; an idle
 * guest is resumed by a timer instead.
 */
import { MachineHost } from './machineHost.ts';
import { loadIced } from './icedLoader.ts';
import type { WorkerEvent, WorkerReply, WorkerRequest } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const channel = new MessageChannel();
const queue: (() => void)[] = [];
channel.port1.onmessage = () => queue.shift()?.();

const post = (m: WorkerEvent | WorkerReply) => scope.postMessage(m);

const host: Promise<MachineHost> = loadIced()
  .then((iced) => ({ iced, missing: [] as string[] }))
  .catch((e: Error) => ({ iced: null, missing: [`the disassembler (iced-x86 failed to load: ${e.message})`] }))
  .then(({ iced, missing }) => {
    const h = new MachineHost({
      post,
      schedule: (fn, delayMs) => {
        if (delayMs) setTimeout(fn, delayMs);
        else { queue.push(fn); channel.port2.postMessage(0); }
      },
      now: () => performance.now(),
      iced,
      crossOriginIsolated: scope.crossOriginIsolated,
      missing,
    });
    post({ kind: 'console', ring: h.ring.buffer });
    return h;
  });

scope.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  void host.then((h) => h.handle(ev.data));
};
