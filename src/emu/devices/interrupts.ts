/**
 * Interrupt routing for the PC platform. All the wiring rules live here.
 */

/** Something with numbered interrupt input lines (ISA IRQs, IOAPIC pins). `level` is 0 or 1, 1 = asserted. */
export interface IrqSink {
  setIrq(line: number, level: number): void;
}
