// Runs a bare-metal Multiboot ELF under Debian's qemu-system-x86_64 (TCG) and
// returns its serial output and exit code. The debug-exit device makes the
// program's exit status (v << 1) | 1; a timeout kills QEMU.
import { startQemu } from '../support/qemu.ts';
import { BAREMETAL_MEM_MIB, DEBUG_EXIT_DEVICE, QEMU_CPU } from './cpuModel.ts';

export interface RunResult {
  /** Serial output, with CR LF turned into LF. */
  serial: string;
  /** Process exit status: (v << 1) | 1 & 0xff after a debug-exit write of v; 0 after a
   *  reset/shutdown (-no-reboot); undefined if killed by the timeout. */
  exitCode: number | undefined;
  timedOut: boolean;
  /** QEMU's diagnostics on stderr. */
  stderr: string;
}

export async function runInQemu(elf: string, opts: { timeoutMs?: number; memMiB?: number } = {}): Promise<RunResult> {
  const vm = startQemu({
    kernel: elf,
    memMiB: opts.memMiB ?? BAREMETAL_MEM_MIB,
    extraArgs: ['-cpu', QEMU_CPU, '-device', DEBUG_EXIT_DEVICE],
    maxLifetimeMs: opts.timeoutMs ?? 15_000,
  });
  const { code, signal } = await vm.exited;
  return {
    serial: vm.output.replace(/\r\n/g, '\n'),
    exitCode: signal === null && code !== null ? code : undefined,
    timedOut: signal !== null,
    stderr: vm.stderr,
  };
}
