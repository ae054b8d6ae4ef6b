// vmxlab snapshot and vmxlab boot --snapshot, run as a user runs them (the
// real entry point in a child process), to a file and through a share server.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from '../src/emu/machine.ts';
import { createAppServer } from '../server/app.ts';
import { ShareApi } from '../server/share/api.ts';
import { DirStorage } from '../server/share/dirStorage.ts';
import { buildBareMetalFile } from '../tests/diff/build.ts';
import { REPO_ROOT } from './guestFiles.ts';

function vmxlab(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/vmxlab.mjs'), ...args], { encoding: 'latin1', timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe('vmxlab snapshot / boot --snapshot', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-snapcli-'));
  const elf = buildBareMetalFile('snapshotWalk.asm', 64);
  const ref: number[] = [];
  const server = createAppServer({ distDir: dir, share: new ShareApi(new DirStorage(path.join(dir, 'share'))) });
  let base = '';

  beforeAll(async () => {
    const m = createMachine({ memMiB: 16, onSerial: (b) => ref.push(b) });
    m.loadMultiboot(new Uint8Array(readFileSync(elf)));
    expect(m.run({ maxInstructions: 50_000_000 })).toMatchObject({ reason: 'exit', exitCode: 0x55 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves at an instruction count; boot --snapshot continues to the same end, byte for byte', async () => {
    const file = path.join(dir, 'walk.vmxsnap');
    const a = await vmxlab('snapshot', '--kernel', elf, '--mem', '16', '--at-icount', '123457', '-o', file);
    expect(a.stderr).toMatch(/saved at instruction 123457/);
    expect(a.status).toBe(0);
    const b = await vmxlab('boot', '--snapshot', file);
    expect(b.stderr).toMatch(/restored .* \(instruction 123457\)/);
    expect(b.status).toBe(0x55 & 0xff);
    expect(a.stdout + b.stdout).toBe(Buffer.from(ref).toString('latin1'));
  });

  it('saves when the output matches, shares it, and boots from the link', async () => {
    const a = await vmxlab('snapshot', '--kernel', elf, '--mem', '16', '--at-output', 'step 00000020', '--share', base);
    expect(a.status, a.stderr).toBe(0);
    const link = a.stdout.trim().split('\n').at(-1)!;
    expect(link).toMatch(new RegExp(`^${base}/s/[0-9a-f]{12}$`));
    expect(a.stderr).toMatch(/uploaded \d+ of \d+ chunks, \d+ bytes/);
    const b = await vmxlab('boot', '--snapshot', link, '--until', 'step 00000030');
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/step 00000030/);
    expect(b.stdout).not.toMatch(/step 00000010/);
  });

  it('explains bad requests and bad snapshots', async () => {
    expect((await vmxlab('snapshot', '--kernel', elf, '-o', 'x')).stderr).toMatch(/exactly one of --at-icount N and --at-output REGEX/);
    expect((await vmxlab('snapshot', '--kernel', elf, '--at-icount', '5')).stderr).toMatch(/-o FILE, --share SERVER/);
    const late = await vmxlab('snapshot', '--kernel', elf, '--mem', '16', '--at-icount', '900000000', '-o', path.join(dir, 'never'));
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/the guest stopped \(exit\) before instruction 900000000; nothing saved/);
    const junk = path.join(dir, 'junk.vmxsnap');
    writeFileSync(junk, 'not a snapshot at all, just a line of text that is long enough for a header');
    const bad = await vmxlab('boot', '--snapshot', junk);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/does not start with the VMXLSNAP signature/);
    expect((await vmxlab('boot', '--snapshot', junk, '--mem', '64')).stderr).toMatch(/--mem cannot be combined with --snapshot/);
    expect((await vmxlab('boot', '--snapshot', `${base}/s/000000000000`)).stderr).toMatch(/404: no snapshot 000000000000/);
    expect((await vmxlab('snapshot', '--help')).stdout).toMatch(/-o, --output FILE/);
  });
});
