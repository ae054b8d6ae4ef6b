/**
 * From a boot spec (the dialog's files and settings) to a machine at its
 * entry point, or a message saying what is wrong with the input. The loaders
 * themselves are the core's (src/emu/boot); this only picks one and checks
 * the inputs first, so a bad file never reaches them half-understood.
 */
import { checkInitrd, checkKernel } from '../emu/boot/imageKind.ts';
import { createMachine, type Machine } from '../emu/machine.ts';
import type { BootSpec } from './protocol.ts';

export type BootOutcome =
  | { ok: true; machine: Machine; detail: string }
  /** `unimplemented`: the input is fine but this build cannot boot it yet. */
  | { ok: false; error: string; unimplemented: boolean };

const bad = (error: string): BootOutcome => ({ ok: false, error, unimplemented: false });

export function bootMachine(spec: BootSpec, onSerial: (b: number) => void): BootOutcome {
  if (!Number.isInteger(spec.memMiB) || spec.memMiB < 16 || spec.memMiB > 2048) {
    return bad(`memory must be a whole number of MiB from 16 to 2048, got ${spec.memMiB}`);
  }
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > 64) {
    return bad(`vCPUs must be a whole number from 1 to 64, got ${spec.vcpus}`);
  }
  const kernel = new Uint8Array(spec.kernel);
  const k = checkKernel(kernel);
  if (!k.ok) return bad(`${spec.kernelName}: ${k.error}`);
  let initrdDetail = '';
  if (spec.initrd) {
    const i = checkInitrd(new Uint8Array(spec.initrd));
    if (!i.ok) return bad(`${spec.initrdName ?? 'initramfs'}: ${i.error}`);
    if (spec.initrd.byteLength > spec.memMiB * 1024 * 1024 / 2) {
      return bad(`${spec.initrdName ?? 'initramfs'}: ${(spec.initrd.byteLength / 1048576).toFixed(1)} MiB does not fit in half of ${spec.memMiB} MiB of RAM`);
    }
    initrdDetail = `, initramfs ${i.format}`;
  }
  if (spec.vcpus > 1) {
    return { ok: false, unimplemented: true, error: `unimplemented: ${spec.vcpus} vCPUs; this build runs one vCPU (SMP is not implemented yet)` };
  }
  const shared = typeof SharedArrayBuffer !== 'undefined';
  const machine = createMachine({ memMiB: spec.memMiB, sharedMemory: shared, onSerial });
  switch (k.kind) {
    case 'multiboot':
      try {
        machine.loadMultiboot(kernel, spec.cmdline);
      } catch (e) {
        return bad(`${spec.kernelName}: ${(e as Error).message}`);
      }
      return { ok: true, machine, detail: `${k.detail}${initrdDetail}` };
    case 'bzImage':
    case 'vmlinux':
      try {
        const initrd = spec.initrd ? new Uint8Array(spec.initrd) : null;
        const boot = machine.loadLinux(kernel, { cmdline: spec.cmdline, initrd }, { kernel: spec.kernelName, initrd: spec.initrdName });
        return { ok: true, machine, detail: `${boot.summary}${initrdDetail}` };
      } catch (e) {
        return bad(`${spec.kernelName}: ${(e as Error).message}`);
      }
  }
}
