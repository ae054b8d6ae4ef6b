/**
 * Debug-register breakpoints against SDM Vol. 3B 18.2-18.3: instruction breakpoints
 * (fault-class #DB, DR6.Bn, RF), DR7.GD general detect, RF in saved fault frames.
 */
import { describe, expect, it } from 'vitest';
import { CODE, TestMachine, assemble } from './testMachine.ts';
import { CR4, DR, DR6, DR7, GPR } from '../../src/emu/cpu/state/layout.ts';

const RF = 1 << 16;
/** A #DB handler: counts hits in R9, saves DR6 and the saved RFLAGS, sets RF in the frame, IRETQ. */
const HANDLER = 0x6000, SAVED_DR6 = 0x700, SAVED_FLAGS = 0x708;

function withDbHandler(m: TestMachine, setRf = true): TestMachine {
  const src = `inc r9\nmov r8, dr6\nmov [${SAVED_DR6}], r8\nmov r8, [rsp+16]\nmov [${SAVED_FLAGS}], r8\n`
    + (setRf ? 'or qword [rsp+16], 0x10000\n' : '') + 'iretq\n';
  m.mem.load(HANDLER, assemble(src, 64, HANDLER));
  m.mem.write32(0x1000 + 16, (0x08 << 16) | (HANDLER & 0xffff)); // IDT[1] (testMachine's IDT at 0x1000)
  m.mem.write32(0x1000 + 20, (HANDLER & 0xffff0000) | 0x8e00);
  return m;
}

/** Code label offsets: assemble the prefix to learn where `bp:` lands. */
function addrAfter(prefix: string): number {
  return CODE + assemble(prefix, 64, CODE).length;
}

describe('instruction breakpoints', () => {
  const setup = (dr7: number, n = 0) => `mov rax, BP\nmov dr${n}, rax\nmov eax, ${dr7}\nmov dr7, rax\n`;

  it('raise #DB before the instruction runs, with DR6.Bn and the saved RIP at the instruction', () => {
    const pre = setup(0x401).replace('BP', '0x0');
    const bp = addrAfter(pre);
    const m = new TestMachine('long64').load(`${setup(0x401).replace('BP', String(bp))}mov ebx, 7\nhlt`);
    m.runToHlt();
    expect(m.exception).toBe(1);
    expect(m.reg('rbx')).toBe(0n); // fault-class: MOV EBX did not run
    expect(m.cpu.s[DR6] & 0xf).toBe(1);
    const sp = m.cpu.s[GPR + 8];
    expect(m.mem.read32(sp)).toBe(bp);
    expect(m.mem.read32(sp + 16) & RF).toBe(0); // an instruction-breakpoint #DB saves RF as it was
  });

  it('honour L and G enables and ignore data-type breakpoints at the instruction address', () => {
    for (const [dr7, hit] of [[0x400 | 0x02, true], [0x400 | (0x08 << 0), false], [0x400 | 0x01 | (1 << 16), false]] as const) {
      // 0x08 is G1 (DR1 unset); R/W0=01 makes DR0 a write breakpoint.
      const pre = setup(dr7).replace('BP', '0x0');
      const bp = addrAfter(pre);
      const m = new TestMachine('long64').load(`${setup(dr7).replace('BP', String(bp))}mov ebx, 7\nhlt`).runToHlt();
      expect(m.exception, dr7.toString(16)).toBe(hit ? 1 : -1);
    }
  });

  it('set B bits of every matching breakpoint, the disabled ones too, and clear the others', () => {
    const pre = `mov rax, BP\nmov dr0, rax\nmov dr2, rax\nmov rax, 0x5000\nmov dr1, rax\nmov eax, 0x410\nmov dr7, rax\n`;
    const bp = addrAfter(pre.replace('BP', '0x0'));
    const m = new TestMachine('long64').load(`${pre.replace('BP', String(bp))}nop\nhlt`);
    m.cpu.s[DR6] = 0xffff0ff0 | 0x2; // stale B1
    m.runToHlt();
    expect(m.exception).toBe(1);
    expect(m.cpu.s[DR6] & 0xf).toBe(0b0101); // B2 enabled and B0 matched; B1 cleared
  });

  it('RF set in the frame by the handler lets the instruction run once after IRETQ', () => {
    const pre = setup(0x401).replace('BP', '0x0');
    const bp = addrAfter(pre);
    const m = withDbHandler(new TestMachine('long64')).load(`${setup(0x401).replace('BP', String(bp))}inc rbx\nnop\nhlt`);
    m.runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.reg('r9')).toBe(1n);
    expect(m.reg('rbx')).toBe(1n);
    expect(m.mem.read32(SAVED_DR6) & 0xf).toBe(1);
    expect(m.flags & RF).toBe(0); // cleared by the instruction after IRETQ
  });

  it('without RF the breakpoint fires again on every return', () => {
    const pre = setup(0x401).replace('BP', '0x0');
    const bp = addrAfter(pre);
    const m = withDbHandler(new TestMachine('long64'), false).load(`${setup(0x401).replace('BP', String(bp))}inc rbx\nhlt`);
    m.run(10_000);
    expect(m.reg('rbx')).toBe(0n);
    expect(m.reg('r9')).toBeGreaterThan(100n);
  });

  it('hit on every pass through a hot loop (blocks stay off while DR7 enables a breakpoint)', () => {
    // The loop first runs 1000 times with the breakpoint disabled (blocks), then 1000 times enabled.
    const body = (bp: number) => `mov rax, ${bp}\nmov dr0, rax\nxor ecx, ecx\nmov edx, 2\n`
      + 'outer: mov esi, 1000\nloop: add ebx, 1\n';
    const head = body(0x10000000);
    const target = addrAfter(head) - assemble('add ebx, 1', 64, 0).length;
    const src = `${body(target)}dec esi\njnz loop\nmov eax, 0x401\nmov dr7, rax\ndec edx\njnz outer\nhlt`;
    const m = withDbHandler(new TestMachine('long64')).load(src);
    m.runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.reg('rbx')).toBe(2000n);
    expect(m.reg('r9')).toBe(1000n); // one #DB per iteration of the second pass
  });

  it('compare CS.base + EIP in protected mode', () => {
    const pre = 'mov eax, BP\nmov dr3, eax\nmov eax, 0x440\nmov dr7, eax\n';
    const bp = CODE + assemble(pre.replace('BP', '0x0'), 32, CODE).length;
    const m = new TestMachine('prot32').load(`${pre.replace('BP', String(bp))}mov ebx, 7\nhlt`).runToHlt();
    expect(m.exception).toBe(1);
    expect(m.reg('rbx')).toBe(0n);
    expect(m.cpu.s[DR6] & 0xf).toBe(8);
  });
});

