import { useEffect } from 'react';
import { ConsolePanel } from './panels/ConsolePanel.tsx';
import { DisasmPanel } from './panels/DisasmPanel.tsx';
import { MemoryPanel } from './panels/MemoryPanel.tsx';
import { PageWalkPanel } from './panels/PageWalkPanel.tsx';
import { ExitLogPanel } from './panels/ExitLogPanel.tsx';
import { VmcsPanel } from './panels/VmcsPanel.tsx';
import { RegistersPanel } from './panels/RegistersPanel.tsx';
import { StatusBanner } from './StatusBanner.tsx';
import { StopBanner } from './StopBanner.tsx';
import { Toolbar } from './Toolbar.tsx';
import { BootDialog } from './BootDialog.tsx';
import { useShortcuts } from './useShortcuts.ts';
import { useApp, type GuestManifest } from '../store/appStore.ts';
import { connectWorker } from '../store/machineCommands.ts';
import { bootBundledGuest, useBoot } from '../store/bootStore.ts';

/** Boot the bundled guest on a first visit without a click (unless ?noboot is in the URL). */
const AUTOBOOT = !new URLSearchParams(location.search).has('noboot');

export function App() {
  const setGuest = useApp((s) => s.setGuest);
  useShortcuts();

  useEffect(() => {
    connectWorker();
    fetch('guests/manifest.json')
      .then((res) => (res.ok ? (res.json() as Promise<GuestManifest>) : Promise.reject(new Error(`HTTP ${res.status}`))))
      .then((m) => {
        setGuest(m, null);
        if (AUTOBOOT) void bootBundledGuest(m, { cmdline: m.cmdline, memMiB: 128, vcpus: 1 });
      })
      .catch((err: Error) => setGuest(null, `The bundled guest is missing (${err.message}); run 'npm run guests'.`));
  }, [setGuest]);

  return (
    <div className="app">
      <header>
        <h1>vmxlab</h1>
        <span className="tagline">x86-64 with Intel VT-x, in a tab</span>
        <Toolbar onBoot={() => useBoot.getState().setOpen(true)} />
      </header>
      <StatusBanner />
      <StopBanner />
      <main className="workspace">
        <ConsolePanel />
        <DisasmPanel />
        <RegistersPanel />
        <MemoryPanel />
        <PageWalkPanel />
        <ExitLogPanel />
        <VmcsPanel />
      </main>
      <BootDialog />
    </div>
  );
}
