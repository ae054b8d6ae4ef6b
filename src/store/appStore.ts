import { create } from 'zustand';

export interface GuestManifest {
  cmdline: string;
  linux?: { release?: string };
  files: { name: string; size: number; sha256: string }[];
}

export interface AppState {
  /** Page-level isolation (COOP/COEP); SharedArrayBuffer depends on it. */
  crossOriginIsolated: boolean;
  worker: { ready: boolean; sharedArrayBuffer: boolean; missing: string[] };
  guest: GuestManifest | null;
  guestError: string | null;
  setWorker(w: AppState['worker']): void;
  setGuest(m: GuestManifest | null, error: string | null): void;
}

export const useApp = create<AppState>((set) => ({
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  worker: { ready: false, sharedArrayBuffer: false, missing: [] },
  guest: null,
  guestError: null,
  setWorker: (worker) => set({ worker }),
  setGuest: (guest, guestError) => set({ guest, guestError }),
}));
