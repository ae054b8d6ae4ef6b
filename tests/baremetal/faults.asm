; Deliberate faults, each printed by the runtime's handler (vector, error code,
; CR2 for #PF, faulting RIP) and resumed at a recovery point; then a marker line
; proves execution continued there. Exits with code 0x22 (status 0x45).
global test_main
extern rt_puts, fault_resume

%ifdef LONG_MODE
bits 64
%define PTR qword
%define AX_ rax
%else
bits 32
%define PTR dword
%define AX_ eax
%endif

section .data
s_ok: db "resumed", 10, 0
s_done: db "faults done", 10, 0

%macro RESUMED 0
    mov edi, s_ok
    call rt_puts
%endmacro

section .text
test_main:
    ; #DE: divide by zero
    mov PTR [fault_resume], .de1
    xor ecx, ecx
    mov eax, 1
    xor edx, edx
    div ecx
.de1:
    RESUMED
    ; #DE: quotient overflow (INT_MIN / -1)
    mov PTR [fault_resume], .de2
    mov eax, 0x80000000
    cdq
    mov ecx, -1
    idiv ecx
.de2:
    RESUMED
    ; #DE: 8-bit quotient does not fit
    mov PTR [fault_resume], .de3
    mov ax, 0x1234
    mov cl, 2
    div cl
.de3:
    RESUMED
    ; #UD
    mov PTR [fault_resume], .ud
    ud2
.ud:
    RESUMED
    ; #UD: LOCK on a register destination
    mov PTR [fault_resume], .ud2
    db 0xf0, 0x01, 0xc0                   ; lock add eax, eax
.ud2:
    RESUMED
    ; #BP (a trap: the reported RIP is after INT3)
    mov PTR [fault_resume], .bp
    int3
.bp:
    RESUMED
    ; #GP: selector beyond the GDT limit (error code = selector)
    mov PTR [fault_resume], .gp1
    mov ax, 0x1230
    mov ds, ax
.gp1:
    RESUMED
%ifndef LONG_MODE
    ; #GP: INT n beyond the IDT limit (error code = vector * 8 + 2, IDT bit set).
    ; Not in 64-bit mode: QEMU 7.2 reports vector * 16 + 2 there (SDM: vector * 8 + 2).
    mov PTR [fault_resume], .gp2
    int 0x40
.gp2:
    RESUMED
%endif
    ; #GP: a code segment loaded into SS (error code = selector). Not RDMSR of an
    ; unknown MSR or a reserved CR4 bit: QEMU 7.2 TCG raises no #GP for those.
    mov PTR [fault_resume], .gp3
    mov ax, 0x08
    mov ss, ax
.gp3:
    RESUMED
%ifdef LONG_MODE
    ; #GP: non-canonical address
    mov PTR [fault_resume], .gp4
    mov rax, 0x8000000000000000
    mov rax, [rax]
.gp4:
    RESUMED
    ; #PF: read of a not-present page (err 0)
    mov PTR [fault_resume], .pf1
    mov eax, 0x40001234
    mov eax, [rax]
.pf1:
    RESUMED
    ; #PF: write to a not-present page (err 2)
    mov PTR [fault_resume], .pf2
    mov eax, 0x40203000
    mov [rax], eax
.pf2:
    RESUMED
    ; #PF: write to a read-only page with CR0.WP=1 (err 3)
    mov PTR [fault_resume], .pf3
    mov eax, 0x3fe00008
    mov byte [rax], 1
.pf3:
    RESUMED
    ; #PF: instruction fetch from an NX page (err 0x11)
    mov PTR [fault_resume], .pf4
    mov eax, 0x3fc00000
    jmp rax
.pf4:
    RESUMED
%endif
    mov edi, s_done
    call rt_puts
    mov eax, 0x22
    ret
