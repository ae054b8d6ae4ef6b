/**
 * `npm run bench:browser`: the playground in Debian's Chromium (Playwright,
 * production build), beside the same workloads in Node:
 *  - boot to `vmxlab: init done` of the bundled guest on a first visit (or the
 *    message the page shows when it cannot boot it), and the same boot in Node;
 *  - guest MIPS of the 64-bit Multiboot demo (public/demo/demo64.elf: its idle
 *    loop polls the UART, so the mix includes port I/O), over a few seconds.
 * Figures, not tests: nothing here passes or fails on speed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { createAppServer } from '../server/app.ts';
import { createMachine } from '../src/emu/machine.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MEASURE_MS = 4000;
const BOOT_TIMEOUT_MS = Number(process.env.VMXLAB_BENCH_BOOT_TIMEOUT ?? 300_000);

function nodeDemoMips(): number {
  const m = createMachine({ memMiB: 32 });
  m.loadMultiboot(new Uint8Array(readFileSync(path.join(root, 'public/demo/demo64.elf'))));
  m.run({ maxInstructions: 2_000_000 }); // warm up: banner printed, JIT warmed
  const t0 = performance.now();
  const i0 = m.cpu.icount;
  while (performance.now() - t0 < MEASURE_MS) m.run({ maxInstructions: 1_000_000 });
  return (m.cpu.icount - i0) / ((performance.now() - t0) * 1000);
}

/** Boot of the bundled guest to init in Node, on the same core (no worker, no UI). */
function nodeBootToInit(): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'public/guests/manifest.json'), 'utf8')) as { cmdline: string };
  let serial = '';
  const m = createMachine({ memMiB: 128, onSerial: (b) => { serial += String.fromCharCode(b); } });
  const t0 = performance.now();
  m.loadLinux(new Uint8Array(readFileSync(path.join(root, 'public/guests/bzImage'))), {
    cmdline: manifest.cmdline, initrd: new Uint8Array(readFileSync(path.join(root, 'public/guests/initramfs.cpio.gz'))),
  });
  while (!serial.includes('vmxlab: init done')) {
    const r = m.run({ maxInstructions: 2_000_000 });
    if (r.reason !== 'budget') return `not reached: ${r.reason}${r.message ? ` (${r.message})` : ''}`;
    if (performance.now() - t0 > BOOT_TIMEOUT_MS) return 'not reached: timed out';
  }
  return `${((performance.now() - t0) / 1000).toFixed(2)} s (${m.cpu.icount.toLocaleString('en-US')} instructions)`;
}

async function main(): Promise<void> {
  const distDir = path.join(root, 'dist');
  const server = createAppServer({ distDir });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.VMXLAB_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    const icount = async () => Number(await page.getByTestId('icount').getAttribute('data-icount'));

    // Boot to init on a first visit.
    const t0 = Date.now();
    await page.goto(base);
    const init = page.getByTestId('console').getByText('vmxlab: init done');
    const stop = page.locator('[data-testid=stop-message][data-reason=unimplemented], [data-testid=stop-message][data-reason=triple-fault], [data-testid=stop-message][data-reason=error]');
    await init.or(stop).first().waitFor({ timeout: BOOT_TIMEOUT_MS });
    const bootLine = (await init.isVisible())
      ? `${((Date.now() - t0) / 1000).toFixed(2)} s from navigation (${(await icount()).toLocaleString('en-US')} instructions)`
      : `not reached: ${await stop.first().innerText()}`;

    // Guest MIPS on the demo.
    await page.goto(`${base}/?noboot`);
    await page.getByTestId('boot').click();
    await page.getByTestId('boot-demo').click();
    await page.getByTestId('console').getByText('demo> ').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    const i0 = await icount();
    const w0 = Date.now();
    await page.waitForTimeout(MEASURE_MS);
    const browserMips = ((await icount()) - i0) / ((Date.now() - w0) * 1000);

    const nodeMips = nodeDemoMips();
    const nodeBoot = nodeBootToInit();
    console.log('vmxlab bench:browser (Chromium, production build) vs Node (same core, no worker)');
    console.log(`  bundled guest boot to init: Chromium ${bootLine}`);
    console.log(`                               Node     ${nodeBoot}`);
    console.log(`  demo64 guest MIPS: Chromium ${browserMips.toFixed(1)}   Node ${nodeMips.toFixed(1)}   ratio ${(browserMips / nodeMips).toFixed(2)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: Error) => {
  console.error(`bench:browser failed: ${e.message}`);
  process.exitCode = 1;
});
