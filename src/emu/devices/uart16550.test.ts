import { describe, expect, it } from 'vitest';
import { IoBus } from './ioBus.ts';
import {
  COM1_PORT, FCR_ENABLE, IER_EDSSI, IER_ELSI, IER_ERBFI, IER_ETBEI, IIR_CTI, IIR_MSI, IIR_NO_INT, IIR_RDI,
  IIR_RLSI, IIR_THRI, LCR_DLAB, LSR_DR, LSR_OE, LSR_TEMT, LSR_THRE, MCR_DTR, MCR_LOOP, MCR_OUT1, MCR_OUT2,
  MCR_RTS, MSR_CTS, MSR_DCD, MSR_DCTS, MSR_DDSR, MSR_DSR, MSR_RI, MSR_TERI, Uart16550,
} from './uart16550.ts';

const B = COM1_PORT;
const THR = B, IER = B + 1, IIR = B + 2, FCR = B + 2, LCR = B + 3, MCR = B + 4, LSR = B + 5, MSR = B + 6, SCR = B + 7;

function setup() {
  const io = new IoBus();
  const tx: number[] = [];
  const irq: boolean[] = [];
  const uart = new Uart16550({ onTransmit: (b) => tx.push(b), onIrq: (l) => irq.push(l) });
  uart.attach(io);
  const r = (p: number) => io.read(p, 1);
  const w = (p: number, v: number) => io.write(p, 1, v);
  return { io, uart, tx, irq, r, w };
}

