// The one place that says which CPU the differential tests compare against.
//
// QEMU runs TCG with this -cpu string. It is an Intel model (vendor
// GenuineIntel, family 6) whose features TCG implements in full, plus ABM
// (LZCNT) and BMI1 (TZCNT) so those instructions are real rather than decoding
// as BSR/BSF. vmxlab's CPUID must advertise the same instruction-set features
// for the comparisons to mean anything (VMX is the exception: TCG has none).
export const QEMU_CPU = 'Nehalem,+abm,+bmi1,+xsave,+xsaveopt';

/** Guest RAM for bare-metal programs on both sides, so Multiboot mem_upper agrees. */
export const BAREMETAL_MEM_MIB = 128;

/** QEMU's isa-debug-exit at the port our runtime and src/emu/devices/debugExit.ts use. */
export const DEBUG_EXIT_DEVICE = 'isa-debug-exit,iobase=0xf4,iosize=0x04';
