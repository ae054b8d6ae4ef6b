import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './guestFiles.ts';

/** Runs the real entry point (`bin/vmxlab.mjs`), as `npx vmxlab` does. */
function vmxlab(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/vmxlab.mjs'), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vmxlab CLI', () => {
  it('lists its commands and explains each flag', () => {
    const top = vmxlab('--help');
    expect(top.status).toBe(0);
    for (const c of ['boot', 'bench', 'gdb']) expect(top.stdout).toContain(c);
    const boot = vmxlab('boot', '--help');
    expect(boot.status).toBe(0);
    for (const f of ['--kernel', '--initrd', '--append', '--mem', '--smp', '--until', '--timeout', '--icount']) {
      expect(boot.stdout).toContain(f);
    }
  });

  it('rejects unknown commands, unknown flags and bad values with exit 2', () => {
    expect(vmxlab('frobnicate').status).toBe(2);
    const flag = vmxlab('boot', '--frob');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("'--frob'");
    const mem = vmxlab('boot', '--mem', 'lots');
    expect(mem.status).toBe(2);
    expect(mem.stderr).toContain('--mem must be an integer');
    const re = vmxlab('boot', '--until', '(');
    expect(re.status).toBe(2);
    expect(re.stderr).toContain('--until');
    const suite = vmxlab('bench', '--only', 'nope');
    expect(suite.status).toBe(2);
    expect(suite.stderr).toContain("no bench suite 'nope'");
    expect(vmxlab('bench', '--runs', '0').status).toBe(2);
  });

  it('names the missing or empty file', () => {
    const missing = vmxlab('boot', '--kernel', '/definitely/not/here');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--kernel /definitely/not/here: no such file');
    const dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-cli-'));
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    const r = vmxlab('boot', '--kernel', empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the file is empty');
  });
});
