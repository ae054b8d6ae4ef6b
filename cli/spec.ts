/** Declarative description of the CLI: one place for flags, parsing and --help. */

export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. FILE. */
  arg?: string;
  /** One-letter alias, e.g. 'o' for -o. */
  short?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Longer notes printed after the flags. */
  notes?: string;
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'boot',
    summary: 'boot a kernel (default: the bundled Linux guest) with the serial console on stdio',
    usage: 'vmxlab boot [--kernel FILE] [--initrd FILE] [--append S] [--mem MiB] [--smp N] [--until REGEX] [--timeout S] [--icount]',
    flags: [
      { name: 'kernel', type: 'string', arg: 'FILE', help: 'bzImage, vmlinux ELF or Multiboot v1 ELF (default: public/guests/bzImage)' },
      { name: 'initrd', type: 'string', arg: 'FILE', help: 'initramfs (cpio, optionally compressed) given to a Linux kernel' },
      { name: 'append', type: 'string', arg: 'S', help: 'kernel command line (default: the bundled guest\'s, from its manifest)' },
      { name: 'mem', type: 'string', arg: 'MiB', help: 'guest RAM in MiB (default 128)' },
      { name: 'smp', type: 'string', arg: 'N', help: 'number of vCPUs (default 1)' },
      { name: 'until', type: 'string', arg: 'REGEX', help: 'exit 0 as soon as the serial output matches REGEX' },
      { name: 'timeout', type: 'string', arg: 'S', help: 'give up after S seconds of wall time: exit 124 with a register dump' },
      { name: 'icount', type: 'boolean', help: 'virtual time from instructions retired only: the run is deterministic' },
      { name: 'snapshot', type: 'string', arg: 'FILE|URL', help: 'restore a snapshot (a file from vmxlab snapshot, or a share link <server>/s/<id>) instead of booting' },
      { name: 'help', type: 'boolean', help: 'show this help' },
    ],
    notes:
      'Serial output goes to stdout, diagnostics to stderr; stdin goes to the UART.\n' +
      'Exit status: 0 when --until matched; the guest\'s own status when it writes port 0xf4\n' +
      '(isa-debug-exit: (v << 1) | 1); non-zero with a register dump on timeout or triple fault.',
  },
  {
    name: 'snapshot',
    summary: 'boot, run to a point, and save the whole machine to a file or a share server',
    usage: 'vmxlab snapshot (--at-icount N | --at-output REGEX) (-o FILE | --share SERVER) [--kernel FILE] [--initrd FILE] [--append S] [--mem MiB] [--timeout S]',
    flags: [
      { name: 'at-icount', type: 'string', arg: 'N', help: 'save after exactly N instructions have retired' },
      { name: 'at-output', type: 'string', arg: 'REGEX', help: 'save as soon as the serial output matches REGEX (checked every 100000 instructions)' },
      { name: 'output', short: 'o', type: 'string', arg: 'FILE', help: 'write the snapshot file (restore it with vmxlab boot --snapshot FILE)' },
      { name: 'share', type: 'string', arg: 'SERVER', help: 'upload to a vmxlab server (e.g. http://127.0.0.1:8080) and print the share link' },
      { name: 'kernel', type: 'string', arg: 'FILE', help: 'bzImage, vmlinux ELF or Multiboot v1 ELF (default: the bundled guest)' },
      { name: 'initrd', type: 'string', arg: 'FILE', help: 'initramfs given to a Linux kernel' },
      { name: 'append', type: 'string', arg: 'S', help: 'kernel command line (default: the bundled guest\'s)' },
      { name: 'mem', type: 'string', arg: 'MiB', help: 'guest RAM in MiB (default 128)' },
      { name: 'timeout', type: 'string', arg: 'S', help: 'give up after S seconds of wall time (exit 1, nothing saved)' },
      { name: 'help', type: 'boolean', help: 'show this help' },
    ],
    notes:
      'Runs deterministically (virtual time from instructions retired), so the same flags give the same snapshot.\n' +
      'Serial output goes to stdout while it runs, the share link last; sizes and timings go to stderr.',
  },
  {
    name: 'bench',
    summary: 'measure guest MIPS and boot time, side by side with QEMU TCG',
    usage: 'vmxlab bench [--json] [--runs N] [--only SUITE] [--no-qemu] [--quick]',
    flags: [
      { name: 'json', type: 'boolean', help: 'print JSON instead of tables' },
      { name: 'runs', type: 'string', arg: 'N', help: 'runs per measurement, the best is kept (default 3)' },
      { name: 'only', type: 'string', arg: 'SUITE', help: 'run one suite (cpu, or boot when present)' },
      { name: 'no-qemu', type: 'boolean', help: 'skip the QEMU TCG side' },
      { name: 'quick', type: 'boolean', help: 'short runs, for a look rather than for figures' },
      { name: 'help', type: 'boolean', help: 'show this help' },
    ],
    notes: 'The same as `npm run bench`: tables on stdout, progress on stderr. A benchmark reports\n' +
      'figures and never fails on them; the machine may be shared, so each figure is a best of N.',
  },
  {
    name: 'gdb',
    summary: 'serve the GDB remote protocol for a booted guest',
    usage: 'vmxlab gdb [--port N]',
    flags: [
      { name: 'port', type: 'string', arg: 'N', help: 'TCP port to listen on (default 1234)' },
      { name: 'help', type: 'boolean', help: 'show this help' },
    ],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function commandHelp(cmd: CommandSpec): string {
  const width = Math.max(...cmd.flags.map((f) => flagLabel(f).length));
  const lines = [`usage: ${cmd.usage}`, '', cmd.summary, '', 'flags:'];
  for (const f of cmd.flags) lines.push(`  ${flagLabel(f).padEnd(width)}  ${f.help}`);
  if (cmd.notes) lines.push('', cmd.notes);
  return lines.join('\n') + '\n';
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = ['usage: vmxlab <command> [flags]', '', 'An x86-64 PC emulator with Intel VT-x; the same core as the browser playground.', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
  lines.push('', "Run 'vmxlab <command> --help' for a command's flags.");
  return lines.join('\n') + '\n';
}

function flagLabel(f: FlagSpec): string {
  const long = f.arg ? `--${f.name} ${f.arg}` : `--${f.name}`;
  return f.short ? `-${f.short}, ${long}` : long;
}
