// `vmxlab boot` end to end through bin/vmxlab.mjs: exit statuses and messages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './guestFiles.ts';

function vmxlab(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/vmxlab.mjs'), ...args], { encoding: 'latin1', timeout: 60_000, input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Multiboot a.out-kludge image at 1 MiB running `code` (see src/emu/machine.test.ts). */
function multiboot(code: number[]): Uint8Array {
  const words = [0x1badb002, 0x10002, (-(0x1badb002 + 0x10002)) >>> 0, 0x100000, 0x100000, 0, 0x101000, 0x100020];
  const b = new Uint8Array(32 + code.length);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  b.set(code, 32);
  return b;
}

describe('vmxlab boot', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-boot-'));
  const file = (name: string, bytes: Uint8Array): string => { const p = path.join(dir, name); writeFileSync(p, bytes); return p; };

  it('runs a Multiboot kernel: serial to stdout, the guest\'s debug-exit status as its own', () => {
    // mov dx,0x3f8; mov al,'o'; out dx,al; mov al,'k'; out dx,al; mov eax,0x21; out 0xf4,eax
    const k = file('mb.bin', multiboot([0x66, 0xba, 0xf8, 0x03, 0xb0, 0x6f, 0xee, 0xb0, 0x6b, 0xee, 0xb8, 0x21, 0, 0, 0, 0xe7, 0xf4, 0xf4]));
    const r = vmxlab('boot', '--kernel', k, '--icount');
    expect(r.stdout).toBe('ok');
    expect(r.status).toBe(0x43);
    expect(r.stderr).toMatch(/Multiboot image, entry 0x100020/);
  });

  it('ends a triple fault with a register dump and the last instructions, status 3', () => {
    // lidt [0x100100] (limit 0 from bss), ud2: #UD -> #GP -> #DF -> triple fault
    const k = file('tf.bin', multiboot([0x0f, 0x01, 0x1d, 0x00, 0x01, 0x10, 0x00, 0x0f, 0x0b]));
    const r = vmxlab('boot', '--kernel', k);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/triple fault/);
    expect(r.stderr).toMatch(/rip=/);
    expect(r.stderr).toMatch(/00100027 +0f 0b +ud2/);
  });

  it('names the problem with a file that is not a kernel, and refuses --smp above 1', () => {
    const junk = file('junk.bin', new Uint8Array(8192).fill(0x41));
    const r = vmxlab('boot', '--kernel', junk);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a Linux kernel/);
    const smp = vmxlab('boot', '--kernel', junk, '--smp', '2');
    expect(smp.status).toBe(1);
    expect(smp.stderr).toMatch(/only 1 vCPU is implemented/);
  });
});
