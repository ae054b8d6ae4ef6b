/**
 * Bit layouts of the control and paging registers (Intel SDM Vol. 3A 2.5,
 * 2.2.1 EFER, 4.5 Tables 4-15..4-20), as data for the register and page-walk
 * panels: one table, so every view names a bit the same way.
 */

export interface BitDef {
  bit: number;
  name: string;
  title: string;
}

const b = (bit: number, name: string, title: string): BitDef => ({ bit, name, title });

export const CR0_BITS: readonly BitDef[] = [
  b(0, 'PE', 'Protection Enable'), b(1, 'MP', 'Monitor Coprocessor'), b(2, 'EM', 'Emulation'),
  b(3, 'TS', 'Task Switched'), b(4, 'ET', 'Extension Type'), b(5, 'NE', 'Numeric Error'),
  b(16, 'WP', 'Write Protect'), b(18, 'AM', 'Alignment Mask'), b(29, 'NW', 'Not Write-through'),
  b(30, 'CD', 'Cache Disable'), b(31, 'PG', 'Paging'),
];

export const CR4_BITS: readonly BitDef[] = [
  b(0, 'VME', 'Virtual-8086 Mode Extensions'), b(1, 'PVI', 'Protected-Mode Virtual Interrupts'),
  b(2, 'TSD', 'Time Stamp Disable'), b(3, 'DE', 'Debugging Extensions'), b(4, 'PSE', 'Page Size Extensions'),
  b(5, 'PAE', 'Physical Address Extension'), b(6, 'MCE', 'Machine-Check Enable'), b(7, 'PGE', 'Page Global Enable'),
  b(8, 'PCE', 'Performance-Monitoring Counter Enable'), b(9, 'OSFXSR', 'OS support for FXSAVE/FXRSTOR'),
  b(10, 'OSXMMEXCPT', 'OS support for unmasked SIMD FP exceptions'), b(11, 'UMIP', 'User-Mode Instruction Prevention'),
  b(12, 'LA57', '57-bit linear addresses (5-level paging)'), b(13, 'VMXE', 'VMX Enable'), b(14, 'SMXE', 'SMX Enable'),
  b(16, 'FSGSBASE', 'RDFSBASE/WRFSBASE...'), b(17, 'PCIDE', 'PCID Enable'), b(18, 'OSXSAVE', 'XSAVE and extended states'),
  b(19, 'KL', 'Key Locker'), b(20, 'SMEP', 'Supervisor-Mode Execution Prevention'),
  b(21, 'SMAP', 'Supervisor-Mode Access Prevention'), b(22, 'PKE', 'Protection Keys for user pages'),
  b(23, 'CET', 'Control-flow Enforcement'), b(24, 'PKS', 'Protection Keys for supervisor pages'),
  b(25, 'UINTR', 'User Interrupts'),
];

export const EFER_BITS: readonly BitDef[] = [
  b(0, 'SCE', 'SYSCALL Enable'), b(8, 'LME', 'IA-32e Mode Enable'), b(10, 'LMA', 'IA-32e Mode Active'),
  b(11, 'NXE', 'Execute-Disable Bit Enable'),
];

export const RFLAGS_BITS: readonly BitDef[] = [
  b(0, 'CF', 'Carry'), b(2, 'PF', 'Parity'), b(4, 'AF', 'Auxiliary carry'), b(6, 'ZF', 'Zero'), b(7, 'SF', 'Sign'),
  b(8, 'TF', 'Trap'), b(9, 'IF', 'Interrupt enable'), b(10, 'DF', 'Direction'), b(11, 'OF', 'Overflow'),
  b(14, 'NT', 'Nested task'), b(16, 'RF', 'Resume'), b(17, 'VM', 'Virtual-8086 mode'), b(18, 'AC', 'Alignment check / access control'),
  b(19, 'VIF', 'Virtual interrupt'), b(20, 'VIP', 'Virtual interrupt pending'), b(21, 'ID', 'CPUID available'),
];

/** Low-word bits of a paging-structure entry (Tables 4-15..4-20). Bit 7 is PS in non-leaf PDE/PDPTE, PAT in a PTE. */
export const PTE_LO_BITS: readonly BitDef[] = [
  b(0, 'P', 'Present'), b(1, 'R/W', 'Read/write'), b(2, 'U/S', 'User/supervisor'), b(3, 'PWT', 'Page-level write-through'),
  b(4, 'PCD', 'Page-level cache disable'), b(5, 'A', 'Accessed'), b(6, 'D', 'Dirty (leaf only)'),
  b(7, 'PS', 'Page size (PDE/PDPTE) or PAT (PTE)'), b(8, 'G', 'Global (leaf only)'),
];

/** Protection key: bits 62:59 of a leaf entry when CR4.PKE/PKS is set (bits 30:27 of the high word). */
export const PTE_PKEY_SHIFT_HI = 27;
/** Execute-disable: bit 63 (bit 31 of the high word). */
export const PTE_XD_HI = 31;

/** Names set bits of `value` from a table. */
export function setBits(value: number, table: readonly BitDef[]): string[] {
  return table.filter((d) => ((value >>> d.bit) & 1) !== 0).map((d) => d.name);
}
