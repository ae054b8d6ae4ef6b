/**
 * A ring of the last VM exits (and VM-entry failures) for the debugger's
 * VM-exit log and exit-reason breakpoints: exit reason (bit 31 for entry
 * failures), qualification, guest RIP, and the icount when it happened. Plain
 * typed arrays; a debug aid, not architectural state (snapshots skip it).
 */
export const EXIT_LOG_SIZE = 256;

export class VmExitLog {
  readonly reason = new Uint32Array(EXIT_LOG_SIZE);
  readonly qualLo = new Uint32Array(EXIT_LOG_SIZE);
  readonly qualHi = new Uint32Array(EXIT_LOG_SIZE);
  readonly ripLo = new Uint32Array(EXIT_LOG_SIZE);
  readonly ripHi = new Uint32Array(EXIT_LOG_SIZE);
  readonly icount = new Float64Array(EXIT_LOG_SIZE);
  /** Exits recorded since reset; entry k (k >= total - EXIT_LOG_SIZE) is at slot k % EXIT_LOG_SIZE. */
  total = 0;

  push(reason: number, qLo: number, qHi: number, ripLo: number, ripHi: number, icount: number): void {
    const k = this.total % EXIT_LOG_SIZE;
    this.reason[k] = reason; this.qualLo[k] = qLo; this.qualHi[k] = qHi;
    this.ripLo[k] = ripLo; this.ripHi[k] = ripHi; this.icount[k] = icount;
    this.total++;
  }

  /** Exit reasons recorded from sequence number `since` on (oldest first), at most the ring's size. */
  reasonsSince(since: number): number[] {
    const out: number[] = [];
    for (let k = Math.max(since, this.total - EXIT_LOG_SIZE); k < this.total; k++) out.push(this.reason[k % EXIT_LOG_SIZE]);
    return out;
  }

  clear(): void { this.total = 0; }
}
