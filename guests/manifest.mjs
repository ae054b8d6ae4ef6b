// Writes public/guests/manifest.json for guests/build.sh (inputs in VMXLAB_*
// environment variables). Node only: the build machine already has it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`manifest.mjs: ${name} is not set`);
  return v;
};

const out = env('VMXLAB_OUT');
const names = ['bzImage', 'initramfs.cpio.gz', 'System.map.gz'];
const files = names.map((name) => {
  const bytes = readFileSync(join(out, name));
  return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
});

// Boot protocol facts a loader needs, read from the bzImage setup header
// (Documentation/x86/boot.rst).
const bz = readFileSync(join(out, 'bzImage'));
if (bz.toString('latin1', 0x202, 0x206) !== 'HdrS') throw new Error('bzImage: no HdrS setup header');
const protocol = bz.readUInt16LE(0x206);
const setupHeader = {
  protocol: `${protocol >> 8}.${String(protocol & 0xff).padStart(2, '0')}`,
  setupSects: bz[0x1f1],
  relocatable: bz[0x234] !== 0,
  prefAddress: '0x' + bz.readBigUInt64LE(0x258).toString(16),
  initSize: '0x' + bz.readUInt32LE(0x260).toString(16),
};

// A reproducibility verdict belongs to the exact bytes it was measured on: keep
// an earlier one only while bzImage and initramfs are unchanged.
const manifestPath = join(out, 'manifest.json');
const sameBytes = (a, b) => names.every((n) => a.find((f) => f.name === n)?.sha256 === b.find((f) => f.name === n)?.sha256);
const method =
  'build.sh --check-reproducible: the normal build, then a second build from a fresh ' +
  'source extraction in another directory; all files compared byte for byte';
let reproducible;
const result = env('VMXLAB_REPRO');
if (result !== 'unchecked') {
  reproducible = { checked: true, identical: result === 'identical', method };
} else {
  const previous = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  reproducible = previous?.reproducible?.checked && sameBytes(previous.files, files)
    ? { checked: true, identical: previous.reproducible.identical === true, method }
    : { checked: false, note: 'run `npm run guests -- --check-reproducible`' };
}

const packages = Object.fromEntries(
  env('VMXLAB_PACKAGES').trim().split('\n').map((line) => line.split('=')),
);

const manifest = {
  files,
  cmdline: env('VMXLAB_CMDLINE'),
  // What a harness waits for: init's line, then the shell's first prompt.
  readyLine: 'vmxlab: init done',
  prompt: 'vmxlab:~# ',
  linux: {
    version: env('VMXLAB_KERNEL_VERSION'),
    release: env('VMXLAB_KERNEL_RELEASE'),
    config: 'guests/linux/vmxlab.config (on top of make tinyconfig)',
    setupHeader,
  },
  busybox: { version: env('VMXLAB_BUSYBOX_VERSION') },
  debianPackages: packages,
  build: {
    command: env('VMXLAB_BUILD_CMD'),
    sourceDateEpoch: Number(env('SOURCE_DATE_EPOCH')),
    kbuildTimestamp: env('KBUILD_BUILD_TIMESTAMP'),
  },
  reproducible,
};
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
