import { create } from 'zustand';
import type { CpuModeName, RunState, StopReason, WorkerEvent } from '../worker/protocol.ts';

/** Samples kept for the IPS plot (one per state event while running, ~30 Hz: about 10 s). */
export const IPS_SAMPLES = 300;

export interface MachineView {
  runState: RunState;
  icount: number;
  ips: number;
  ipsHistory: number[];
  virtualNs: number | null;
  /** Register file (layout.ts) of the last state event, and of the one before it that had another icount. */
  regs: Uint32Array | null;
  prevRegs: Uint32Array | null;
  mode: CpuModeName;
  bits: 16 | 32 | 64;
  cpl: number;
  vmx: 'root' | 'non-root' | null;
  halted: boolean;
  breakpoints: bigint[];
  /** VT-x breakpoints (exit reasons, failed entries) as the worker holds them. */
  vmxBreak: { reasons: number[]; entryFailure: boolean };
  lastStop: { reason: StopReason; message: string } | null;
  kernelDetail: string | null;
  /** Shared guest RAM and the serial ring, when the worker sent them. */
  ram: SharedArrayBuffer | null;
  ring: SharedArrayBuffer | null;
  progress: { stage: string; fraction: number | null } | null;
  /** Bumped by every state event: panels re-query when it changes. */
  version: number;
  apply(e: WorkerEvent): void;
}

export const useMachine = create<MachineView>((set, get) => ({
  runState: 'off',
  icount: 0,
  ips: 0,
  ipsHistory: [],
  virtualNs: null,
  regs: null,
  prevRegs: null,
  mode: 'real',
  bits: 16,
  cpl: 0,
  vmx: null,
  halted: false,
  breakpoints: [],
  vmxBreak: { reasons: [], entryFailure: false },
  lastStop: null,
  kernelDetail: null,
  ram: null,
  ring: null,
  progress: null,
  version: 0,
  apply(e) {
    switch (e.kind) {
      case 'state': {
        const cur = get();
        const moved = cur.regs !== null && e.icount !== cur.icount;
        const live = e.runState !== 'off';
        const history = e.runState === 'running' ? [...cur.ipsHistory, e.ips].slice(-IPS_SAMPLES) : cur.ipsHistory;
        set({
          runState: e.runState, icount: e.icount, ips: e.ips, ipsHistory: history, virtualNs: e.virtualNs,
          regs: live ? e.regs : null, prevRegs: live && moved ? cur.regs : live ? cur.prevRegs : null,
          mode: e.mode, bits: e.bits, cpl: e.cpl, vmx: e.vmx, halted: e.halted, breakpoints: e.breakpoints,
          vmxBreak: e.vmxBreak ?? cur.vmxBreak,
          version: cur.version + 1,
        });
        return;
      }
      case 'stopped': set({ lastStop: { reason: e.reason, message: e.message } }); return;
      case 'booted': set({ kernelDetail: e.kernelDetail, ram: e.ram, regs: null, prevRegs: null, ipsHistory: [], lastStop: null }); return;
      case 'progress': set({ progress: { stage: e.stage, fraction: e.fraction } }); return;
      case 'console': set({ ring: e.ring }); return;
    }
  },
}));
