import { describe, expect, it } from 'vitest';
import { I8042, STR_AUXDATA, STR_CMD, STR_KEYLOCK, STR_OBF, STR_SYS, STR_TIMEOUT } from './i8042.ts';
import { IoBus } from './ioBus.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

function setup() {
  const lines: Record<number, number> = {};
  const log: string[] = [];
  const kbc = new I8042({ setIrq: (l, v) => { lines[l] = v; } }, {
    reset: () => log.push('reset'),
    setA20: (on) => log.push(`a20=${on}`),
  });
  const bus = new IoBus();
  bus.register(0x60, 1, kbc);
  bus.register(0x64, 1, kbc);
  /** i8042_command(): command, optional parameter bytes, then read `nreply` bytes (each must be ready). */
  const command = (cmd: number, params: number[] = [], nreply = 0) => {
    expect(bus.read(0x64, 1) & 0x02).toBe(0); // IBF clear before writing
    bus.write(0x64, 1, cmd);
    for (const p of params) bus.write(0x60, 1, p);
    const out: number[] = [];
    for (let i = 0; i < nreply; i++) {
      expect(bus.read(0x64, 1) & STR_OBF).toBe(STR_OBF);
      out.push(bus.read(0x60, 1));
    }
    return out;
  };
  /** Bytes from the keyboard after writing `v` to port 0x60. */
  const kbdWrite = (v: number) => {
    bus.write(0x60, 1, v);
    const out: number[] = [];
    while (bus.read(0x64, 1) & STR_OBF) out.push(bus.read(0x60, 1));
    return out;
  };
  return { kbc, bus, lines, log, command, kbdWrite };
}

