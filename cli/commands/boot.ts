import path from 'node:path';
import { intFlag, type ParsedFlags, UsageError } from '../parse.ts';
import { runBoot } from '../bootRun.ts';
import { BUNDLED_DIR, readBundledManifest, readUserFile } from '../guestFiles.ts';
import { bootFromSnapshot } from './snapshot.ts';

const MAX_KERNEL = 64 << 20;
const MAX_INITRD = 512 << 20;

export interface BootRequest {
  kernel: Uint8Array;
  kernelName: string;
  initrd: Uint8Array | null;
  append: string;
  memMiB: number;
  smp: number;
  until: RegExp | null;
  timeoutS: number;
  icount: boolean;
}

/** Turns flags into a validated request: every problem with the user's input is reported here, before anything runs. */
export function parseBootRequest(flags: ParsedFlags): BootRequest {
  const memMiB = intFlag(flags, 'mem', 128, 16, 3072);
  const smp = intFlag(flags, 'smp', 1, 1, 64);
  const timeoutS = intFlag(flags, 'timeout', 0, 0, 86_400);
  let until: RegExp | null = null;
  if (typeof flags.until === 'string') {
    try {
      until = new RegExp(flags.until);
    } catch (err) {
      throw new UsageError(`--until: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const bundled = typeof flags.kernel !== 'string';
  const manifest = bundled ? readBundledManifest() : null;
  const kernelPath = bundled ? path.join(BUNDLED_DIR, 'bzImage') : (flags.kernel as string);
  const initrdPath = typeof flags.initrd === 'string' ? flags.initrd : bundled ? path.join(BUNDLED_DIR, 'initramfs.cpio.gz') : null;
  return {
    kernel: readUserFile('kernel', kernelPath, MAX_KERNEL),
    kernelName: kernelPath,
    initrd: initrdPath ? readUserFile('initrd', initrdPath, MAX_INITRD) : null,
    append: typeof flags.append === 'string' ? flags.append : (manifest?.cmdline ?? ''),
    memMiB,
    smp,
    until,
    timeoutS,
    icount: flags.icount === true,
  };
}

export async function bootCommand(flags: ParsedFlags): Promise<number> {
  if (typeof flags.snapshot === 'string') return bootFromSnapshot(flags);
  const req = parseBootRequest(flags);
  return runBoot(req, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, typeof flags.kernel !== 'string');
}
