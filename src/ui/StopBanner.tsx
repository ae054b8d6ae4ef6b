import { useMachine } from '../store/machineStore.ts';

const KIND: Record<string, string> = {
  unimplemented: 'bad', 'triple-fault': 'bad', error: 'bad', halted: 'pending', exit: 'ok',
};

/** Why the machine stopped (or could not start), in the guest's or the loader's own words. */
export function StopBanner() {
  const stop = useMachine((s) => s.lastStop);
  const detail = useMachine((s) => s.kernelDetail);
  if (!stop && !detail) return null;
  return (
    <div className="stopbar">
      {detail && <span className="muted" data-testid="kernel-detail">{detail}</span>}
      {stop && (
        <span className={`stop ${KIND[stop.reason] ?? ''}`} data-testid="stop-message" data-reason={stop.reason}>
          {stop.message}
        </span>
      )}
    </div>
  );
}
