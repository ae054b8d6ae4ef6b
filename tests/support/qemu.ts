// Boots a Linux guest under Debian's qemu-system-x86_64 (TCG) and talks to its
// serial console: the reference machine for tests and the benchmark.
//
//   const vm = startQemu(bundledGuest());
//   try { await vm.waitFor(/vmxlab: init done/, 60_000); vm.send('uname -r\n'); }
//   finally { await vm.kill(); }
//
// QEMU never outlives its owner: kill() kills the whole process group, a
// lifetime watchdog kills it when maxLifetimeMs runs out, an exit hook kills it
// when Node exits, and a wrapper shell kills it when Node dies without running
// hooks (the pipe on fd 3 reaches EOF).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface QemuOptions {
  kernel: string;
  initrd?: string;
  append?: string;
  memMiB?: number; // default 256
  smp?: number; // default 1
  /** Appended to the command line as is (e.g. ['-d', 'int']). */
  extraArgs?: string[];
  /** Kill QEMU after this long whatever happens; default 120 s. */
  maxLifetimeMs?: number;
  qemuBinary?: string; // default /usr/bin/qemu-system-x86_64
  /** Sees every chunk of serial output (e.g. to echo it while debugging). */
  onOutput?: (text: string) => void;
}

export interface BundledGuest {
  kernel: string;
  initrd: string;
  append: string;
  readyLine: string;
  prompt: string;
}

/** The committed guest in public/guests, as described by its manifest. */
export function bundledGuest(): BundledGuest {
  const dir = join(repoRoot, 'public/guests');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    cmdline: string;
    readyLine: string;
    prompt: string;
  };
  return {
    kernel: join(dir, 'bzImage'),
    initrd: join(dir, 'initramfs.cpio.gz'),
    append: manifest.cmdline,
    readyLine: manifest.readyLine,
    prompt: manifest.prompt,
  };
}

/** The QEMU command line startQemu runs (without the wrapper shell). */
export function qemuArgs(opts: QemuOptions): string[] {
  const args = [
    '-accel', 'tcg',
    // No default NIC/VGA (no option ROMs to run); serial 0 is our stdio.
    '-nodefaults', '-display', 'none', '-serial', 'stdio', '-monitor', 'none',
    '-no-reboot',
    '-m', `${opts.memMiB ?? 256}M`,
    // One CPU per socket: the bundled guest has no ACPI, and SeaBIOS's MP
    // table lists only the first logical CPU of each package.
    '-smp', `${opts.smp ?? 1},sockets=${opts.smp ?? 1}`,
    '-kernel', opts.kernel,
  ];
  if (opts.initrd !== undefined) args.push('-initrd', opts.initrd);
  if (opts.append !== undefined) args.push('-append', opts.append);
  return args.concat(opts.extraArgs ?? []);
}

// Runs QEMU in the background with fd 3 closed for it; a sibling waits for
// EOF on fd 3 (Node's end of the pipe closes when Node dies) and kills QEMU.
// Stdin is duplicated first because a background job's stdin is /dev/null.
const WRAPPER = `
exec 4<&0
"$@" <&4 4<&- 3<&- &
q=$!
{ read -r _ <&3; kill -9 "$q" 2>/dev/null; } 4<&- &
w=$!
wait "$q"; rc=$?
kill "$w" 2>/dev/null
exit "$rc"
`;

const live = new Set<QemuMachine>();
let exitHookInstalled = false;

export function startQemu(opts: QemuOptions): QemuMachine {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const vm of live) vm.killNow();
    });
  }
  const vm = new QemuMachine(opts);
  live.add(vm);
  return vm;
}

interface Waiter {
  re: RegExp;
  resolve: (m: RegExpExecArray) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class QemuMachine {
  readonly command: string[];
  /** Resolves when QEMU has exited (killed or by itself). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly startedAt = performance.now();
  private serial = '';
  private stderrText = '';
  private cursor = 0;
  private waiters: Waiter[] = [];
  private done = false;
  private readonly lifetime: ReturnType<typeof setTimeout>;

  constructor(opts: QemuOptions) {
    const qemu = opts.qemuBinary ?? '/usr/bin/qemu-system-x86_64';
    this.command = [qemu, ...qemuArgs(opts)];
    this.child = spawn('/bin/sh', ['-c', WRAPPER, 'vmxlab-qemu', ...this.command], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so kill() reaches QEMU and the watchdog
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => {
      this.serial += text;
      opts.onOutput?.(text);
      this.check();
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => (this.stderrText += text));
    this.child.stdin!.on('error', () => {}); // EPIPE after QEMU exits: reported via exited
    this.exited = new Promise((resolveExit) => {
      this.child.on('exit', (code, signal) => {
        this.done = true;
        live.delete(this);
        clearTimeout(this.lifetime);
        this.child.stdio[3]?.destroy(); // our end of the watchdog pipe
        const why = `QEMU exited (code ${code}, signal ${signal})`;
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(this.failure(`${why} while waiting for ${w.re}`));
        }
        resolveExit({ code, signal });
      });
    });
    this.lifetime = setTimeout(() => this.killNow(), opts.maxLifetimeMs ?? 120_000);
    this.lifetime.unref();
  }

  /** Process group of QEMU and its wrapper (the wrapper shell's pid). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** All serial output so far. */
  get output(): string {
    return this.serial;
  }

  /** QEMU's own diagnostics (stderr). */
  get stderr(): string {
    return this.stderrText;
  }

  /** Milliseconds since QEMU was started. */
  uptimeMs(): number {
    return performance.now() - this.startedAt;
  }

  /**
   * Resolves with the first match of `re` in output not consumed by an earlier
   * waitFor, and consumes output up to the end of that match. Rejects on
   * timeout or if QEMU exits first, quoting the tail of the output.
   */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    // Our own copy: a caller's g/y flag and lastIndex must not change matching.
    const own = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
    return new Promise((resolveMatch, reject) => {
      if (this.done) {
        reject(this.failure(`QEMU is not running; cannot wait for ${re}`));
        return;
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(this.failure(`timed out after ${timeoutMs} ms waiting for ${re}`));
      }, timeoutMs);
      this.waiters.push({ re: own, resolve: resolveMatch, reject, timer });
      this.check();
    });
  }

  /** Types text on the serial console (include '\n' to press Enter). */
  send(text: string): void {
    if (this.done) throw new Error('QEMU is not running');
    this.child.stdin!.write(text);
  }

  /** Kills QEMU (SIGKILL to its process group) and waits until it is gone. */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  /** Synchronous kill, safe to call repeatedly and from an exit hook. */
  killNow(): void {
    if (this.done || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private check(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      const m = w.re.exec(this.serial.slice(this.cursor));
      if (m === null) return;
      this.waiters.shift();
      clearTimeout(w.timer);
      m.index += this.cursor;
      this.cursor = m.index + m[0].length;
      w.resolve(m);
    }
  }

  private failure(message: string): Error {
    const tail = this.serial.slice(-2000);
    const err = this.stderrText.trim();
    return new Error(`${message}\n--- serial output (tail) ---\n${tail}${err ? `\n--- QEMU stderr ---\n${err}` : ''}`);
  }
}
