/**
 * Memory-operand forms against results recorded on real hardware
 * (fixtures/native-mem.json, made by fixtures/genNativeMem.ts): RSI points
 * at a 64-byte buffer; registers, the buffer and the defined flags must match.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CODE, TestMachine } from './testMachine.ts';
import { CC_OP, GPR, HALTED, RFLAGS, RIP } from '../../src/emu/cpu/state/layout.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';

interface Fixture { tests: { insn: string; bytes: string; cases: { in: string[]; buf: string; out: string[]; bufOut: string; mask: number }[] }[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/native-mem.json', import.meta.url), 'utf8')) as Fixture;
const BUF = 0x7000;
const hex = (b: Uint8Array): string => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

describe('memory-operand instructions vs hardware', () => {
  const m = new TestMachine('long64');
  const s = m.cpu.s;
  const names = ['rax', 'rbx', 'rcx', 'rdx'];
  const regIdx = [0, 3, 1, 2];
  for (const t of fx.tests) {
    it(t.insn.replace('\n', '; '), () => {
      const code = Uint8Array.from([...t.bytes.match(/../g)!.map((h) => parseInt(h, 16)), 0xf4]);
      m.mem.load(CODE, code);
      m.cpu.notifyPhysWrite(CODE, code.length);
      const failures: string[] = [];
      for (const k of t.cases) {
        for (let r = 0; r < 4; r++) m.setReg(names[r], BigInt('0x' + k.in[r]));
        m.setReg('rsi', BigInt(BUF));
        m.setReg('rsp', 0x9000n);
        m.mem.load(BUF, Uint8Array.from(k.buf.match(/../g)!.map((h) => parseInt(h, 16))));
        s[RFLAGS] = parseInt(k.in[4], 16); s[CC_OP] = 0;
        s[RIP] = CODE; s[RIP + 1] = 0; s[HALTED] = 0;
        const exit = m.cpu.run(10);
        if (exit !== RunExit.Halted) { failures.push(`exit ${exit} ${m.cpu.lastExitMessage}`); continue; }
        const got = regIdx.map((g) => ((BigInt(s[GPR + g * 2 + 1]) << 32n) | BigInt(s[GPR + g * 2])).toString(16));
        const want = k.out.slice(0, 4).map((v) => BigInt('0x' + v).toString(16));
        const buf = hex(m.mem.u8.subarray(BUF, BUF + 64));
        const fGot = m.flags & k.mask, fWant = parseInt(k.out[4], 16) & k.mask;
        if (got.join() !== want.join() || fGot !== fWant || buf !== k.bufOut) {
          failures.push(`in ${k.in.join(' ')}: got ${got.join(' ')} fl ${fGot.toString(16)} buf ${buf}\n want ${want.join(' ')} fl ${fWant.toString(16)} buf ${k.bufOut}`);
        }
      }
      expect(m.exception).toBe(-1);
      expect(failures.slice(0, 3)).toEqual([]);
    });
  }
});
