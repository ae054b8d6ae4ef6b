import { describe, expect, it } from 'vitest';
import { FieldGroup, FieldWidth, VMCS_FIELDS, fieldGroup, fieldSlot, fieldWidth, isReadOnly } from './fields.ts';
import { FIELD_COUNT, VMCS_OFF_FIELDS, VMCS_REGION_SIZE } from './vmcs.ts';

describe('VMCS field table (SDM Appendix B)', () => {
  it('has unique names and encodings, all with access type "full" and reserved bits 12 and 15 clear', () => {
    expect(new Set(VMCS_FIELDS.map((f) => f.name)).size).toBe(VMCS_FIELDS.length);
    expect(new Set(VMCS_FIELDS.map((f) => f.enc)).size).toBe(VMCS_FIELDS.length);
    for (const f of VMCS_FIELDS) expect(f.enc & 0x9001, f.name).toBe(0);
  });
  it('names agree with the group and width the encoding bits give', () => {
    for (const f of VMCS_FIELDS) {
      const g = fieldGroup(f.enc);
      if (f.name.startsWith('GUEST_') && f.name !== 'GUEST_PHYSICAL_ADDRESS' && f.name !== 'GUEST_LINEAR_ADDRESS') {
        expect(g, f.name).toBe(FieldGroup.Guest);
      }
      if (f.name.startsWith('HOST_')) expect(g, f.name).toBe(FieldGroup.Host);
    }
    expect(fieldWidth(0x681e)).toBe(FieldWidth.Natural); // GUEST_RIP
    expect(fieldWidth(0x2800)).toBe(FieldWidth.W64); // VMCS link pointer
    expect(fieldWidth(0x4002)).toBe(FieldWidth.W32);
    expect(fieldWidth(0x0802)).toBe(FieldWidth.W16);
    expect(isReadOnly(0x4402)).toBe(true); // exit reason
    expect(isReadOnly(0x681e)).toBe(false);
  });
  it('accepts the high access type only for 64-bit fields', () => {
    expect(fieldSlot(0x2801)).toBe(fieldSlot(0x2800)); // VMCS link pointer (high)
    expect(fieldSlot(0x681f)).toBe(-1); // GUEST_RIP is natural width
    expect(fieldSlot(0x4003)).toBe(-1);
    expect(fieldSlot(0x1234)).toBe(-1);
  });
  it('the in-memory layout fits in the 4-KByte region', () => {
    expect(VMCS_OFF_FIELDS + FIELD_COUNT * 8).toBeLessThanOrEqual(VMCS_REGION_SIZE);
  });
});
