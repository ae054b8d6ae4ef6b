import { useEffect, useRef, useState } from 'react';
import { useMachine } from './machineStore.ts';

/** While running, a panel re-queries at most this often (ms). */
const RUNNING_INTERVAL = 100;

/**
 * Runs a worker query when the machine state changes (each state event) or
 * when `deps` change; while the guest runs, at most every 100 ms and one
 * query in flight, so a fast guest cannot flood the worker with requests.
 */
export function useMachineQuery<T>(query: (() => Promise<T>) | null, deps: unknown[]): { data: T | null; error: string | null } {
  const version = useMachine((s) => s.version);
  const running = useMachine((s) => s.runState === 'running');
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  /** A change arrived while a query was in flight or throttled: query again after. */
  const stale = useRef(false);
  const [retry, setRetry] = useState(0);
  const last = useRef(0);
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    const q = queryRef.current;
    if (!q) return;
    if (inFlight.current) { stale.current = true; return; }
    const now = performance.now();
    if (running && now - last.current < RUNNING_INTERVAL) {
      stale.current = true;
      const t = setTimeout(() => setRetry((n) => n + 1), RUNNING_INTERVAL);
      return () => clearTimeout(t);
    }
    last.current = now;
    inFlight.current = true;
    stale.current = false;
    q().then(
      (d) => { setData(d); setError(null); },
      (e: Error) => { setData(null); setError(e.message); },
    ).finally(() => {
      inFlight.current = false;
      if (stale.current) setRetry((n) => n + 1);
    });
    return undefined;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, running, retry, ...deps]);

  return { data, error };
}
