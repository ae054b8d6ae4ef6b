import { describe, expect, it } from 'vitest';
import { createMachine } from './machine.ts';

/** A Multiboot a.out-kludge image loaded at 1 MiB: the header, then `code` at 0x100020,
 *  then zeroed bss up to 0x101000. */
function image(code: number[]): Uint8Array {
  const words = [0x1badb002, 0x10002, (-(0x1badb002 + 0x10002)) >>> 0, 0x100000, 0x100000, 0, 0x101000, 0x100020];
  const b = new Uint8Array(32 + code.length);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  b.set(code, 32);
  return b;
}

const SERIAL_HI_EXIT_21 = [
  0x66, 0xba, 0xf8, 0x03, // mov dx, 0x3f8
  0xb0, 0x68, 0xee, // mov al, 'h'; out dx, al
  0xb0, 0x69, 0xee, // mov al, 'i'; out dx, al
  0xb8, 0x21, 0x00, 0x00, 0x00, // mov eax, 0x21
  0xe7, 0xf4, // out 0xf4, eax
  0xf4, // hlt (not reached)
];

describe('Machine', () => {
  it('runs a Multiboot program: serial bytes reach the callback, debug-exit ends the run', () => {
    const out: number[] = [];
    const m = createMachine({ memMiB: 4, onSerial: (b) => out.push(b) });
    const load = m.loadMultiboot(image(SERIAL_HI_EXIT_21));
    expect(load.entry).toBe(0x100020);
    const r = m.run({ maxInstructions: 1000 });
    expect(r).toMatchObject({ reason: 'exit', exitCode: 0x43 });
    expect(String.fromCharCode(...out)).toBe('hi');
    expect(r.instructions).toBe(7); // the OUT to 0xf4 retires before the machine stops
  });

  it('reports a halt with interrupts off', () => {
    const m = createMachine({ memMiB: 4 });
    m.loadMultiboot(image([0xfa, 0xf4])); // cli; hlt
    expect(m.run({ maxInstructions: 1000 }).reason).toBe('halted');
  });

  it('stops at the instruction budget, across slices', () => {
    const m = createMachine({ memMiB: 4 });
    m.loadMultiboot(image([0xeb, 0xfe])); // jmp $
    const r = m.run({ maxInstructions: 10_000, sliceSize: 999 });
    expect(r.reason).toBe('budget');
    expect(r.instructions).toBe(10_000);
  });

  it('reports a triple fault with the CPU message', () => {
    const m = createMachine({ memMiB: 4 });
    // lidt [0x100100] (a zero IDT limit from bss), then ud2: #UD -> #GP -> #DF -> triple fault.
    m.loadMultiboot(image([0x0f, 0x01, 0x1d, 0x00, 0x01, 0x10, 0x00, 0x0f, 0x0b]));
    const r = m.run({ maxInstructions: 1000 });
    expect(r.reason).toBe('triple-fault');
    expect(r.message).toMatch(/triple fault/);
  });

  it('rejects bad memory sizes and bad images with clear errors', () => {
    expect(() => createMachine({ memMiB: 0 })).toThrow(/memory size/);
    const m = createMachine({ memMiB: 4 });
    expect(() => m.loadMultiboot(new Uint8Array(100))).toThrow(/no Multiboot header/);
  });
});
