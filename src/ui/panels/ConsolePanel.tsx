import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { useMachine } from '../../store/machineStore.ts';
import { serialIn } from '../../store/machineCommands.ts';
import { ByteRing } from '../../worker/byteRing.ts';

const encoder = new TextEncoder();

/**
 * The guest's serial console (COM1): xterm.js fitted to its panel. Output is
 * drained from the worker's shared byte ring once per animation frame; keys and
 * pastes go to the UART. Ctrl+Shift+C / Ctrl+Shift+V copy and paste (Ctrl+C
 * stays the guest's interrupt key).
 */
export function ConsolePanel() {
  const host = useRef<HTMLDivElement>(null);
  const ringBuffer = useMachine((s) => s.ring);

  useEffect(() => {
    if (!host.current) return;
    const term = new Terminal({
      // Bare-metal programs often send LF alone; Linux's ONLCR sends CR LF, which this leaves as is.
      convertEol: true,
      scrollback: 10000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      fontSize: 13,
      theme: { background: '#0d1117', foreground: '#c9d1d9' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    term.writeln('vmxlab serial console (COM1, ttyS0)');
    term.attachCustomKeyEventHandler((ev) => {
      if (ev.type !== 'keydown' || !ev.ctrlKey || !ev.shiftKey) return true;
      if (ev.code === 'KeyC') {
        const sel = term.getSelection();
        if (sel) void navigator.clipboard?.writeText(sel);
        return false;
      }
      if (ev.code === 'KeyV') {
        void navigator.clipboard?.readText().then((t) => term.paste(t));
        return false;
      }
      return true;
    });
    const input = term.onData((data) => void serialIn(encoder.encode(data)).catch(() => {}));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);

    let raf = 0;
    if (ringBuffer) {
      const ring = new ByteRing(ringBuffer);
      const buf = new Uint8Array(1 << 16);
      const drain = () => {
        const n = ring.read(buf);
        if (n > 0) term.write(buf.slice(0, n));
        raf = requestAnimationFrame(drain);
      };
      raf = requestAnimationFrame(drain);
    }
    return () => {
      cancelAnimationFrame(raf);
      input.dispose();
      observer.disconnect();
      term.dispose();
    };
  }, [ringBuffer]);

  return <section className="panel console-panel"><div className="console" data-testid="console" ref={host} /></section>;
}
