/**
 * The MMU's view of EPT while a guest runs with "enable EPT": translates
 * guest-physical addresses through vmx/ept.ts and turns a violation or a
 * misconfiguration into the VM exit (reasons 48, 49) with the guest-physical
 * address, the guest-linear address when valid, and the qualification.
 */
import type { Cpu } from '../cpu.ts';
import type { Access, GpaTranslator } from '../mmu/pagingBits.ts';
import { EptResult, EptTrace, eptWalk, violationQualification, type EptAccess } from './ept.ts';
import { EXIT_REASON as R } from './exitReasons.ts';
import { vmExit } from './exit.ts';
import * as F from './slots.ts';

export class EptTranslator implements GpaTranslator {
  eptpLo = 0;
  eptpHi = 0;
  rights = 0;
  /** The last EPT walk (a debugger's second dimension). */
  readonly trace = new EptTrace();
  private readonly page1gb: boolean;

  constructor(private readonly c: Cpu) {
    this.page1gb = c.model.features.includes('PAGE1GB');
  }

  translate(gpaLo: number, gpaHi: number, access: Access, final: boolean, live: boolean): number {
    const c = this.c, tr = this.trace;
    const r = eptWalk(c.mem, this.eptpLo, this.eptpHi, gpaLo, gpaHi, access as number as EptAccess, c.model.maxPhysAddr,
      this.page1gb, tr);
    if (r === EptResult.Ok) { this.rights = tr.rights; return tr.hpa; }
    if (!live) return -1;
    const v = c.vmx.cache;
    v.set(F.GUEST_PHYSICAL_ADDRESS, gpaLo, gpaHi);
    v.set(F.VM_EXIT_INSTRUCTION_LEN, 0);
    v.set(F.VM_EXIT_INTR_INFO, 0);
    v.set(F.IDT_VECTORING_INFO_FIELD, 0);
    if (r === EptResult.Misconfig) return vmExit(c, R.EPT_MISCONFIG);
    // Every access here comes from translating a linear address (paging is on in an EPT guest).
    v.set(F.GUEST_LINEAR_ADDRESS, c.mmu.missLaLo, c.mmu.missLaHi);
    return vmExit(c, R.EPT_VIOLATION, violationQualification(access as number as EptAccess, tr.rights, true, final));
  }
}