describe('Uart16550', () => {
  it('comes out of reset idle: THR and transmitter empty, no interrupt, FIFOs off', () => {
    const { r } = setup();
    expect(r(LSR)).toBe(LSR_THRE | LSR_TEMT);
    expect(r(IIR)).toBe(IIR_NO_INT);
    expect(r(IER)).toBe(0);
  });

  it('sends THR writes to the sink and keeps THRE/TEMT set', () => {
    const { w, r, tx } = setup();
    for (const c of 'hi\n') w(THR, c.charCodeAt(0));
    expect(String.fromCharCode(...tx)).toBe('hi\n');
    expect(r(LSR) & (LSR_THRE | LSR_TEMT)).toBe(LSR_THRE | LSR_TEMT);
  });

  it('keeps the divisor latch behind DLAB, separate from THR/IER', () => {
    const { w, r, tx } = setup();
    w(IER, 0x05);
    w(LCR, LCR_DLAB | 0x03);
    w(THR, 0x01); // DLL
    w(IER, 0x02); // DLM
    expect(r(THR)).toBe(0x01);
    expect(r(IER)).toBe(0x02);
    expect(tx).toEqual([]); // a DLL write is not a transmission
    w(LCR, 0x03);
    expect(r(IER)).toBe(0x05);
    expect(r(LCR)).toBe(0x03);
  });

  it('has a scratch register that holds any byte', () => {
    const { w, r } = setup();
    for (const v of [0x00, 0x55, 0xaa, 0xff]) { w(SCR, v); expect(r(SCR)).toBe(v); }
  });

  it('sets DR while data waits and delivers bytes in order through the 16-byte FIFO', () => {
    const { w, r, uart } = setup();
    w(FCR, FCR_ENABLE);
    expect(r(IIR) & 0xc0).toBe(0xc0); // FIFOs enabled
    for (let i = 0; i < 16; i++) expect(uart.receive(0x40 + i)).toBe(true);
    expect(uart.receive(0x99)).toBe(false); // 17th byte overruns
    expect(r(LSR) & (LSR_DR | LSR_OE)).toBe(LSR_DR | LSR_OE);
    expect(r(LSR) & LSR_OE).toBe(0); // OE clears on LSR read
    const got: number[] = [];
    while (r(LSR) & LSR_DR) got.push(r(THR));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => 0x40 + i));
  });

  it('without FIFOs holds one byte and overwrites it on overrun', () => {
    const { r, uart } = setup();
    uart.receive(1);
    uart.receive(2);
    expect(r(LSR) & (LSR_DR | LSR_OE)).toBe(LSR_DR | LSR_OE);
    expect(r(THR)).toBe(2);
    expect(r(LSR) & LSR_DR).toBe(0);
  });

  it('FCR clears the RX FIFO', () => {
    const { w, r, uart } = setup();
    w(FCR, FCR_ENABLE);
    uart.receive(1); uart.receive(2);
    w(FCR, FCR_ENABLE | 0x02);
    expect(r(LSR) & LSR_DR).toBe(0);
    expect(uart.rxCount).toBe(0);
  });

  it('reports interrupts in IIR priority order: line status > RX data > THRE > modem status', () => {
    const { w, r, uart } = setup();
    w(MCR, MCR_OUT2);
    r(MSR); // drop deltas from the MCR write
    w(IER, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI);
    expect(r(IIR)).toBe(IIR_THRI); // enabling ETBEI with THR empty raises THRE at once
    expect(r(IIR)).toBe(IIR_NO_INT); // ...and reading IIR acknowledged it
    w(THR, 0x41); // THR empties again: THRE pending
    uart.receive(1); uart.receive(2); // overrun without FIFO
    expect(r(IIR)).toBe(IIR_RLSI);
    expect(r(IIR)).toBe(IIR_RLSI); // reading IIR does not clear line status
    r(LSR);
    expect(r(IIR)).toBe(IIR_RDI);
    r(THR);
    expect(r(IIR)).toBe(IIR_THRI);
    expect(r(IIR)).toBe(IIR_NO_INT);
    // Loopback with only RTS|OUT2: DSR (from DTR) drops, so DDSR is a modem-status event.
    w(MCR, MCR_OUT2 | MCR_LOOP | MCR_RTS);
    expect(r(IIR)).toBe(IIR_MSI);
    expect(r(MSR) & (MSR_DCTS | MSR_DDSR)).toBe(MSR_DDSR);
    expect(r(IIR)).toBe(IIR_NO_INT);
  });

  it('in FIFO mode signals RX data at the trigger level and a timeout below it', () => {
    const { w, r, uart } = setup();
    w(IER, IER_ERBFI);
    w(FCR, FCR_ENABLE | 0x40); // trigger level 4
    uart.receive(1);
    expect(r(IIR)).toBe(0xc0 | IIR_CTI);
    uart.receive(2); uart.receive(3); uart.receive(4);
    expect(r(IIR)).toBe(0xc0 | IIR_RDI);
    r(THR);
    expect(r(IIR)).toBe(0xc0 | IIR_CTI);
  });

  it('drives the IRQ line only while OUT2 is set and loopback is off', () => {
    const { w, r, uart, irq } = setup();
    w(IER, IER_ERBFI);
    uart.receive(0x33);
    expect(uart.irqLevel).toBe(false);
    w(MCR, MCR_OUT2);
    expect(uart.irqLevel).toBe(true);
    r(THR);
    expect(uart.irqLevel).toBe(false);
    expect(irq).toEqual([true, false]);
  });

  it('loopback: TX feeds RX, the sink sees nothing, modem inputs mirror MCR', () => {
    const { w, r, tx, uart } = setup();
    w(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS); // what Linux's autoconfig writes
    expect(r(MSR) & 0xf0).toBe(MSR_DCD | MSR_CTS);
    w(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
    expect(r(MSR) & 0xf0).toBe(MSR_DSR | MSR_RI);
    w(MCR, MCR_LOOP);
    expect(r(MSR) & MSR_TERI).toBe(MSR_TERI); // RI went 1 -> 0
    expect(uart.receive(0x11)).toBe(false); // the RX pin is disconnected
    w(THR, 0x5a);
    expect(tx).toEqual([]);
    expect(r(LSR) & LSR_DR).toBe(LSR_DR);
    expect(r(THR)).toBe(0x5a);
    w(MCR, 0);
    w(THR, 0x5b);
    expect(tx).toEqual([0x5b]);
  });

  it('outside loopback reports a connected modem (CTS, DSR, DCD)', () => {
    const { r } = setup();
    expect(r(MSR) & 0xf0).toBe(MSR_CTS | MSR_DSR | MSR_DCD);
  });

  it('saves and restores its registers and RX FIFO, and refuses state of another size', () => {
    const a = setup();
    a.w(FCR, FCR_ENABLE | 0xc0); // FIFO on, trigger 14
    a.w(IER, IER_ERBFI);
    a.w(MCR, MCR_OUT2);
    a.w(SCR, 0x5a);
    for (const b of [1, 2, 3]) a.uart.receive(b);
    const saved = a.uart.saveState();
    const b = setup();
    b.uart.loadState(saved);
    expect(b.irq).toEqual([]); // the controller restores its own view of the line
    expect(b.uart.irqLevel).toBe(true);
    expect(b.r(SCR)).toBe(0x5a);
    expect(b.r(IIR) & 0x0f).toBe(IIR_CTI); // below the trigger level: timeout interrupt, as before
    expect([b.r(THR), b.r(THR), b.r(THR)]).toEqual([1, 2, 3]);
    expect(b.r(LSR) & LSR_DR).toBe(0);
    expect(() => b.uart.loadState(saved.subarray(1))).toThrow(/expects/);
  });
});
