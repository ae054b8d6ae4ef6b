/**
 * The boot dialog's state and the three ways to boot: the bundled Linux guest
 * (fetched with progress, System.map unpacked for symbols), the bare-metal
 * demo, or files the user picked or dropped. Every failure ends as a message
 * in `error`; nothing here throws to the page.
 */
import { create } from 'zustand';
import { boot } from './machineCommands.ts';
import type { GuestManifest } from './appStore.ts';

export interface BootSettings {
  cmdline: string;
  memMiB: number;
  vcpus: number;
}

export interface BootState {
  open: boolean;
  busy: boolean;
  stage: string | null;
  /** 0..1 while a download's size is known. */
  fraction: number | null;
  error: string | null;
  /** What was booted last, in words. */
  booted: string | null;
  setOpen(open: boolean): void;
  begin(stage: string): void;
  progress(stage: string, fraction: number | null): void;
  finish(error: string | null, booted?: string): void;
}

export const useBoot = create<BootState>((set) => ({
  open: false,
  busy: false,
  stage: null,
  fraction: null,
  error: null,
  booted: null,
  setOpen: (open) => set({ open }),
  begin: (stage) => set({ busy: true, stage, fraction: null, error: null }),
  progress: (stage, fraction) => set({ stage, fraction }),
  finish: (error, booted) => set((s) => ({ busy: false, stage: null, fraction: null, error, booted: error ? s.booted : (booted ?? s.booted) })),
}));

/** Fetches a file of the app, reporting download progress. */
async function fetchBytes(url: string, label: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${label}: HTTP ${res.status} for ${url}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body || !total) return res.arrayBuffer();
  const reader = res.body.getReader();
  const out = new Uint8Array(total);
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (got + value.length > out.length) return (await new Response(out.subarray(0, got)).arrayBuffer()); // length lied
    out.set(value, got);
    got += value.length;
    useBoot.getState().progress(`downloading ${label}`, got / total);
  }
  return out.buffer.slice(0, got);
}

async function gunzipText(buf: ArrayBuffer): Promise<string> {
  const stream = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

async function attempt(stage: string, work: () => Promise<string>): Promise<boolean> {
  const st = useBoot.getState();
  st.begin(stage);
  try {
    const what = await work();
    useBoot.getState().finish(null, what);
    return true;
  } catch (e) {
    useBoot.getState().finish((e as Error).message);
    return false;
  }
}

export function bootBundledGuest(manifest: GuestManifest, settings: BootSettings): Promise<boolean> {
  return attempt('downloading the bundled guest', async () => {
    const kernel = await fetchBytes('guests/bzImage', 'bzImage');
    const initrd = await fetchBytes('guests/initramfs.cpio.gz', 'initramfs.cpio.gz');
    let systemMap: string | undefined;
    if (manifest.files.some((f) => f.name === 'System.map.gz')) {
      systemMap = await gunzipText(await fetchBytes('guests/System.map.gz', 'System.map.gz')).catch(() => undefined);
    }
    useBoot.getState().progress('loading the kernel', null);
    await boot({ kernelName: 'bzImage', kernel, initrdName: 'initramfs.cpio.gz', initrd, systemMap, ...settings, run: true });
    return `bundled guest (Linux ${manifest.linux?.release ?? ''})`;
  });
}

export function bootDemo(): Promise<boolean> {
  return attempt('downloading the demo', async () => {
    const kernel = await fetchBytes('demo/demo64.elf', 'demo64.elf');
    const systemMap = await fetch('demo/demo64.map').then((r) => (r.ok ? r.text() : undefined), () => undefined);
    await boot({ kernelName: 'demo64.elf', kernel, systemMap, cmdline: '', memMiB: 32, vcpus: 1, run: true });
    return 'bare-metal demo (64-bit Multiboot)';
  });
}

export function bootVmxDemo(): Promise<boolean> {
  return attempt('downloading the VMX demo', async () => {
    const kernel = await fetchBytes('demo/vmxdemo.elf', 'vmxdemo.elf');
    const systemMap = await fetch('demo/vmxdemo.map').then((r) => (r.ok ? r.text() : undefined), () => undefined);
    await boot({ kernelName: 'vmxdemo.elf', kernel, systemMap, cmdline: '', memMiB: 32, vcpus: 1, run: true });
    return 'bare-metal VMX demo (a hypervisor and its guest)';
  });
}

export function bootFiles(kernel: File, initrd: File | null, systemMap: File | null, settings: BootSettings): Promise<boolean> {
  return attempt(`reading ${kernel.name}`, async () => {
    const kbytes = await kernel.arrayBuffer();
    const ibytes = initrd ? await initrd.arrayBuffer() : undefined;
    const map = systemMap ? await systemMap.text() : undefined;
    useBoot.getState().progress(`loading ${kernel.name}`, null);
    await boot({
      kernelName: kernel.name, kernel: kbytes, initrdName: initrd?.name, initrd: ibytes, systemMap: map, ...settings, run: true,
    });
    return kernel.name + (initrd ? ` + ${initrd.name}` : '');
  });
}
