import type { WorkerReply, WorkerRequest } from '../worker/protocol.ts';

/** The only module that talks to the Worker: requests become promises of their replies. */
export class WorkerClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (r: WorkerReply) => void>();

  constructor() {
    this.worker = new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerReply>) => {
      const resolve = this.pending.get(ev.data.id);
      this.pending.delete(ev.data.id);
      resolve?.(ev.data);
    };
  }

  request(req: Omit<WorkerRequest, 'id'>): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }
}
