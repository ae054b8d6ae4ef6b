import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';

interface Props {
  /** Lines written once the terminal opens (until the UART is wired to it). */
  banner: string[];
}

/** The guest's serial console: xterm.js, fitted to its panel. */
export function ConsolePanel({ banner }: Props) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!host.current) return;
    const term = new Terminal({
      convertEol: true,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      fontSize: 13,
      theme: { background: '#0d1117', foreground: '#c9d1d9' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    for (const line of banner) term.writeln(line);
    const onResize = () => fit.fit();
    const observer = new ResizeObserver(onResize);
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      term.dispose();
    };
  }, [banner]);

  return <div className="console" data-testid="console" ref={host} />;
}