describe('DR7.GD and RF in fault frames', () => {
  it('GD: MOV from DR0 raises a fault-class #DB with DR6.BD, and the handler entry clears GD', () => {
    const m = new TestMachine('long64').load('mov eax, 0x2400\nmov dr7, rax\nmov rbx, dr0\nhlt');
    m.cpu.s[DR] = 0x1234;
    m.runToHlt();
    expect(m.exception).toBe(1);
    expect(m.reg('rbx')).toBe(0n);
    expect(m.cpu.s[DR6] & (1 << 13)).not.toBe(0);
    expect(m.cpu.s[DR7] & (1 << 13)).toBe(0);
    const sp = m.cpu.s[GPR + 8];
    expect(m.mem.read32(sp)).toBe(addrAfter('mov eax, 0x2400\nmov dr7, rax'));
    expect(m.mem.read32(sp + 16) & RF).not.toBe(0); // a fault other than an instruction breakpoint saves RF=1
  });

  it('a #PF frame carries RF=1 while RFLAGS.RF is clear in the handler', () => {
    const m = new TestMachine('long64').load('mov rax, 0x40001234\nmov byte [rax], 1\nhlt').runToHlt();
    expect(m.exception).toBe(14);
    const sp = m.cpu.s[GPR + 8];
    expect(m.mem.read32(sp + 24) & RF).not.toBe(0); // [err, rip, cs, rflags]
    expect(m.flags & RF).toBe(0);
  });

  it('a breakpoint on an instruction that faults: #DB first, then with RF the #PF (which saves RF=1)', () => {
    const pre = 'mov rax, BP\nmov dr0, rax\nmov eax, 0x401\nmov dr7, rax\nmov rax, 0x40001234\n';
    const bp = addrAfter(pre.replace('BP', '0x0'));
    const m = withDbHandler(new TestMachine('long64')).load(`${pre.replace('BP', String(bp))}mov byte [rax], 1\nhlt`);
    m.runToHlt();
    expect(m.reg('r9')).toBe(1n);
    expect(m.exception).toBe(14);
  });
});

