import { expect, test } from '@playwright/test';

/**
 * The VT-x panels against the production build: the VMX demo
 * (public/demo/vmxdemo.elf, a bare-metal hypervisor whose guest loops over
 * CPUID, OUT 80h, IN from 71h, HLT and VMCALL) fills the VM-exit log, and the
 * VMCS panel shows the current VMCS with its controls and the I/O exit's port.
 */
test('the VMX demo fills the exit log and the VMCS panel', async ({ page }) => {
  test.setTimeout(120_000); // boots and steps a guest; slow on a loaded 2-core machine
  await page.goto('/?noboot');
  await expect(page.getByText('Machine worker started (SharedArrayBuffer available)')).toBeVisible();
  await page.getByTestId('boot').click();
  await page.getByTestId('boot-vmx-demo').click();
  await expect(page.getByTestId('boot-dialog')).toBeHidden();
  await expect(page.getByTestId('console')).toContainText('vmxdemo: VM exit, reason', { timeout: 20_000 });
  await expect(page.getByTestId('cpu-mode')).toContainText('VMX');
  await expect(page.getByTestId('vmcs-pointer')).toContainText(/VMCS [0-9a-f]{8}/);

  const log = page.getByTestId('exit-log');
  const hist = page.getByTestId('exit-histogram');
  for (const r of ['CPUID', 'HLT', 'IO_INSTRUCTION', 'VMCALL']) await expect(hist).toContainText(r);
  await expect(log.locator('tr[data-reason="30"]').first()).toBeVisible();
  await expect(log).toContainText('port=0x80 size=1 byte direction=OUT operand=immediate');
  await expect(log).toContainText('port=0x71 size=1 byte direction=IN operand=DX');
  // Filtering by a reason leaves only its rows.
  await hist.locator('button[data-reason="18"]').click();
  await expect(log.locator('tbody tr').first()).toHaveAttribute('data-reason', '18');
  await expect(log.locator('tbody tr:not([data-reason="18"])')).toHaveCount(0);

  // Pause on the I/O exit's host side: the VMCS keeps the last exit until the next one.
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('runstate')).toHaveText('paused');
  const vmcs = page.getByTestId('vmcs');
  await expect(vmcs.getByTestId('vmcs-summary')).toContainText('current VMCS');
  await expect(vmcs.getByTestId('vmcs-summary')).toContainText('launched');
  const proc = vmcs.locator('[data-control="CPU_BASED_VM_EXEC_CONTROL"]');
  await expect(proc.locator('tr[data-bit="24"]')).toContainText('Unconditional I/O exiting');
  await expect(proc.locator('tr[data-bit="24"]')).toContainText('■');
  await expect(proc.locator('tr[data-bit="21"]')).toContainText('must be 0');
  // A breakpoint on the I/O exit reason stops right after such an exit; the VMCS shows the port.
  await page.getByTestId('vmx-break-reason').selectOption('30');
  await expect(log.getByTestId('vmx-breaks')).toContainText('IO_INSTRUCTION');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('runstate')).toHaveText('paused');
  await expect(page.getByText('VM exit: IO_INSTRUCTION')).toBeVisible();
  await expect(vmcs.getByTestId('vmcs-exit')).toContainText(/IO_INSTRUCTION port=0x(80|71)/);
  await expect(page.getByTestId('cpu-mode')).toContainText('VMX root');
  // The demo's guest runs without EPT: the EPT walk says so.
  await vmcs.getByTestId('ept-walk').locator('summary').click();
  await vmcs.getByLabel('guest-physical address to walk through EPT').fill('1000');
  await expect(vmcs.getByTestId('ept-walk')).toContainText('does not enable EPT');
  // Search by encoding opens the matching group.
  await vmcs.getByLabel('search VMCS fields').fill('4402');
  await expect(vmcs.locator('tr[data-field="VM_EXIT_REASON"]')).toBeVisible();
  await expect(vmcs.locator('tr[data-field="VM_EXIT_REASON"]')).toContainText('1e');
});
