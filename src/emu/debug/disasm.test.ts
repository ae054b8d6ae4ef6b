import * as iced from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { Disassembler } from './disasm.ts';
import { SymbolTable } from './symbols.ts';

const dis = new Disassembler(iced);
const { table: symbols } = SymbolTable.parseSystemMap(
  'ffffffff81000000 T startup_64\nffffffff81000008 T secondary_startup_64\n',
);

// mov rbp, rsp ; call +0 ; ud2 ; a lone REX prefix (truncated instruction)
const code = new Uint8Array([0x48, 0x89, 0xe5, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x0b, 0x48]);

describe('Disassembler', () => {
  it('disassembles 64-bit code in Intel and AT&T syntax with lengths, bytes and addresses', () => {
    const intel = dis.disassemble(code, 0xffffffff81000000n, 64, 10, { syntax: 'intel' });
    expect(intel.map((l) => l.text.replace(/\s+/g, ' '))).toEqual(['mov rbp, rsp', 'call 0xffffffff81000008', 'ud2', '(bad)']);
    expect(intel.map((l) => l.length)).toEqual([3, 5, 2, 1]);
    expect(intel[1].bytes).toBe('e8 00 00 00 00');
    expect(intel[2].address).toBe(0xffffffff81000008n);
    expect(intel[3].invalid).toBe(true);
    const att = dis.disassemble(code, 0xffffffff81000000n, 64, 1, { syntax: 'att' });
    expect(att[0].text.replace(/\s+/g, ' ')).toBe('mov %rsp, %rbp');
  });

  it('names addresses and branch targets from a System.map', () => {
    const lines = dis.disassemble(code, 0xffffffff81000000n, 64, 3, { syntax: 'intel', symbols });
    expect(lines[0].symbol).toBe('<startup_64>');
    expect(lines[1].symbol).toBe('<startup_64+0x3>');
    expect(lines[1].branchTarget).toBe(0xffffffff81000008n);
    expect(lines[1].text).toContain('<secondary_startup_64>');
  });

  it('decodes the same bytes differently by mode, as the CPU would', () => {
    // 48 89 e5 in 32-bit mode is DEC EAX; MOV EBP, ESP.
    const lines = dis.disassemble(code.subarray(0, 3), 0x1000n, 32, 5, { syntax: 'intel' });
    expect(lines.map((l) => l.text.replace(/\s+/g, ' '))).toEqual(['dec eax', 'mov ebp, esp']);
    const real = dis.disassemble(new Uint8Array([0xb8, 0x34, 0x12]), 0x7c00n, 16, 1, { syntax: 'intel' });
    expect(real[0].text.replace(/\s+/g, ' ')).toBe('mov ax, 0x1234');
  });
});
