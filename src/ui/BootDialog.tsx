import { useState, type DragEvent } from 'react';
import { useApp } from '../store/appStore.ts';
import { bootBundledGuest, bootDemo, bootFiles, bootVmxDemo, useBoot, type BootSettings } from '../store/bootStore.ts';

/** Sorts dropped files: an initramfs by its name, a System.map by its name, anything else is the kernel. */
function classify(files: File[]): { kernel?: File; initrd?: File; systemMap?: File } {
  const out: { kernel?: File; initrd?: File; systemMap?: File } = {};
  for (const f of files) {
    if (/system\.map/i.test(f.name)) out.systemMap = f;
    else if (/initr|cpio|\.img$/i.test(f.name)) out.initrd = f;
    else out.kernel = f;
  }
  return out;
}

/**
 * Boot a kernel: the bundled guest or the bare-metal demo in one click, or a
 * bzImage / vmlinux / Multiboot ELF and an initramfs by picker or drag and
 * drop, with command line, memory and vCPUs. Progress and errors show here.
 */
export function BootDialog() {
  const guest = useApp((s) => s.guest);
  const b = useBoot();
  const [kernel, setKernel] = useState<File | null>(null);
  const [initrd, setInitrd] = useState<File | null>(null);
  const [systemMap, setSystemMap] = useState<File | null>(null);
  const [cmdlineEdit, setCmdline] = useState<string | null>(null);
  const [memMiB, setMem] = useState(128);
  const [vcpus, setVcpus] = useState(1);
  const [hover, setHover] = useState(false);
  if (!b.open) return null;
  const cmdline = cmdlineEdit ?? guest?.cmdline ?? 'console=ttyS0';
  const settings: BootSettings = { cmdline, memMiB, vcpus };
  const close = () => b.setOpen(false);
  const done = (ok: boolean) => { if (ok) close(); };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setHover(false);
    const c = classify(Array.from(e.dataTransfer.files));
    if (c.kernel) setKernel(c.kernel);
    if (c.initrd) setInitrd(c.initrd);
    if (c.systemMap) setSystemMap(c.systemMap);
  };

  return (
    <div className="dialog-backdrop" onClick={close}>
      <div className="dialog" role="dialog" aria-label="Boot a kernel" data-testid="boot-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Boot</h2>
        <div className="quick">
          <button type="button" disabled={b.busy || !guest} data-testid="boot-bundled"
            onClick={() => guest && void bootBundledGuest(guest, settings).then(done)}>
            Bundled Linux guest
          </button>
          <button type="button" disabled={b.busy} data-testid="boot-demo" onClick={() => void bootDemo().then(done)}>
            Bare-metal demo (64-bit Multiboot)
          </button>
          <button type="button" disabled={b.busy} data-testid="boot-vmx-demo" onClick={() => void bootVmxDemo().then(done)}>
            VMX demo (bare-metal hypervisor)
          </button>
        </div>
        <div className={`dropzone${hover ? ' hover' : ''}`} data-testid="dropzone"
          onDragOver={(e) => { e.preventDefault(); setHover(true); }} onDragLeave={() => setHover(false)} onDrop={onDrop}>
          Drop a kernel (bzImage, vmlinux, Multiboot ELF), an initramfs and a System.map here, or pick them:
          <label>Kernel <input type="file" data-testid="kernel-file" onChange={(e) => setKernel(e.target.files?.[0] ?? null)} /></label>
          <label>Initramfs <input type="file" data-testid="initrd-file" onChange={(e) => setInitrd(e.target.files?.[0] ?? null)} /></label>
          <label>System.map <input type="file" data-testid="systemmap-file" onChange={(e) => setSystemMap(e.target.files?.[0] ?? null)} /></label>
          <p className="muted">
            {kernel ? `kernel: ${kernel.name} (${(kernel.size / 1024).toFixed(0)} KiB)` : 'no kernel chosen'}
            {initrd ? ` · initramfs: ${initrd.name}` : ''}{systemMap ? ` · symbols: ${systemMap.name}` : ''}
          </p>
        </div>
        <label className="wide">Command line <input value={cmdline} onChange={(e) => setCmdline(e.target.value)} data-testid="cmdline" /></label>
        <div className="row-fields">
          <label>Memory (MiB) <input type="number" min={16} max={2048} value={memMiB} onChange={(e) => setMem(Number(e.target.value))} data-testid="memory-mib" /></label>
          <label>vCPUs <input type="number" min={1} max={64} value={vcpus} onChange={(e) => setVcpus(Number(e.target.value))} data-testid="vcpus" /></label>
        </div>
        {b.stage && (
          <div className="progress" data-testid="boot-progress">
            {b.stage}
            {b.fraction !== null && <progress value={b.fraction} max={1} />}
          </div>
        )}
        {b.error && <p className="error" role="alert" data-testid="boot-error">{b.error}</p>}
        <div className="actions">
          <button type="button" onClick={close}>Close</button>
          <button type="button" className="primary" disabled={b.busy || !kernel} data-testid="boot-files"
            onClick={() => kernel && void bootFiles(kernel, initrd, systemMap, settings).then(done)}>
            Boot these files
          </button>
        </div>
      </div>
    </div>
  );
}
