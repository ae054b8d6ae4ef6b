import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServer } from './app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = process.env.VMXLAB_DIST ?? path.join(root, 'dist');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

if (!existsSync(path.join(distDir, 'index.html'))) {
  console.error(`vmxlab server: no built app in ${distDir} (run \`npm run build\` first)`);
  process.exit(1);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`vmxlab server: PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}

const server = createAppServer({ distDir });
server.on('error', (err) => {
  console.error(`vmxlab server: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`vmxlab: serving ${distDir} at http://${host}:${port}/ (cross-origin isolated)`);
});
