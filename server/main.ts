import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServer } from './app.ts';
import { ShareApi } from './share/api.ts';
import { DirStorage } from './share/dirStorage.ts';
import { S3Storage } from './share/s3Storage.ts';

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

// Snapshots: an S3-compatible bucket when VMXLAB_S3_BUCKET is set, else a directory.
const storage = S3Storage.fromEnv() ?? new DirStorage(process.env.VMXLAB_SHARE_DIR ?? path.join(root, '.share-data'));
const maxSnapshot = Number(process.env.VMXLAB_MAX_SNAPSHOT_MIB ?? 512);
if (!Number.isInteger(maxSnapshot) || maxSnapshot < 1) {
  console.error(`vmxlab server: VMXLAB_MAX_SNAPSHOT_MIB must be a whole number of MiB, got ${process.env.VMXLAB_MAX_SNAPSHOT_MIB}`);
  process.exit(1);
}
const share = new ShareApi(storage, { maxSnapshotBytes: maxSnapshot * 1024 * 1024 });
const server = createAppServer({ distDir, share });
server.on('error', (err) => {
  console.error(`vmxlab server: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`vmxlab: serving ${distDir} at http://${host}:${port}/ (cross-origin isolated); snapshots in ${storage.describe()}`);
});
