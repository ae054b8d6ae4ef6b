import { describe, expect, it } from 'vitest';
import { Pic8259, Pic8259Chip } from './pic8259.ts';
import { IoBus } from './ioBus.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

/** Linux's init_8259A(auto_eoi) sequence, master vectors 0x30, slave 0x38. */
function linuxInit(autoEoi = false): { pic: Pic8259; bus: IoBus } {
  const pic = new Pic8259();
  const bus = new IoBus();
  bus.register(0x20, 2, pic);
  bus.register(0xa0, 2, pic);
  bus.register(0x4d0, 2, pic);
  bus.write(0x21, 1, 0xff);
  bus.write(0xa1, 1, 0xff);
  bus.write(0x20, 1, 0x11); // ICW1: edge, cascade, ICW4 needed
  bus.write(0x21, 1, 0x30); // ICW2
  bus.write(0x21, 1, 0x04); // ICW3: slave on IR2
  bus.write(0x21, 1, autoEoi ? 0x03 : 0x01); // ICW4: 8086 mode (+AEOI)
  bus.write(0xa0, 1, 0x11);
  bus.write(0xa1, 1, 0x38);
  bus.write(0xa1, 1, 0x02); // slave ID 2
  bus.write(0xa1, 1, 0x01);
  bus.write(0x21, 1, 0x00);
  bus.write(0xa1, 1, 0x00);
  return { pic, bus };
}

const EOI = 0x20;

