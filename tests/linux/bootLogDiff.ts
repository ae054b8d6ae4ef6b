// Compares two Linux boot logs of the same kernel and initramfs (vmxlab and
// QEMU TCG) line by line, ignoring timestamps and order, and sorts the lines
// found in only one log into expected differences (listed below with why)
// and unexpected ones.

/** Lines that may appear in only one of the logs, and why. Matched after timestamps are stripped. */
export const EXPECTED_DIFFERENCES: { re: RegExp; why: string }[] = [
  { re: /^BIOS-e820: |^last_pfn = |^RAMDISK: |^\s+DMA32 |^\s+node +0: |^Initmem setup |^On node 0, zone DMA32: |^\[mem 0x[0-9a-f]+-0x[0-9a-f]+\] available for PCI devices|^Built 1 zonelists|^Memory: /,
    why: 'memory map: SeaBIOS reserves the top 128 KiB of RAM and a BIOS ROM window; vmxlab reserves only the EBDA and BIOS area' },
  { re: /^found SMP MP-table at |^MPTABLE: (OEM|Product) ID|^IOAPIC\[0\]: apic_id /,
    why: 'MP table written by a different firmware (address, OEM strings, IOAPIC ID and version)' },
  { re: /^tsc: |^clocksource: |^Calibrating delay loop|BogoMIPS|^sched_clock: |^APIC timer disabled due to verification failure/,
    why: 'clock calibration: vmxlab reports its 1 GHz crystal in CPUID 15H; QEMU TCG cannot calibrate its TSC against the PIT' },
  { re: /^smpboot: CPU0: |^Performance Events: |^Last level [id]TLB entries|^process: using |^intel_pstate: |^Speculative Store Bypass|^signal: max sigframe size|^x86\/fpu: |^Using GB pages/,
    why: 'CPU model: vmxlab-core (Intel family 6, XSAVE, 1 GiB pages) vs qemu64 (AMD family 15, FXSAVE)' },
  { re: /^pci 0000:00:01\.|^pci_bus 0000:00: (root bus )?resource|PIIX/,
    why: 'PCI: QEMU has the PIIX3 ISA bridge, IDE and PIIX4 ACPI functions; vmxlab only the 440FX host bridge; different physical address width' },
  { re: /^Freeing initrd memory: /, why: 'vmxlab hands the initramfs over inflated (1.9 MiB cpio instead of 1 MiB gzip)' },
  { re: /^rtc_cmos rtc_cmos: setting system clock to /, why: 'wall-clock time (vmxlab --icount starts at a fixed epoch)' },
  { re: /^vmxlab:~# |^qemu-system-x86_64: /, why: 'shell prompts and QEMU\'s own messages depend on when the log was cut' },
];

/** Words that mark a kernel complaint: a line with one of these found only in vmxlab's log is a failure. */
export const COMPLAINT = /warn|error|fail|bug|oops|call trace|unable|invalid|unsupported|not supported|panic|taint/i;

export function normalize(log: string): string[] {
  return log.replace(/\r/g, '').split('\n')
    .map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, '').replace(/\x1b\[[0-9;]*[a-zA-Z]/g, '').trimEnd())
    .filter((l) => l.trim() !== '');
}

export interface LogDiff {
  onlyVmxlab: string[];
  onlyQemu: string[];
  /** Lines in one log only that no expected difference explains. */
  unexplained: string[];
  /** Lines only vmxlab printed that look like kernel complaints, even if explained. */
  complaints: string[];
}

export function diffBootLogs(vmxlab: string, qemu: string): LogDiff {
  const v = normalize(vmxlab), q = normalize(qemu);
  const vs = new Set(v), qs = new Set(q);
  let onlyVmxlab = v.filter((l) => !qs.has(l));
  let onlyQemu = q.filter((l) => !vs.has(l));
  // QEMU's serial output occasionally loses a byte when its stdout pipe is slow to drain (seen
  // once under load: 'entries 16384' for 'entries: 16384'). Pair such a QEMU line with the vmxlab
  // line it is missing one character of. Only this direction: a byte lost by vmxlab is our bug.
  const dropped = onlyQemu.filter((ql) => onlyVmxlab.some((vl) => missingOneChar(vl, ql)));
  onlyVmxlab = onlyVmxlab.filter((vl) => !dropped.some((ql) => missingOneChar(vl, ql)));
  onlyQemu = onlyQemu.filter((ql) => !dropped.includes(ql));
  const explained = (l: string): boolean => EXPECTED_DIFFERENCES.some((d) => d.re.test(l));
  return {
    onlyVmxlab, onlyQemu,
    unexplained: [...onlyVmxlab.map((l) => `vmxlab only: ${l}`), ...onlyQemu.map((l) => `QEMU only:   ${l}`)]
      .filter((l) => !explained(l.slice(13))),
    complaints: onlyVmxlab.filter((l) => COMPLAINT.test(l) && !/^Performance Events: |^intel_pstate: /.test(l)),
  };
}

/** True when `short` is `long` with exactly one character removed. */
export function missingOneChar(long: string, short: string): boolean {
  if (long.length !== short.length + 1) return false;
  let k = 0;
  while (k < short.length && long[k] === short[k]) k++;
  return long.slice(k + 1) === short.slice(k);
}
