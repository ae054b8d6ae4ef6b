import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer } from './app.ts';
import { resolveInside } from './staticFiles.ts';

/** A raw GET that does not normalise the path (fetch() would collapse `..`). */
function rawGet(port: number, rawPath: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('app server', () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'vmxlab-dist-'));
  const server = createAppServer({ distDir: dist });
  let port = 0;

  beforeAll(async () => {
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>vmxlab</title>');
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'assets', 'app-123.js'), 'console.log(1)');
    writeFileSync(path.join(path.dirname(dist), 'secret.txt'), 'outside');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends COOP/COEP on every response so the page is cross-origin isolated', async () => {
    for (const p of ['/', '/assets/app-123.js', '/missing.js']) {
      const res = await rawGet(port, p);
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    }
  });

  it('serves files with their MIME type and falls back to index.html for app routes', async () => {
    const js = await rawGet(port, '/assets/app-123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    const route = await rawGet(port, '/s/abc123');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>vmxlab</title>');
    expect((await rawGet(port, '/nope.js')).status).toBe(404);
  });

  it('refuses paths that escape the app directory', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const res = await rawGet(port, p);
      expect(res.body).not.toContain('outside');
      expect([400, 404]).toContain(res.status);
    }
    expect(resolveInside('/srv/app', '/../etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveInside('/srv/app', '/a/%2e%2e/%2e%2e/x')).toBe('/srv/app/x');
  });

  it('answers other methods with 405', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'DELETE' });
    expect(res.status).toBe(405);
  });
});