describe('8259A PIC pair', () => {
  it('resolves priority: lower IR first, lower priority waits for EOI', () => {
    const { pic, bus } = linuxInit();
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(3, 1);
    pic.setIrq(1, 1);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x31);
    expect(pic.master.isr).toBe(0x02);
    expect(pic.hasInterrupt()).toBe(false); // IR3 is lower than IR1 in service
    bus.write(0x20, 1, EOI);
    expect(pic.acknowledge()).toBe(0x33);
    bus.write(0x20, 1, EOI);
    expect(pic.master.isr).toBe(0);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('nests a higher-priority request over one in service', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(5, 1);
    expect(pic.acknowledge()).toBe(0x35);
    pic.setIrq(6, 1);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(1, 1);
    expect(pic.acknowledge()).toBe(0x31);
    expect(pic.master.isr).toBe(0x22);
    bus.write(0x20, 1, EOI); // non-specific EOI clears the highest: IR1
    expect(pic.master.isr).toBe(0x20);
    expect(pic.hasInterrupt()).toBe(false);
    bus.write(0x20, 1, EOI);
    expect(pic.acknowledge()).toBe(0x36);
  });

  it('cascades slave requests through master IR2', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(10, 1);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x3a);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0x04);
    pic.setIrq(9, 1); // higher than IRQ10 on the slave but the master blocks IR2 while in service
    expect(pic.hasInterrupt()).toBe(false);
    bus.write(0xa0, 1, EOI);
    bus.write(0x20, 1, EOI);
    expect(pic.acknowledge()).toBe(0x39);
  });

  it('edge mode latches one request per rising edge; level mode (ELCR) re-requests while high', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(4, 1);
    expect(pic.acknowledge()).toBe(0x34);
    bus.write(0x20, 1, EOI);
    expect(pic.hasInterrupt()).toBe(false); // still high, but no new edge
    pic.setIrq(4, 0);
    pic.setIrq(4, 1);
    expect(pic.acknowledge()).toBe(0x34);
    bus.write(0x20, 1, EOI);

    bus.write(0x4d1, 1, 0x08); // IRQ11 level
    pic.setIrq(11, 1);
    expect(pic.acknowledge()).toBe(0x3b);
    bus.write(0xa0, 1, EOI);
    bus.write(0x20, 1, EOI);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x3b);
    pic.setIrq(11, 0);
    bus.write(0xa0, 1, EOI);
    bus.write(0x20, 1, EOI);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('ELCR bits for IRQ0-2, 8 and 13 are fixed edge', () => {
    const { bus } = linuxInit();
    bus.write(0x4d0, 1, 0xff);
    bus.write(0x4d1, 1, 0xff);
    expect(bus.read(0x4d0, 1)).toBe(0xf8);
    expect(bus.read(0x4d1, 1)).toBe(0xde);
  });

  it('answers INTA with a spurious IRQ7 when a level request vanishes before INTA', () => {
    const { pic, bus } = linuxInit();
    bus.write(0x4d0, 1, 0x20); // IRQ5 level
    pic.setIrq(5, 1);
    expect(pic.hasInterrupt()).toBe(true);
    pic.setIrq(5, 0);
    expect(pic.acknowledge()).toBe(0x37);
    bus.write(0x20, 1, 0x0b); // OCW3: read ISR
    expect(bus.read(0x20, 1)).toBe(0); // no in-service bit: that is how Linux spots it
  });

  it('spurious IRQ15: master IR2 stays in service, slave ISR empty', () => {
    const { pic, bus } = linuxInit();
    bus.write(0x4d1, 1, 0x08);
    pic.setIrq(11, 1);
    // Master latched the edge on IR2; the slave's request goes away before INTA.
    pic.slave.setLine(3, 0);
    expect(pic.acknowledge()).toBe(0x3f);
    expect(pic.master.isr).toBe(0x04);
    expect(pic.slave.isr).toBe(0);
  });

  it('auto-EOI leaves nothing in service', () => {
    const { pic } = linuxInit(true);
    pic.setIrq(0, 1);
    expect(pic.acknowledge()).toBe(0x30);
    expect(pic.master.isr).toBe(0);
    pic.setIrq(0, 0);
    pic.setIrq(0, 1);
    expect(pic.acknowledge()).toBe(0x30);
  });

  it('OCW1 masks hold requests in IRR until unmasked', () => {
    const { pic, bus } = linuxInit();
    bus.write(0x21, 1, 0x01);
    expect(bus.read(0x21, 1)).toBe(0x01);
    pic.setIrq(0, 1);
    expect(pic.hasInterrupt()).toBe(false);
    expect(bus.read(0x20, 1)).toBe(0x01); // IRR (default read register)
    bus.write(0x21, 1, 0x00);
    expect(pic.acknowledge()).toBe(0x30);
  });

  it('OCW3 selects IRR or ISR and the poll command acknowledges', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(6, 1);
    pic.setIrq(3, 1);
    bus.write(0x20, 1, 0x0a); // read IRR
    expect(bus.read(0x20, 1)).toBe(0x48);
    bus.write(0x20, 1, 0x0c); // poll
    expect(bus.read(0x20, 1)).toBe(0x83);
    bus.write(0x20, 1, 0x0b);
    expect(bus.read(0x20, 1)).toBe(0x08);
    bus.write(0x20, 1, 0x0c);
    expect(bus.read(0x20, 1)).toBe(0x00); // IR6 blocked by IR3 in service
    bus.write(0x20, 1, 0x63); // specific EOI IR3
    bus.write(0x20, 1, 0x0c);
    expect(bus.read(0x21, 1)).toBe(0x86); // poll works on either port
  });

  it('rotate on non-specific EOI makes the serviced IR lowest', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(0, 1);
    pic.setIrq(4, 1);
    expect(pic.acknowledge()).toBe(0x30);
    bus.write(0x20, 1, 0xa0); // rotate on non-specific EOI
    pic.setIrq(0, 0);
    pic.setIrq(0, 1);
    expect(pic.acknowledge()).toBe(0x34); // IR0 is now the lowest priority
    bus.write(0x20, 1, 0xa0); // IR4 serviced: IR5 highest, IR4 lowest
    expect(pic.acknowledge()).toBe(0x30);
  });

  it('set-priority and rotate-on-specific-EOI commands', () => {
    const { pic, bus } = linuxInit();
    bus.write(0x20, 1, 0xc5); // IR5 lowest -> IR6 highest
    pic.setIrq(1, 1);
    pic.setIrq(6, 1);
    expect(pic.acknowledge()).toBe(0x36);
    bus.write(0x20, 1, 0xe6); // rotate on specific EOI 6: IR6 lowest, IR7 highest
    expect(pic.master.isr).toBe(0);
    pic.setIrq(7, 1);
    expect(pic.acknowledge()).toBe(0x37);
  });

  it('special mask mode lets lower levels through while a masked level is in service', () => {
    const { pic, bus } = linuxInit();
    pic.setIrq(3, 1);
    expect(pic.acknowledge()).toBe(0x33);
    pic.setIrq(5, 1);
    expect(pic.hasInterrupt()).toBe(false);
    bus.write(0x21, 1, 0x08); // mask IR3
    bus.write(0x20, 1, 0x68); // OCW3: set special mask
    expect(pic.acknowledge()).toBe(0x35);
    bus.write(0x20, 1, 0x48); // reset special mask
    expect(pic.master.isr).toBe(0x28);
  });

  it('ICW1 resets the edge detector: a line high during init needs a new edge', () => {
    const pic = new Pic8259();
    pic.setIrq(1, 1);
    const { bus } = { bus: new IoBus() };
    bus.register(0x20, 2, pic);
    bus.write(0x20, 1, 0x11);
    bus.write(0x21, 1, 0x08);
    bus.write(0x21, 1, 0x04);
    bus.write(0x21, 1, 0x01);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(1, 0);
    pic.setIrq(1, 1);
    expect(pic.acknowledge()).toBe(0x09);
  });

  it('single mode skips ICW3 and no-ICW4 clears AEOI', () => {
    const pic = new Pic8259();
    pic.master.writeCommand(0x12); // single, no ICW4
    pic.master.writeData(0x50);
    expect(pic.master.initStep).toBe(0);
    pic.master.writeData(0xfe); // OCW1 right away
    expect(pic.master.imr).toBe(0xfe);
    pic.setIrq(0, 1);
    expect(pic.acknowledge()).toBe(0x50);
    expect(pic.master.isr).toBe(1);
  });

  it('saves and restores every field of both chips', () => {
    const { pic } = linuxInit();
    pic.setIrq(10, 1);
    pic.acknowledge();
    const copy = new Pic8259();
    copy.loadState(pic.saveState());
    expect(copy.slave.isr).toBe(0x04);
    expect(copy.slave.vectorBase).toBe(0x38);
    expect(uncoveredFields(pic.master, Pic8259Chip.STATE)).toEqual([]);
  });
});
