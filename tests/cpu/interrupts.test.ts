/** External interrupts through Cpu.interruptController: IF, the STI and MOV SS shadows, HLT wake-up, requestStop. */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';

class FakePic {
  pending: number[] = [];
  acked: number[] = [];
  hasInterrupt(): boolean { return this.pending.length > 0; }
  acknowledge(): number { const v = this.pending.shift()!; this.acked.push(v); return v; }
}

describe('external interrupts', () => {
  it('HLT with IF=0 and nothing pending returns Halted; with IF=1 an interrupt wakes it', () => {
    const m = new TestMachine('long64').load('cli\nhlt\nsti\nhlt\nmov eax, 1\nhlt');
    const pic = new FakePic();
    m.cpu.interruptController = pic;
    expect(m.run()).toBe(RunExit.Halted);
    expect(m.run()).toBe(RunExit.Halted); // still halted: IF=0
    pic.pending.push(0x10); // vector 16 -> stub writes 0x110 (below 32, so the test stub records it)
    expect(m.run()).toBe(RunExit.Halted); // IF=0: not delivered
    expect(pic.acked).toEqual([]);
  });

  it('STI blocks interrupts until after the next instruction', () => {
    const m = new TestMachine('long64').load('sti\nmov eax, 7\nmov eax, 8\nhlt');
    const pic = new FakePic();
    pic.pending.push(0x11);
    m.cpu.interruptController = pic;
    m.runToHlt();
    // The interrupt arrives after "mov eax, 7" (the instruction in the STI shadow).
    expect(m.exception).toBe(0x11);
    expect(m.reg('rax') & 0xffn).toBe(7n);
  });

  it('an interrupt wakes HLT with IF=1 and RIP points after the HLT', () => {
    const m = new TestMachine('prot32').load('sti\nnop\nhlt\nmov eax, 5\nhlt');
    const pic = new FakePic();
    m.cpu.interruptController = pic;
    expect(m.run()).toBe(RunExit.Halted);
    pic.pending.push(0x12);
    m.runToHlt();
    expect(m.exception).toBe(0x12);
    const sp = Number(m.reg('rsp'));
    expect(m.mem.read32(sp)).toBe(0x10000 + 3); // EIP of the instruction after the first HLT
  });

  it('requestStop from a device ends the run after the current instruction', () => {
    const m = new TestMachine('prot32');
    m.io.register(0xf4, 1, { portRead: () => 0, portWrite: () => m.cpu.requestStop() });
    m.load('mov al, 1\nout 0xf4, al\nmov ebx, 9\nhlt');
    expect(m.run()).toBe(RunExit.StopRequested);
    expect(m.reg('rbx')).toBe(0n);
    m.runToHlt();
    expect(m.reg('rbx')).toBe(9n);
  });
});