describe('data breakpoints', () => {
  // DR1 write breakpoint of 4 bytes: L1, R/W1=01, LEN1=11.
  const W4 = 0x400 | 0x4 | (1 << 20) | (3 << 22);
  const RW1 = 0x400 | 0x4 | (3 << 20); // DR1 read/write, 1 byte

  it('a write traps after the instruction: the store is done, saved RIP follows it, DR6.B1', () => {
    const pre = `mov rax, 0x5004\nmov dr1, rax\nmov eax, ${W4}\nmov dr7, rax\nmov dword [0x5004], 0x1234\n`;
    const m = new TestMachine('long64').load(`${pre}mov ebx, 7\nhlt`).runToHlt();
    expect(m.exception).toBe(1);
    expect(m.mem.read32(0x5004)).toBe(0x1234);
    expect(m.reg('rbx')).toBe(0n);
    expect(m.cpu.s[DR6] & 0xf).toBe(2);
    expect(m.mem.read32(m.cpu.s[GPR + 8])).toBe(addrAfter(pre));
  });

  it('LEN masks the address (aligned range); R/W=01 ignores reads, R/W=11 sees them', () => {
    const run = (dr: number, dr7: number, access: string): number => new TestMachine('long64')
      .load(`mov rax, ${dr}\nmov dr1, rax\nmov eax, ${dr7}\nmov dr7, rax\n${access}\nhlt`).runToHlt().exception;
    expect(run(0x5006, W4, 'mov byte [0x5005], 1')).toBe(1); // 0x5006 & ~3 = 0x5004 covers 0x5005
    expect(run(0x5006, W4, 'mov byte [0x5008], 1')).toBe(-1);
    expect(run(0x5006, W4, 'mov qword [0x5000], 1')).toBe(1); // overlap of an 8-byte store
    expect(run(0x5004, W4, 'mov eax, [0x5004]')).toBe(-1);
    expect(run(0x5004, RW1, 'mov eax, [0x5004]')).toBe(1);
    expect(run(0x5004, RW1, 'add dword [0x5002], 1')).toBe(1);
  });

  it('hit in a hot loop after many iterations, once, then the loop completes', () => {
    const src = `mov rax, ${0x5000 + 4 * 700}\nmov dr1, rax\nmov eax, ${W4}\nmov dr7, rax\n`
      + 'mov edi, 0x5000\nmov esi, 1000\nl: mov [rdi], esi\nadd rdi, 4\ndec esi\njnz l\nhlt';
    const m = withDbHandler(new TestMachine('long64')).load(src).runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.reg('r9')).toBe(1n);
    expect(m.mem.read32(SAVED_DR6) & 0xf).toBe(2);
    expect(m.mem.read32(0x5000 + 4 * 999)).toBe(1);
  });

  it('REP STOSD traps after the iteration that hits, resumes with RF=1 saved, and finishes', () => {
    const pre = `mov rax, 0x5100\nmov dr1, rax\nmov eax, ${W4}\nmov dr7, rax\nmov edi, 0x5000\nmov ecx, 100\nmov eax, 0xabcd\n`;
    const m = withDbHandler(new TestMachine('long64')).load(`${pre}rep stosd\nhlt`).runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.reg('r9')).toBe(1n);
    expect(m.reg('rcx')).toBe(0n);
    expect(m.mem.read32(SAVED_FLAGS) & RF).not.toBe(0);
    expect(m.mem.read32(0x5000 + 4 * 99)).toBe(0xabcd);
  });

  it('I/O breakpoints (R/W=10) trap after IN/OUT only while CR4.DE=1, over the LEN-masked port range', () => {
    const IO2 = 0x400 | 0x4 | (2 << 20) | (1 << 22); // DR1: I/O, 2 bytes
    const run = (de: boolean, access: string): number => {
      const m = new TestMachine('long64')
        .load(`mov eax, 0x71\nmov dr1, rax\nmov eax, ${IO2}\nmov dr7, rax\nmov dx, 0x80\n${access}\nhlt`);
      if (de) m.cpu.s[CR4] |= 1 << 3; else m.cpu.s[CR4] &= ~(1 << 3);
      return m.runToHlt().exception;
    };
    expect(run(true, 'out 0x70, al')).toBe(1); // 0x71 & ~1 = 0x70
    expect(run(true, 'in al, 0x72')).toBe(-1);
    expect(run(true, 'in eax, 0x6e')).toBe(1); // 0x6e-0x71 overlaps
    expect(run(false, 'out 0x70, al')).toBe(-1);
  });
});