describe('i8042 keyboard controller', () => {
  it('passes Linux i8042 probe: flush, stable CTR, self-test, CTR write, AUX loopback and bit tests', () => {
    const { bus, command } = setup();
    let n = 0;
    while (bus.read(0x64, 1) & STR_OBF && n++ < 16) bus.read(0x60, 1); // i8042_flush
    const st = bus.read(0x64, 1);
    expect(st & (STR_SYS | STR_KEYLOCK)).toBe(STR_SYS | STR_KEYLOCK); // not keylocked
    const [ctr1] = command(0x20, [], 1);
    const [ctr2] = command(0x20, [], 1);
    expect(ctr1).toBe(ctr2);
    expect(command(0xaa, [], 1)).toEqual([0x55]);
    const ctr = (ctr1 | 0x10) & ~0x01; // KBDDIS, no KBDINT
    command(0x60, [ctr]);
    expect(command(0x20, [], 1)).toEqual([ctr]);
    // i8042_check_aux: loopback must come back as AUX data
    bus.write(0x64, 1, 0xd3);
    bus.write(0x60, 1, 0x5a);
    expect(bus.read(0x64, 1) & (STR_OBF | STR_AUXDATA)).toBe(STR_OBF | STR_AUXDATA);
    expect(bus.read(0x60, 1)).toBe(0x5a);
    command(0xa7);
    expect(command(0x20, [], 1)[0] & 0x20).toBe(0x20);
    command(0xa8);
    expect(command(0x20, [], 1)[0] & 0x20).toBe(0);
    expect(command(0xab, [], 1)).toEqual([0x00]);
    expect(command(0xa9, [], 1)).toEqual([0x00]);
  });

  it('keyboard answers reset with FA AA, identify with FA AB 41 (translated), parameters with FA', () => {
    const { kbdWrite, command } = setup();
    expect(kbdWrite(0xff)).toEqual([0xfa, 0xaa]);
    expect(kbdWrite(0xf2)).toEqual([0xfa, 0xab, 0x41]);
    expect(kbdWrite(0xed)).toEqual([0xfa]);
    expect(kbdWrite(0x00)).toEqual([0xfa]);
    expect(kbdWrite(0xf3)).toEqual([0xfa]);
    expect(kbdWrite(0x20)).toEqual([0xfa]);
    expect(kbdWrite(0xf4)).toEqual([0xfa]);
    expect(kbdWrite(0xee)).toEqual([0xee]);
    expect(kbdWrite(0xf0)).toEqual([0xfa]);
    expect(kbdWrite(0x00)).toEqual([0xfa, 0x41]);
    command(0x60, [0x01]); // translation off
    expect(kbdWrite(0xf2)).toEqual([0xfa, 0xab, 0x83]);
  });

  it('IRQ1 follows a full output buffer with keyboard data while KBDINT is set; reading releases it', () => {
    const { bus, kbc, lines, command } = setup();
    kbc.keyboardInput(0x1e);
    expect(lines[1]).toBe(1);
    expect(bus.read(0x60, 1)).toBe(0x1e);
    expect(lines[1]).toBe(0);
    command(0x60, [0x04]); // interrupts off
    kbc.keyboardInput(0x9e);
    expect(lines[1]).toBe(0);
    expect(bus.read(0x64, 1) & STR_OBF).toBe(STR_OBF);
  });

  it('IRQ12 for aux data when AUXINT is set; writes to the absent mouse time out with FE', () => {
    const { bus, lines, command } = setup();
    command(0x60, [0x47 & ~0x20 | 0x02]);
    bus.write(0x64, 1, 0xd3);
    bus.write(0x60, 1, 0xa5);
    expect(lines[12]).toBe(1);
    expect(lines[1] ?? 0).toBe(0);
    bus.read(0x60, 1);
    expect(lines[12]).toBe(0);
    bus.write(0x64, 1, 0xd4);
    bus.write(0x60, 1, 0xff);
    expect(bus.read(0x64, 1) & (STR_OBF | STR_AUXDATA | STR_TIMEOUT)).toBe(STR_OBF | STR_AUXDATA | STR_TIMEOUT);
    expect(bus.read(0x60, 1)).toBe(0xfe);
  });

  it('a disabled keyboard interface holds keyboard bytes until enabled', () => {
    const { bus, kbc, command } = setup();
    command(0xad);
    kbc.keyboardInput(0x1c);
    expect(bus.read(0x64, 1) & STR_OBF).toBe(0);
    command(0xae);
    expect(bus.read(0x60, 1)).toBe(0x1c);
  });

  it('0xFE pulses reset; 0xD1 drives A20 and resets when bit 0 is 0; 0xD0 reads the output port', () => {
    const { log, command, kbc } = setup();
    command(0xfe);
    expect(log).toEqual(['reset']);
    command(0xd1, [0xdd]); // A20 off, reset line high
    expect(log).toEqual(['reset', 'a20=false']);
    expect(kbc.a20).toBe(false);
    expect(command(0xd0, [], 1)[0] & 0x03).toBe(0x01);
    command(0xd1, [0xdf]);
    expect(log.at(-1)).toBe('a20=true');
    command(0xd1, [0xde]);
    expect(log.at(-1)).toBe('reset');
    command(0xff); // pulse nothing
    expect(log.length).toBe(4);
  });

  it('status tracks command/data writes and SYS from the command byte', () => {
    const { bus, command } = setup();
    command(0x20, [], 1);
    expect(bus.read(0x64, 1) & STR_CMD).toBe(STR_CMD);
    command(0x60, [0x00]);
    expect(bus.read(0x64, 1) & (STR_CMD | STR_SYS)).toBe(0);
  });

  it('saves and restores including queued bytes', () => {
    const a = setup();
    a.bus.write(0x60, 1, 0xff);
    const b = setup();
    b.kbc.loadState(a.kbc.saveState());
    expect([b.bus.read(0x60, 1), b.bus.read(0x60, 1)]).toEqual([0xfa, 0xaa]);
    expect(uncoveredFields(a.kbc, I8042.STATE)).toEqual([]);
  });
});
