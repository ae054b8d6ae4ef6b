import { useEffect } from 'react';
import { step, stepOver, toggleRun } from '../store/machineCommands.ts';

/**
 * Debugger keys, as in Visual Studio and most IDE debuggers: F5 run/pause,
 * F10 step over, F11 step one instruction. Captured before xterm sees them.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const action = e.key === 'F5' ? toggleRun : e.key === 'F10' ? () => void stepOver().catch(() => {})
        : e.key === 'F11' ? () => void step(1).catch(() => {}) : null;
      if (!action) return;
      e.preventDefault();
      e.stopPropagation();
      action();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);
}
