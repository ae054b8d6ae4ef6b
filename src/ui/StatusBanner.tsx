import { useApp } from '../store/appStore.ts';
import { useBoot } from '../store/bootStore.ts';

/** Says, in plain words, what this build can and cannot do yet, and what is loading. */
export function StatusBanner() {
  const { crossOriginIsolated, worker, guest, guestError } = useApp();
  const boot = useBoot();
  return (
    <section className="status" data-testid="status">
      <ul>
        <li data-testid="isolation" className={crossOriginIsolated ? 'ok' : 'bad'}>
          {crossOriginIsolated
            ? 'Cross-origin isolated: guest RAM can live in a SharedArrayBuffer.'
            : 'Not cross-origin isolated: the server must send COOP/COEP headers; the emulator cannot run.'}
        </li>
        <li className={worker.ready ? 'ok' : 'pending'}>
          {worker.ready
            ? `Machine worker started (SharedArrayBuffer ${worker.sharedArrayBuffer ? 'available' : 'NOT available'}).`
            : 'Starting the machine worker…'}
        </li>
        <li className={guest ? 'ok' : guestError ? 'bad' : 'pending'}>
          {guest
            ? `Bundled guest: Linux ${guest.linux?.release ?? '(unknown version)'} (${guest.files.map((f) => `${f.name} ${(f.size / 1024).toFixed(0)} KiB`).join(', ')}), command line "${guest.cmdline}".`
            : (guestError ?? 'Loading the bundled guest manifest…')}
        </li>
        {boot.stage && (
          <li className="pending" data-testid="status-progress">
            {boot.stage}{boot.fraction !== null ? ` ${(boot.fraction * 100).toFixed(0)}%` : '…'}
          </li>
        )}
      </ul>
      {worker.missing.length > 0 && (
        <p className="missing" data-testid="missing">
          Not implemented in this build: {worker.missing.join('; ')}.
        </p>
      )}
    </section>
  );
}
