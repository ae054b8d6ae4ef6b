import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';

describe('smoke', () => {
  for (const mode of ['real', 'prot32', 'long64'] as const) {
    it(`runs a loop in ${mode} mode`, () => {
      const m = new TestMachine(mode).load('mov ecx, 10\nxor eax, eax\nl: add eax, ecx\ndec ecx\njnz l\nhlt');
      m.runToHlt();
      expect(m.reg('rax') & 0xffffn).toBe(55n);
    });
  }
});
