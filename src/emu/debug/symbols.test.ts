import { describe, expect, it } from 'vitest';
import { formatSymbol, SymbolTable } from './symbols.ts';

const MAP = `0000000000000000 D __per_cpu_start
ffffffff81000000 T _text
ffffffff81000000 T startup_64
ffffffff81000070 T secondary_startup_64
ffffffff81001000 t do_one_initcall
this line is garbage
ffffffff81a00000 D init_task
0000000000001000 a absolute_thing
ffffffffff600000 T __vsyscall_page
`;

describe('SymbolTable', () => {
  const { table, skipped } = SymbolTable.parseSystemMap(MAP);

  it('names an address as symbol+offset, using the nearest symbol below it', () => {
    expect(skipped).toBe(1);
    expect(formatSymbol(table.lookup(0xffffffff, 0x81000074)!)).toBe('<secondary_startup_64+0x4>');
    expect(formatSymbol(table.lookup(0xffffffff, 0x81001000)!)).toBe('<do_one_initcall>');
    expect(table.lookup(0xffffffff, 0xff600010)?.name).toBe('__vsyscall_page');
  });

  it('does not name addresses far past the last symbol or below the first, and skips absolute symbols', () => {
    expect(table.lookup(0xffffffff, 0x80ffffff)).toBeNull();
    expect(table.lookup(0xffffffff, 0x81a00000 + 0x20000)).toBeNull();
    expect(table.addressOf('absolute_thing')).toBeNull();
    expect(table.addressOf('init_task')).toEqual([0xffffffff, 0x81a00000]);
  });

  it('refuses a file that is not a System.map', () => {
    expect(() => SymbolTable.parseSystemMap('\x7fELF binary junk\n')).toThrow(/not a System.map/);
  });
});
