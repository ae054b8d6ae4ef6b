/**
 * Architectural constants for paging (Intel SDM Vol. 3A chapter 4) and the
 * small encodings the walker and the soft TLB share.
 */

/** The kind of access being translated. */
export const enum Access { Read = 0, Write = 1, Fetch = 2 }

/**
 * Second-level translation of guest-physical addresses (VMX EPT). `live`: a
 * real access, which may end in a VM exit (thrown); otherwise returns -1 on
 * failure. `final`: the access is to the translation of the linear address,
 * not to a paging-structure entry. `rights` holds R/W/X (bits 2:0) of the last
 * successful translation and `pageBits` its page size.
 */
export interface GpaTranslator {
  translate(gpaLo: number, gpaHi: number, access: Access, final: boolean, live: boolean): number;
  rights: number;
}

/** Which of the SDM's paging modes is in use (SDM 4.1.1). */
export const enum PagingMode { None = 0, Bits32 = 1, Pae = 2, Level4 = 3, Level5 = 4 }

// Control-register bits the MMU looks at.
export const CR0_WP = 1 << 16;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;
export const CR4_LA57 = 1 << 12;
export const CR4_PCIDE = 1 << 17;
export const CR4_SMEP = 1 << 20;
export const CR4_SMAP = 1 << 21;
export const CR4_PKE = 1 << 22;
export const EFER_LME = 1 << 8;
export const EFER_LMA = 1 << 10;
export const EFER_NXE = 1 << 11;

/** Page-fault error code bits (SDM 4.7, Figure 4-12). */
export const PFEC_P = 1 << 0;
export const PFEC_W = 1 << 1;
export const PFEC_U = 1 << 2;
export const PFEC_RSVD = 1 << 3;
export const PFEC_I = 1 << 4;
export const PFEC_PK = 1 << 5;
export const PFEC_SS = 1 << 6;
export const PFEC_SGX = 1 << 15;

// Paging-structure entry bits (low word).
export const PTE_P = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_US = 1 << 2;
export const PTE_A = 1 << 5;
export const PTE_D = 1 << 6;
export const PTE_PS = 1 << 7;
export const PTE_G = 1 << 8;
/** XD is bit 63: bit 31 of the high word. */
export const PTE_HI_XD = 1 << 31;

/**
 * Access rights of a translation, combined over every level as SDM 4.6 says
 * (R/W and U/S are ANDed, XD is ORed), plus what the leaf adds. The TLB stores
 * exactly this, so permission checks on a hit see what a walk would.
 */
export const RIGHT_RW = 1;
export const RIGHT_US = 2;
export const RIGHT_XD = 4;
/** The leaf's dirty flag was already set: a write needs no A/D update. */
export const RIGHT_DIRTY = 8;
/** Global translation (leaf G=1 with CR4.PGE=1). */
export const RIGHT_GLOBAL = 16;
/** 4-level/5-level leaf: the protection key in bits 11:8 is meaningful. */
export const RIGHT_PKEY_VALID = 32;
export const RIGHT_PKEY_SHIFT = 8;

/**
 * "Allowed" mask: one bit per kind of access, derived from rights and the
 * current CR0.WP / CR4.SMEP / CR4.SMAP. Bit index = allowBit(access, user, ac).
 */
export const ALLOW_SUP = 0;      // + access: supervisor (or implicit) access, SMAP not waived
export const ALLOW_USER = 3;     // + access: user-mode access
export const ALLOW_SUP_AC = 6;   // + access: explicit supervisor data access with EFLAGS.AC=1
export const ALLOW_WRITE_BITS = (1 << (ALLOW_SUP + 1)) | (1 << (ALLOW_USER + 1)) | (1 << (ALLOW_SUP_AC + 1));

export function allowBit(access: Access, user: boolean, ac: boolean): number {
  if (user) return ALLOW_USER + access;
  return ac && access !== Access.Fetch ? ALLOW_SUP_AC + access : ALLOW_SUP + access;
}

/**
 * Which accesses SDM 4.6 permits to a page with these combined rights (dirty
 * flag not considered: a write to a clean page is allowed and sets D).
 * PKU is separate (pkDenied) because PKRU changes without a TLB flush.
 */
export function allowedMask(rights: number, wp: boolean, smep: boolean, smap: boolean): number {
  const rw = (rights & RIGHT_RW) !== 0;
  const us = (rights & RIGHT_US) !== 0;
  const xd = (rights & RIGHT_XD) !== 0;
  const supWriteOk = !wp || rw;
  const smapBlocks = smap && us;
  let m = 0;
  if (!smapBlocks) m |= 1 << (ALLOW_SUP + Access.Read);
  if (!smapBlocks && supWriteOk) m |= 1 << (ALLOW_SUP + Access.Write);
  if (!xd && !(smep && us)) m |= 1 << (ALLOW_SUP + Access.Fetch);
  if (us) m |= 1 << (ALLOW_USER + Access.Read);
  if (us && rw) m |= 1 << (ALLOW_USER + Access.Write);
  if (us && !xd) m |= 1 << (ALLOW_USER + Access.Fetch);
  m |= 1 << (ALLOW_SUP_AC + Access.Read);
  if (supWriteOk) m |= 1 << (ALLOW_SUP_AC + Access.Write);
  // A fetch never uses the AC slot; keep supervisor fetch there too for uniformity.
  if (m & (1 << (ALLOW_SUP + Access.Fetch))) m |= 1 << (ALLOW_SUP_AC + Access.Fetch);
  return m;
}

/**
 * Protection-key check (SDM 4.6.2): data accesses to user-mode pages only.
 * AD denies all data access; WD denies writes by user mode, and by supervisor
 * mode when CR0.WP=1.
 */
export function pkDenied(pkey: number, access: Access, user: boolean, wp: boolean, pkru: number): boolean {
  if (access === Access.Fetch) return false;
  const bits = pkru >>> (pkey * 2);
  if (bits & 1) return true;
  return access === Access.Write && (bits & 2) !== 0 && (user || wp);
}
