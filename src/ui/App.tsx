import { useEffect, useMemo } from 'react';
import { ConsolePanel } from './panels/ConsolePanel.tsx';
import { StatusBanner } from './StatusBanner.tsx';
import { useApp, type GuestManifest } from '../store/appStore.ts';
import { WorkerClient } from '../store/workerClient.ts';

export function App() {
  const setWorker = useApp((s) => s.setWorker);
  const setGuest = useApp((s) => s.setGuest);

  useEffect(() => {
    const client = new WorkerClient();
    void client.request({ kind: 'hello' }).then((r) => {
      setWorker({ ready: true, sharedArrayBuffer: r.sharedArrayBuffer, missing: r.missing });
    });
    fetch('guests/manifest.json')
      .then((res) => (res.ok ? (res.json() as Promise<GuestManifest>) : Promise.reject(new Error(`HTTP ${res.status}`))))
      .then((m) => setGuest(m, null))
      .catch((err: Error) => setGuest(null, `The bundled guest is missing (${err.message}); run 'npm run guests'.`));
  }, [setWorker, setGuest]);

  const banner = useMemo(() => ['vmxlab serial console (ttyS0)', 'The guest will print here once the CPU core can boot it.'], []);

  return (
    <div className="app">
      <header>
        <h1>vmxlab</h1>
        <span className="tagline">x86-64 with Intel VT-x, in a tab</span>
      </header>
      <StatusBanner />
      <main>
        <ConsolePanel banner={banner} />
      </main>
    </div>
  );
}
