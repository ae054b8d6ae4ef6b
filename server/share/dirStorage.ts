/**
 * Share storage in a local directory (the zero-setup default):
 *   <root>/chunks/<first 2 hex digits>/<sha256>
 *   <root>/manifests/<id>
 *   <root>/tmp/            files being written
 * Every file is written to tmp/, flushed to disk, then moved into place with
 * rename (chunks) or link (manifests, which must fail if the name exists), so
 * a crash mid-upload leaves at most a stray temp file, never a partial object,
 * and a manifest is only visible after all its chunks are.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { checkName, type ShareStorage } from './storage.ts';

export class DirStorage implements ShareStorage {
  private readonly ready: Promise<void>;

  constructor(readonly root: string) {
    this.ready = Promise.all(['chunks', 'manifests', 'tmp'].map((d) => mkdir(path.join(root, d), { recursive: true }))).then(() => {});
  }

  describe(): string {
    return `directory ${this.root}`;
  }

  private chunkPath(hash: string): string {
    checkName('chunk', hash);
    return path.join(this.root, 'chunks', hash.slice(0, 2), hash);
  }

  private manifestPath(id: string): string {
    checkName('manifest', id);
    return path.join(this.root, 'manifests', id);
  }

  /** Writes `data` to a new temp file and flushes it; returns its path. */
  private async writeTemp(data: Uint8Array): Promise<string> {
    await this.ready;
    const tmp = path.join(this.root, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await fh.close();
    return tmp;
  }

  async chunkSize(hash: string): Promise<number | null> {
    const st = await stat(this.chunkPath(hash)).catch(() => null);
    return st?.isFile() ? st.size : null;
  }

  async putChunk(hash: string, data: Uint8Array): Promise<void> {
    const dest = this.chunkPath(hash);
    const tmp = await this.writeTemp(data);
    try {
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tmp, dest); // same content under the same name: replacing is harmless
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  async getChunk(hash: string): Promise<Uint8Array | null> {
    return readOrNull(this.chunkPath(hash));
  }

  async createManifest(id: string, data: Uint8Array): Promise<'created' | 'exists'> {
    const dest = this.manifestPath(id);
    const tmp = await this.writeTemp(data);
    try {
      await link(tmp, dest); // atomic create-only: EEXIST if another upload got there first
      return 'created';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw err;
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async getManifest(id: string): Promise<Uint8Array | null> {
    return readOrNull(this.manifestPath(id));
  }
}

async function readOrNull(file: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
