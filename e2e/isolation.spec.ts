import { expect, test } from '@playwright/test';

test('the page is cross-origin isolated, so SharedArrayBuffer works in the page and its worker', async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  // A SharedArrayBuffer can be created and posted to a worker without being copied.
  const shared = await page.evaluate(async () => {
    const sab = new SharedArrayBuffer(8);
    const src = 'onmessage = (e) => { new Int32Array(e.data)[0] = 42; postMessage(0); }';
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    await new Promise((r) => { w.onmessage = r; w.postMessage(sab); });
    return new Int32Array(sab)[0];
  });
  expect(shared).toBe(42);
  await expect(page.getByTestId('isolation')).toContainText('Cross-origin isolated');
});

test('the page starts the machine worker and describes the bundled guest', async ({ page }) => {
  await page.goto('/?noboot');
  await expect(page.getByText('Machine worker started (SharedArrayBuffer available)')).toBeVisible();
  await expect(page.getByTestId('console')).toContainText('vmxlab serial console');
  // The bundled guest's manifest is served with the app and described on the page.
  await expect(page.getByTestId('status')).toContainText(/Bundled guest: Linux 6\.1\.\d+-vmxlab \(bzImage \d+ KiB/);
});
