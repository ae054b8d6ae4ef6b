/**
 * Integer instructions against results recorded on real hardware
 * (fixtures/native-alu.json, made by fixtures/genNative.ts): registers must
 * match exactly, flags wherever the SDM defines them for the case.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CODE, TestMachine } from './testMachine.ts';
import { CC_OP, GPR, HALTED, RFLAGS, RIP } from '../../src/emu/cpu/state/layout.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';

interface Fixture { tests: { insn: string; bytes: string; cases: { in: string[]; out: string[]; mask: number }[] }[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/native-alu.json', import.meta.url), 'utf8')) as Fixture;

describe('integer instructions vs hardware', () => {
  const m = new TestMachine('long64');
  const s = m.cpu.s;
  const names = ['rax', 'rbx', 'rcx', 'rdx'];
  const regIdx = [0, 3, 1, 2];
  for (const t of fx.tests) {
    it(t.insn, () => {
      const code = Uint8Array.from([...t.bytes.match(/../g)!.map((h) => parseInt(h, 16)), 0xf4]);
      m.mem.load(CODE, code);
      m.cpu.notifyPhysWrite(CODE, code.length);
      const failures: string[] = [];
      for (const k of t.cases) {
        for (let r = 0; r < 4; r++) m.setReg(names[r], BigInt('0x' + k.in[r]));
        s[RFLAGS] = parseInt(k.in[4], 16); s[CC_OP] = 0;
        s[RIP] = CODE; s[RIP + 1] = 0; s[HALTED] = 0;
        const exit = m.cpu.run(10);
        if (exit !== RunExit.Halted) { failures.push(`exit ${exit} ${m.cpu.lastExitMessage}`); continue; }
        const got = regIdx.map((g) => ((BigInt(s[GPR + g * 2 + 1]) << 32n) | BigInt(s[GPR + g * 2])).toString(16));
        const want = k.out.slice(0, 4).map((v) => BigInt('0x' + v).toString(16));
        const fGot = m.flags & k.mask, fWant = parseInt(k.out[4], 16) & k.mask;
        if (got.join() !== want.join() || fGot !== fWant) {
          failures.push(`in ${k.in.join(' ')}: got ${got.join(' ')} fl ${fGot.toString(16)}, want ${want.join(' ')} fl ${fWant.toString(16)} (mask ${k.mask.toString(16)})`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }
});
