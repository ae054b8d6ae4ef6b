import { describe, expect, it } from 'vitest';
import { diffBootLogs, missingOneChar } from './bootLogDiff.ts';

describe('boot-log comparison', () => {
  it('ignores timestamps and reports lines only one side printed', () => {
    const d = diffBootLogs('[    0.000000] Linux version 6.1\n[    0.1] only here\n', '[    1.500000] Linux version 6.1\n');
    expect(d.unexplained).toEqual(['vmxlab only: only here']);
  });

  it('pairs a QEMU line that lost one byte with the full vmxlab line, but not the other way round', () => {
    const full = 'Dentry cache hash table entries: 16384 (order: 5, 131072 bytes, linear)';
    const lossy = 'Dentry cache hash table entries 16384 (order: 5, 131072 bytes, linear)';
    expect(diffBootLogs(full, lossy).unexplained).toEqual([]);
    expect(diffBootLogs(lossy, full).unexplained).toHaveLength(2);
  });

  it('missingOneChar is exact about the single removed character', () => {
    expect(missingOneChar('abc', 'ac')).toBe(true);
    expect(missingOneChar('abc', 'ab')).toBe(true);
    expect(missingOneChar('abc', 'abc')).toBe(false);
    expect(missingOneChar('abcd', 'ad')).toBe(false);
    expect(missingOneChar('abc', 'xc')).toBe(false);
  });

  it('flags kernel complaints printed only under vmxlab', () => {
    expect(diffBootLogs('WARNING: CPU: 0 PID: 1 at foo\n', '').complaints).toHaveLength(1);
  });
});
