/**
 * `npm run bench`: guest MIPS and boot time, side by side with QEMU TCG.
 * Nothing to measure until the CPU core runs; say so rather than print numbers.
 */
process.stderr.write('vmxlab bench: nothing to measure yet: the CPU core is not implemented in this build.\n');
process.exitCode = 3;
