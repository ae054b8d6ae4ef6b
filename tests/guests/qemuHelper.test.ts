// tests/support/qemu.ts: output matching, and never leaving QEMU running.
// A stand-in "QEMU" (a shell script) keeps these fast and independent of Linux.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuArgs, repoRoot, startQemu } from '../support/qemu.ts';

const scratch = mkdtempSync(join(tmpdir(), 'vmxlab-qemu-helper-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake QEMU: records its pid, prints its arguments, echoes stdin, then idles. */
function fakeQemu(name: string, extra = ''): { binary: string; pidFile: string } {
  const binary = join(scratch, name);
  const pidFile = join(scratch, `${name}.pid`);
  writeFileSync(binary, `#!/bin/sh\necho $$ > '${pidFile}'\necho "args: $*"\n${extra}\nexec sleep 60\n`);
  chmodSync(binary, 0o755);
  return { binary, pidFile };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}
const readPid = (file: string) => Number(readFileSync(file, 'utf8'));

describe('qemu helper', () => {
  it('builds a TCG command line with the kernel, initrd and append', () => {
    const args = qemuArgs({ kernel: 'k', initrd: 'i', append: 'console=ttyS0', smp: 2, extraArgs: ['-d', 'int'] });
    expect(args.slice(0, 2)).toEqual(['-accel', 'tcg']);
    expect(args[args.indexOf('-kernel') + 1]).toBe('k');
    expect(args[args.indexOf('-initrd') + 1]).toBe('i');
    expect(args[args.indexOf('-append') + 1]).toBe('console=ttyS0');
    expect(args[args.indexOf('-smp') + 1]).toBe('2,sockets=2');
    expect(args.slice(-2)).toEqual(['-d', 'int']);
  });

  it('waitFor consumes output in order, send reaches stdin, kill leaves nothing', async () => {
    const fake = fakeQemu('echoer', 'read -r line; echo "got: $line"; echo "got: again"');
    const vm = startQemu({ kernel: '/k', append: 'a b', qemuBinary: fake.binary });
    const args = await vm.waitFor(/args: (.*)/, 5000);
    expect(args[1]).toContain('-kernel /k');
    vm.send('hello\n');
    const first = await vm.waitFor(/got: (\w+)/, 5000);
    expect(first[1]).toBe('hello');
    // The next wait starts after the previous match, so it finds the later line.
    const second = await vm.waitFor(/got: (\w+)/, 5000);
    expect(second[1]).toBe('again');
    const pid = readPid(fake.pidFile);
    expect(alive(pid)).toBe(true);
    await vm.kill();
    expect(await until(() => !alive(pid), 2000)).toBe(true);
    expect(() => vm.send('x')).toThrow(/not running/);
  });

  it('waitFor rejects on timeout and quotes the output', async () => {
    const vm = startQemu({ kernel: '/k', qemuBinary: fakeQemu('quiet').binary });
    try {
      await expect(vm.waitFor(/never printed/, 300)).rejects.toThrow(/timed out after 300 ms[\s\S]*args: /);
    } finally {
      await vm.kill();
    }
  });

  it('waitFor rejects when QEMU exits first', async () => {
    const vm = startQemu({ kernel: '/k', qemuBinary: '/bin/false' });
    await expect(vm.waitFor(/anything/, 5000)).rejects.toThrow(/exited/);
    expect((await vm.exited).code).toBe(1);
  });

  it('kills QEMU after maxLifetimeMs', async () => {
    const fake = fakeQemu('lingerer');
    const vm = startQemu({ kernel: '/k', qemuBinary: fake.binary, maxLifetimeMs: 500 });
    await vm.waitFor(/args:/, 5000);
    const pid = readPid(fake.pidFile);
    expect((await vm.exited).signal).toBe('SIGKILL');
    expect(await until(() => !alive(pid), 2000)).toBe(true);
  });

  it('kills QEMU when the owning Node process is SIGKILLed (no exit hooks run)', async () => {
    const fake = fakeQemu('orphan');
    const owner = join(scratch, 'owner.ts');
    const helper = join(repoRoot, 'tests/support/qemu.ts');
    writeFileSync(
      owner,
      `import { startQemu } from ${JSON.stringify(helper)};\n` +
        `const vm = startQemu({ kernel: '/k', qemuBinary: ${JSON.stringify(fake.binary)} });\n` +
        `vm.waitFor(/args:/, 10000).then(() => console.log('started'));\n`,
    );
    const node = spawn(process.execPath, ['--import', 'tsx', owner], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    node.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      expect(await until(() => out.includes('started'), 15_000)).toBe(true);
      const pid = readPid(fake.pidFile);
      expect(alive(pid)).toBe(true);
      node.kill('SIGKILL');
      expect(await until(() => !alive(pid), 3000)).toBe(true);
    } finally {
      node.kill('SIGKILL');
    }
  }, 30_000);
});
