// Parses and compares the serial dumps of generated programs. A dump is
// "case <n>" followed by "<name> <hex>" lines; any other line (exception
// reports "EXC ...", "done") belongs to the case whose header follows it, or to
// the trailing group (id -1).
import type { GeneratedProgram } from './program.ts';

export interface CaseDump {
  id: number;
  lines: string[];
}

/** Splits serial output into per-case line groups (plus trailing lines as id -1). */
export function splitCases(serial: string): CaseDump[] {
  const out: CaseDump[] = [];
  let pending: string[] = [];
  for (const line of serial.split('\n')) {
    if (line === '') continue;
    const m = /^case ([0-9a-f]{8})$/.exec(line);
    if (m) {
      out.push({ id: parseInt(m[1], 16), lines: pending });
      pending = [];
    } else if (out.length > 0 && /^[a-z0-9]+ [0-9a-f]+$/.test(line)) {
      out[out.length - 1].lines.push(line);
    } else {
      pending.push(line);
    }
  }
  if (pending.length) out.push({ id: -1, lines: pending });
  return out;
}

/** Checks that a dump has every case with the expected lines; returns problems (empty = ok). */
export function validateDump(serial: string, prog: GeneratedProgram, regNames: string[]): string[] {
  const problems: string[] = [];
  const cases = splitCases(serial);
  const byId = new Map(cases.map((c) => [c.id, c]));
  for (const c of prog.cases) {
    const d = byId.get(c.id);
    if (!d) { problems.push(`case ${c.id}: missing from the output`); continue; }
    const names = d.lines.filter((l) => !l.startsWith('EXC ')).map((l) => l.split(' ')[0]);
    const want = [...regNames, 'rflags', 'mem'];
    if (names.slice(0, want.length).join(',') !== want.join(',')) problems.push(`case ${c.id}: lines ${names.join(',')}, want ${want.join(',')}`);
    for (const l of d.lines) if (!/^(EXC [0-9a-f]{2} .*|[a-z0-9]+ [0-9a-f]+)$/.test(l)) problems.push(`case ${c.id}: unparseable line '${l}'`);
  }
  const tail = byId.get(-1)?.lines ?? [];
  if (tail[tail.length - 1] !== 'done') problems.push(`output does not end with 'done' (tail: ${JSON.stringify(tail.slice(-3))})`);
  return problems;
}

/** Compares two runs of `prog`; returns a readable report of the first differing cases, or ''. */
export function compareDumps(prog: GeneratedProgram, refName: string, ref: string, gotName: string, got: string, maxCases = 3): string {
  const a = new Map(splitCases(ref).map((c) => [c.id, c.lines]));
  const b = new Map(splitCases(got).map((c) => [c.id, c.lines]));
  const reports: string[] = [];
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (x === -1 ? 1 : y === -1 ? -1 : x - y));
  for (const id of ids) {
    const la = a.get(id) ?? [], lb = b.get(id) ?? [];
    if (la.join('\n') === lb.join('\n')) continue;
    const gc = prog.cases.find((c) => c.id === id);
    const r: string[] = [`${prog.name} (${prog.spec.mode}-bit) case ${id}:`];
    if (gc) {
      r.push('  listing:', ...gc.listing.map((l) => `    ${l}`));
      if (gc.flagMask) r.push(`  (RFLAGS bits 0x${gc.flagMask.toString(16)} masked as undefined)`);
    }
    const n = Math.max(la.length, lb.length);
    for (let i = 0; i < n; i++) {
      if (la[i] !== lb[i]) r.push(`  ${refName}: ${la[i] ?? '(missing)'}`, `  ${gotName}: ${lb[i] ?? '(missing)'}`);
    }
    reports.push(r.join('\n'));
    if (reports.length >= maxCases) break;
  }
  return reports.join('\n\n');
}
