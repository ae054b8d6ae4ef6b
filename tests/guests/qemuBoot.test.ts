// The bundled guest boots to a usable shell on the reference machine (QEMU TCG).
import { afterEach, describe, expect, it } from 'vitest';
import { bundledGuest, startQemu, type QemuMachine } from '../support/qemu.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('bundled guest under QEMU TCG', () => {
  let vm: QemuMachine | undefined;
  afterEach(async () => {
    await vm?.kill();
    vm = undefined;
  });

  it('boots to a busybox shell with job control that runs commands', async () => {
    const guest = bundledGuest();
    vm = startQemu({ kernel: guest.kernel, initrd: guest.initrd, append: guest.append });
    await vm.waitFor(new RegExp(escapeRegExp(guest.readyLine)), 60_000);
    const prompt = new RegExp(escapeRegExp(guest.prompt));
    // Type only once the shell prompts: earlier input races the tty being opened.
    await vm.waitFor(prompt, 10_000);

    vm.send('echo $((6*7))\n');
    // The tty echoes the command; the line after it is the shell's answer.
    const answer = await vm.waitFor(/echo \$\(\(6\*7\)\)\r*\n([^\r\n]*)\r*\n/, 10_000);
    expect(answer[1]).toBe('42');
    await vm.waitFor(prompt, 10_000);

    vm.send('cat /proc/version\n');
    const version = await vm.waitFor(/^Linux version (\S+) /m, 10_000);
    expect(version[1]).toMatch(/^6\.1\.\d+-vmxlab$/);
    await vm.waitFor(prompt, 10_000);

    // cttyhack gave the shell a controlling tty; without one ash says so.
    vm.send('sleep 5 & jobs\n');
    const job = await vm.waitFor(/^\[1\]\+\s+Running\s+sleep 5/m, 10_000);
    expect(job[0]).toContain('sleep 5');
    expect(vm.output).not.toMatch(/job control turned off/);
  }, 90_000);

  it('halts cleanly when the shell exits (PID 1 must not die)', async () => {
    const guest = bundledGuest();
    vm = startQemu({ kernel: guest.kernel, initrd: guest.initrd, append: guest.append });
    await vm.waitFor(new RegExp(escapeRegExp(guest.prompt)), 60_000);
    vm.send('exit\n');
    // No ACPI, so no power-off driver: the kernel turns poweroff into halt.
    await vm.waitFor(/reboot: System halted/, 10_000);
    expect(vm.output).not.toMatch(/Kernel panic|Attempted to kill init/);
  }, 90_000);

  it('brings up every CPU the MP table lists (SMP, no ACPI)', async () => {
    const guest = bundledGuest();
    vm = startQemu({ kernel: guest.kernel, initrd: guest.initrd, append: guest.append, smp: 2 });
    await vm.waitFor(new RegExp(escapeRegExp(guest.prompt)), 60_000);
    vm.send('grep -c ^processor /proc/cpuinfo\n');
    const count = await vm.waitFor(/cpuinfo\r*\n([^\r\n]*)\r*\n/, 10_000);
    expect(count[1]).toBe('2');
  }, 90_000);
});
