import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './parse.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLED_DIR = path.join(REPO_ROOT, 'public', 'guests');

export interface BundledManifest {
  cmdline: string;
  files: { name: string; size: number; sha256: string }[];
}

/** Reads a file the user named, with an error that says which flag and why. */
export function readUserFile(flag: string, file: string, maxBytes: number): Uint8Array {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`--${flag} ${file}: not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  if (size === 0) throw new UsageError(`--${flag} ${file}: the file is empty`);
  if (size > maxBytes) throw new UsageError(`--${flag} ${file}: ${size} bytes is larger than the ${maxBytes}-byte limit`);
  return readFileSync(file);
}

export function readBundledManifest(): BundledManifest {
  const file = path.join(BUNDLED_DIR, 'manifest.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BundledManifest;
  } catch {
    throw new UsageError(`the bundled guest is missing (${file}); rebuild it with 'npm run guests'`);
  }
}
