/**
 * The typed message protocol between the UI (main thread) and the machine's
 * Web Worker. Every request carries an id and gets exactly one reply.
 * Grows with the playground: boot, run, pause, step, queries, events.
 */

export type WorkerRequest = { id: number; kind: 'hello' };

export type WorkerReply = {
  id: number;
  kind: 'hello';
  /** What the worker can use: guest RAM and the serial ring need SharedArrayBuffer. */
  sharedArrayBuffer: boolean;
  crossOriginIsolated: boolean;
  /** Parts of the machine this build cannot run yet, in words for the page. */
  missing: string[];
};
