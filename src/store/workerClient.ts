import type { WorkerEvent, WorkerMessage, WorkerReply, WorkerRequest } from '../worker/protocol.ts';
import { isReply } from '../worker/protocol.ts';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
export type Request = Distribute<WorkerRequest>;

/**
 * The only module that talks to the Worker: requests become promises of
 * their replies; events (no id) go to the listener the store installs.
 */
export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (r: WorkerReply) => void>();

  constructor(private readonly onEvent: (e: WorkerEvent) => void) {
    this.worker = new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (isReply(m)) {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.(m);
      } else this.onEvent(m);
    };
    this.worker.onerror = (ev) => {
      this.onEvent({ kind: 'stopped', reason: 'error', message: `the machine worker failed: ${ev.message}` });
    };
  }

  request(req: Request, transfer: Transferable[] = []): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id } as WorkerRequest, transfer);
    });
  }
}
