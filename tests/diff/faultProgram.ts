// What tests/baremetal/faults.asm must print on a correct x86 CPU (SDM vol. 3
// ch. 6.15 for vectors and error codes), without the RIP column.
import type { Mode } from './build.ts';

export function expectedFaultLines(mode: Mode): string[] {
  const w = mode === 64 ? 16 : 8;
  const err = (v: number) => ` err=${v.toString(16).padStart(w, '0')}`;
  const cr2 = (v: number) => ` cr2=${v.toString(16).padStart(w, '0')}`;
  const lines: string[] = [];
  const exc = (vec: number, rest: string) => lines.push(`EXC ${vec.toString(16).padStart(2, '0')}${rest}`, 'resumed');
  exc(0x00, ' err=-'); // DIV by zero
  exc(0x00, ' err=-'); // IDIV overflow
  exc(0x00, ' err=-'); // 8-bit DIV overflow
  exc(0x06, ' err=-'); // UD2
  exc(0x06, ' err=-'); // LOCK on a register operand
  exc(0x03, ' err=-'); // INT3
  exc(0x0d, err(0x1230)); // selector beyond the GDT limit
  if (mode === 32) exc(0x0d, err(0x40 * 8 + 2)); // INT 0x40 beyond the IDT limit
  exc(0x0d, err(0x08)); // code segment loaded into SS
  if (mode === 64) {
    exc(0x0d, err(0)); // non-canonical address
    exc(0x0e, err(0x0) + cr2(0x40001234)); // read, not present
    exc(0x0e, err(0x2) + cr2(0x40203000)); // write, not present
    exc(0x0e, err(0x3) + cr2(0x3fe00008)); // write, read-only page, CR0.WP
    exc(0x0e, err(0x11) + cr2(0x3fc00000)); // instruction fetch, NX page
  }
  lines.push('faults done');
  return lines;
}
