; Bare-metal VMX test (64-bit, our own hypervisor): enables VMX, exercises
; VMXON/VMCLEAR/VMPTRLD/VMPTRST/VMREAD/VMWRITE success and failure paths,
; launches a minimal 64-bit guest that runs CPUID, HLT, OUT, IN, VMCALL and
; UD2 (one VM exit each, resumed with VMRESUME), then an entry failure on
; guest state and on controls. Prints "PASS <name>" / "FAIL <name> got=.. want=.."
; and exits with 0 when everything passed, 1 otherwise.
global test_main
extern rt_puts, rt_hex64, rt_newline

%define REVISION_MSR 0x480

; VMCS field encodings (SDM Appendix B)
%define HOST_ES_SELECTOR 0x0c00
%define HOST_CS_SELECTOR 0x0c02
%define HOST_SS_SELECTOR 0x0c04
%define HOST_DS_SELECTOR 0x0c06
%define HOST_FS_SELECTOR 0x0c08
%define HOST_GS_SELECTOR 0x0c0a
%define HOST_TR_SELECTOR 0x0c0c
%define VMCS_LINK_POINTER 0x2800
%define EPT_POINTER 0x201a
%define GUEST_PHYSICAL_ADDRESS 0x2400
%define GUEST_LINEAR_ADDRESS 0x640a
%define SECONDARY_CONTROLS 0x401e
%define PIN_BASED 0x4000
%define PROC_BASED 0x4002
%define EXCEPTION_BITMAP 0x4004
%define EXIT_CONTROLS 0x400c
%define ENTRY_CONTROLS 0x4012
%define VM_INSTRUCTION_ERROR 0x4400
%define EXIT_REASON 0x4402
%define EXIT_INTR_INFO 0x4404
%define EXIT_INSN_LEN 0x440c
%define GUEST_ES_LIMIT 0x4800
%define GUEST_ES_AR 0x4814
%define GUEST_GDTR_LIMIT 0x4810
%define GUEST_IDTR_LIMIT 0x4812
%define ENTRY_INTR_INFO 0x4016
%define ENTRY_ERROR_CODE 0x4018
%define ENTRY_INSN_LEN 0x401a
%define GUEST_ACTIVITY 0x4826
%define EXIT_QUALIFICATION 0x6400
%define GUEST_CR0 0x6800
%define GUEST_CR3 0x6802
%define GUEST_CR4 0x6804
%define GUEST_ES_BASE 0x6806
%define GUEST_GDTR_BASE 0x6816
%define GUEST_IDTR_BASE 0x6818
%define GUEST_DR7 0x681a
%define GUEST_RSP 0x681c
%define GUEST_RIP 0x681e
%define GUEST_RFLAGS 0x6820
%define HOST_CR0 0x6c00
%define HOST_CR3 0x6c02
%define HOST_CR4 0x6c04
%define HOST_TR_BASE 0x6c0a
%define HOST_GDTR_BASE 0x6c0c
%define HOST_IDTR_BASE 0x6c0e
%define HOST_RSP 0x6c14
%define HOST_RIP 0x6c16

%macro VMW 2
    mov r8, %1
    mov r9, %2
    vmwrite r8, r9
%endmacro
%macro VMR 1          ; value -> r9
    mov r8, %1
    vmread r9, r8
%endmacro
; CHECK actual, expected, "name"
%macro CHECK 3
[section .data]
%%name: db %3, 0
__?SECT?__
    mov rdi, %1
    mov rsi, %2
    mov rdx, %%name
    call check
%endmacro
; FLAGS "name", expected: compares CF|ZF (pushfq) right after a VMX instruction
%macro FLAGS 2
    pushfq
    pop rax
    and eax, 0x41
    CHECK rax, %2, %1
%endmacro
; Enters the guest with %1 (vmlaunch/vmresume); execution continues at the
; next line either after a VM exit (exited=1) or when the instruction fails (exited=0).
%macro ENTER 1
    mov qword [exited], 0
    mov rax, %%back
    mov [exit_cont], rax
    VMW HOST_RSP, rsp
    %1
    pushfq
    pop qword [entry_flags]
%%back:
%endmacro

section .bss
alignb 4096
vmxon_region: resb 4096
vmcs_region: resb 4096
vmcs2_region: resb 4096
guest_stack: resb 4096
guest_stack_top:
tss: resb 128
alignb 16
guest_idt: resb 256 * 16
alignb 4096
ept_pml4: resb 4096
ept_pdpt: resb 4096
ept_pd: resb 4096

section .data
align 8
exit_cont: dq 0
exited: dq 0
entry_flags: dq 0
failures: dq 0
ptr_vmxon: dq vmxon_region
ptr_vmcs: dq vmcs_region
ptr_vmcs2: dq vmcs2_region
ptr_bad: dq vmcs_region + 8
ptr_store: dq 0
invept_desc: dq 0, 0
gdtr_save: times 10 db 0
idtr_save: times 10 db 0
s_pass: db "PASS ", 0
s_fail: db "FAIL ", 0
s_got: db " got=", 0
s_want: db " want=", 0

section .text
bits 64

; check: rdi actual, rsi expected, rdx name
check:
    push rdi
    cmp rdi, rsi
    jne .bad
    mov rdi, s_pass
    call rt_puts
    mov rdi, rdx
    call rt_puts
    call rt_newline
    pop rdi
    ret
.bad:
    inc qword [failures]
    mov rdi, s_fail
    call rt_puts
    mov rdi, rdx
    call rt_puts
    mov rdi, s_got
    call rt_puts
    mov rdi, [rsp]
    call rt_hex64
    mov rdi, s_want
    call rt_puts
    mov rdi, rsi
    call rt_hex64
    call rt_newline
    pop rdi
    ret

; adjust: ecx = capability MSR, eax = wanted controls -> eax = (wanted | allowed0) & allowed1
adjust:
    push rdx
    push rbx
    mov ebx, eax
    rdmsr
    or ebx, eax
    and ebx, edx
    mov eax, ebx
    pop rbx
    pop rdx
    ret

vm_exit_entry:                       ; HOST_RIP
    mov qword [exited], 1
    jmp [exit_cont]

guest_code:
    xor eax, eax
    cpuid                            ; exit 10
    hlt                              ; exit 12 (HLT exiting)
    mov al, 0x55
    out 0x80, al                     ; exit 30, immediate port
    mov dx, 0x71
    in al, dx                        ; exit 30, DX port, IN
    vmcall                           ; exit 18
    ud2                              ; exit 0 (exception bitmap bit 6)
.spin:
    jmp .spin

; MTF guest: two single-stepped NOPs, then VMCALL; preemption-timer guest: a spin loop
guest_mtf:
    nop
    nop
    vmcall
guest_spin:
    jmp guest_spin
guest_bench:                         ; bench: one CPUID exit per loop
    cpuid
    jmp guest_bench

; handlers in the guest's own IDT for injected events
guest_int40:
    vmcall
guest_gp:
    vmcall

; set_gate: rdi = vector, rsi = handler -> 64-bit interrupt gate (CS 0x18, DPL 0) in guest_idt
set_gate:
    shl rdi, 4
    add rdi, guest_idt
    mov rax, rsi
    mov [rdi], ax
    mov word [rdi + 2], 0x18
    mov word [rdi + 4], 0x8e00
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    ret

; EPT guest: a permitted read, a write to a read-only EPT page, a read through a misconfigured entry
guest_ept:
    mov al, [0x600000]
    mov byte [0x600000], 1          ; exit 48 (EPT violation), then retried after the host allows writes
    mov al, [0x800000]              ; exit 49 (EPT misconfiguration: write without read)
    vmcall
.spin:
    jmp .spin

test_main:
    ; CPUID.1:ECX.VMX[bit 5]
    mov eax, 1
    cpuid
    shr ecx, 5
    and ecx, 1
    CHECK rcx, 1, "cpuid.vmx"
    ; IA32_FEATURE_CONTROL: lock + enable VMX outside SMX
    mov ecx, 0x3a
    mov eax, 5
    xor edx, edx
    wrmsr
    mov rax, cr4
    or eax, 1 << 13
    mov cr4, rax
    mov rax, cr0                               ; CR0.NE is fixed to 1 in VMX operation
    or eax, 1 << 5
    mov cr0, rax
    ; revision identifiers into the regions
    mov ecx, REVISION_MSR
    rdmsr
    mov [vmcs_region], eax
    mov [vmcs2_region], eax
    mov dword [vmxon_region], 0x12345          ; wrong revision first
    vmxon [ptr_vmxon]
    FLAGS "vmxon.bad_revision.failinvalid", 1
    mov ecx, REVISION_MSR
    rdmsr
    mov [vmxon_region], eax
    vmxon [ptr_bad]
    FLAGS "vmxon.unaligned.failinvalid", 1
    vmxon [ptr_vmxon]
    FLAGS "vmxon.succeed", 0
    vmxon [ptr_vmxon]
    FLAGS "vmxon.in_root.failinvalid", 1      ; VMfail(15) without a current VMCS
    vmptrld [ptr_vmxon]
    FLAGS "vmptrld.vmxon_ptr.failinvalid", 1
    vmclear [ptr_vmcs]
    FLAGS "vmclear.succeed", 0
    vmptrld [ptr_vmcs]
    FLAGS "vmptrld.succeed", 0
    vmptrst [ptr_store]
    FLAGS "vmptrst.succeed", 0
    CHECK [ptr_store], vmcs_region, "vmptrst.value"
    vmptrld [ptr_vmxon]
    FLAGS "vmptrld.vmxon_ptr.failvalid", 0x40
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 10, "vmptrld.vmxon_ptr.error10"
    mov r8, 0x2012                             ; virtual-APIC address: no TPR shadow here
    vmread r9, r8
    FLAGS "vmread.unsupported.failvalid", 0x40
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 12, "vmread.unsupported.error12"
    VMW EXIT_REASON, 5
    FLAGS "vmwrite.readonly.failvalid", 0x40
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 13, "vmwrite.readonly.error13"
    VMW GUEST_RSP, 0x1234567890
    VMR GUEST_RSP
    CHECK r9, 0x1234567890, "vmwrite.vmread.roundtrip"
    mov r8, GUEST_RSP | 1                      ; high access of a natural-width field does not exist
    vmread r9, r8
    FLAGS "vmread.high_natural.failvalid", 0x40
    vmresume
    FLAGS "vmresume.nonlaunched.failvalid", 0x40
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 5, "vmresume.nonlaunched.error5"

    ; ---- a minimal 64-bit guest ----
    mov ecx, 0x48d                             ; TRUE_PINBASED
    xor eax, eax
    call adjust
    VMW PIN_BASED, rax
    mov ecx, 0x48e                             ; TRUE_PROCBASED: HLT exiting, unconditional I/O exiting
    mov eax, (1 << 7) | (1 << 24)
    call adjust
    VMW PROC_BASED, rax
    mov ecx, 0x48f                             ; TRUE_EXIT: host address-space size
    mov eax, 1 << 9
    call adjust
    VMW EXIT_CONTROLS, rax
    mov ecx, 0x490                             ; TRUE_ENTRY: IA-32e mode guest
    mov eax, 1 << 9
    call adjust
    VMW ENTRY_CONTROLS, rax
    VMW EXCEPTION_BITMAP, 1 << 6
    mov rax, cr0
    VMW HOST_CR0, rax
    VMW GUEST_CR0, rax
    mov rax, cr3
    VMW HOST_CR3, rax
    VMW GUEST_CR3, rax
    mov rax, cr4
    VMW HOST_CR4, rax
    VMW GUEST_CR4, rax
    VMW HOST_CS_SELECTOR, 0x18
    VMW HOST_SS_SELECTOR, 0x10
    VMW HOST_DS_SELECTOR, 0x10
    VMW HOST_ES_SELECTOR, 0x10
    VMW HOST_FS_SELECTOR, 0x10
    VMW HOST_GS_SELECTOR, 0x10
    VMW HOST_TR_SELECTOR, 0x20
    VMW HOST_TR_BASE, tss
    sgdt [gdtr_save]
    sidt [idtr_save]
    VMW HOST_GDTR_BASE, [gdtr_save + 2]
    VMW HOST_IDTR_BASE, [idtr_save + 2]
    VMW HOST_RIP, vm_exit_entry
    ; guest segments: ES CS SS DS FS GS LDTR TR are consecutive encodings (step 2)
    xor ecx, ecx
.segs:
    mov r10, 0x10                              ; selector
    mov r11, 0xc093                            ; access rights
    mov r12, 0xffffffff                        ; limit
    cmp ecx, 1
    jne .not_cs
    mov r10, 0x18
    mov r11, 0xa09b
.not_cs:
    cmp ecx, 6
    jne .not_ldtr
    xor r10, r10
    mov r11, 0x10000
    xor r12, r12
.not_ldtr:
    cmp ecx, 7
    jne .not_tr
    mov r10, 0x20
    mov r11, 0x8b
    mov r12, 0x67
.not_tr:
    lea r8, [0x0800 + rcx * 2]
    vmwrite r8, r10
    lea r8, [GUEST_ES_AR + rcx * 2]
    vmwrite r8, r11
    lea r8, [GUEST_ES_LIMIT + rcx * 2]
    vmwrite r8, r12
    lea r8, [GUEST_ES_BASE + rcx * 2]
    xor r9, r9
    cmp ecx, 7
    jne .base
    mov r9, tss
.base:
    vmwrite r8, r9
    inc ecx
    cmp ecx, 8
    jne .segs
    VMW GUEST_GDTR_BASE, [gdtr_save + 2]
    movzx eax, word [gdtr_save]
    VMW GUEST_GDTR_LIMIT, rax
    VMW GUEST_IDTR_BASE, [idtr_save + 2]
    movzx eax, word [idtr_save]
    VMW GUEST_IDTR_LIMIT, rax
    VMW GUEST_DR7, 0x400
    VMW GUEST_RFLAGS, 2
    VMW GUEST_RSP, guest_stack_top
    VMW GUEST_RIP, guest_code
    VMW VMCS_LINK_POINTER, -1

    ENTER vmlaunch
    CHECK [exited], 1, "vmlaunch.exit"
    VMR EXIT_REASON
    CHECK r9, 10, "exit.cpuid.reason"
    VMR EXIT_INSN_LEN
    CHECK r9, 2, "exit.cpuid.length"
    VMR GUEST_RIP
    CHECK r9, guest_code + 2, "exit.cpuid.rip"
    call skip_insn
%ifdef BENCH_ITER
    ; bench/vmx.ts: BENCH_ITER CPUID exits, each handled by advancing RIP and VMRESUME
    VMW GUEST_RIP, guest_bench
    mov r15, BENCH_ITER
.bench:
    ENTER vmresume
    call skip_insn
    dec r15
    jnz .bench
    xor eax, eax
    ret
%endif
    ENTER vmlaunch
    CHECK [entry_flags], 0x42, "vmlaunch.launched.failvalid"   ; ZF (+ reserved bit 1)
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 4, "vmlaunch.launched.error4"
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 12, "exit.hlt.reason"
    VMR EXIT_INSN_LEN
    CHECK r9, 1, "exit.hlt.length"
    call skip_insn
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 30, "exit.out.reason"
    VMR EXIT_QUALIFICATION
    CHECK r9, 0x00800040, "exit.out.qualification"
    call skip_insn
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 30, "exit.in.reason"
    VMR EXIT_QUALIFICATION
    CHECK r9, 0x00710008, "exit.in.qualification"
    call skip_insn
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 18, "exit.vmcall.reason"
    call skip_insn
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 0, "exit.ud.reason"
    VMR EXIT_INTR_INFO
    CHECK r9, 0x80000306, "exit.ud.intr_info"

    ; entry failure on guest state: RFLAGS bit 1 must be 1 -> reason 33 | 1<<31
    VMW GUEST_RFLAGS, 0
    ENTER vmresume
    CHECK [exited], 1, "entry.guest_state.exit"
    VMR EXIT_REASON
    CHECK r9, 0x80000021, "entry.guest_state.reason"
    VMR EXIT_QUALIFICATION
    CHECK r9, 0, "entry.guest_state.qualification"
    VMW GUEST_RFLAGS, 2
    ; entry failure on controls: pin-based default1 bits cleared -> VMfailValid(7)
    VMW PIN_BASED, 0
    ENTER vmresume
    CHECK [exited], 0, "entry.controls.no_exit"
    CHECK [entry_flags], 0x42, "entry.controls.failvalid"
    VMR VM_INSTRUCTION_ERROR
    CHECK r9, 7, "entry.controls.error7"

    ; ---- EPT: identity map of 0..1 GiB with 2-MByte pages, 6 MiB read-only, 8 MiB write-only ----
    mov ecx, 0x48b                             ; PROCBASED_CTLS2: allowed-1 in the high half
    rdmsr
    mov eax, edx
    and eax, 2
    CHECK rax, 2, "ept.advertised"
    mov rax, ept_pdpt
    or rax, 7
    mov [ept_pml4], rax
    mov rax, ept_pd
    or rax, 7
    mov [ept_pdpt], rax
    xor ecx, ecx
.ept_fill:
    mov rax, rcx
    shl rax, 21
    or rax, 0x80 | (6 << 3) | 7                ; 2-MByte page, WB, RWX
    mov [ept_pd + rcx * 8], rax
    inc ecx
    cmp ecx, 512
    jne .ept_fill
    and qword [ept_pd + 3 * 8], ~6             ; 0x600000: read only
    and qword [ept_pd + 4 * 8], ~5             ; 0x800000: write only (misconfiguration)
    mov rax, ept_pml4
    or rax, 6 | (3 << 3)                       ; WB, 4-level walk
    mov [invept_desc], rax
    VMW EPT_POINTER, rax
    VMW PIN_BASED, 0x16
    mov ecx, 0x48e
    mov eax, (1 << 7) | (1 << 24) | (1 << 31)  ; + activate secondary controls
    call adjust
    VMW PROC_BASED, rax
    VMW SECONDARY_CONTROLS, 2                  ; enable EPT
    VMW GUEST_RIP, guest_ept
    ENTER vmresume
    CHECK [exited], 1, "ept.exit"
    VMR EXIT_REASON
    CHECK r9, 48, "ept.violation.reason"
    VMR EXIT_QUALIFICATION
    CHECK r9, 0x18a, "ept.violation.qualification"   ; write, readable, linear address valid, final translation
    VMR GUEST_PHYSICAL_ADDRESS
    CHECK r9, 0x600000, "ept.violation.gpa"
    VMR GUEST_LINEAR_ADDRESS
    CHECK r9, 0x600000, "ept.violation.gla"
    VMR GUEST_RIP
    CHECK r9, guest_ept + 7, "ept.violation.rip"
    or qword [ept_pd + 3 * 8], 7
    mov eax, 1
    invept rax, [invept_desc]
    FLAGS "invept.single.succeed", 0
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 49, "ept.misconfig.reason"
    VMR GUEST_PHYSICAL_ADDRESS
    CHECK r9, 0x800000, "ept.misconfig.gpa"
    CHECK [0x600000], 1, "ept.write.retried"
    or qword [ept_pd + 4 * 8], 7
    mov eax, 2
    invept rax, [invept_desc]
    FLAGS "invept.global.succeed", 0
    mov eax, 3
    invept rax, [invept_desc]
    FLAGS "invept.type3.failvalid", 0x40
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 18, "ept.vmcall.reason"

    ; ---- monitor trap flag: an exit after each guest instruction, RIP at the next one ----
    mov ecx, 0x48e
    mov eax, (1 << 7) | (1 << 24) | (1 << 27) | (1 << 31)
    call adjust
    VMW PROC_BASED, rax
    VMW GUEST_RIP, guest_mtf
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 37, "mtf.first.reason"
    VMR GUEST_RIP
    CHECK r9, guest_mtf + 1, "mtf.first.rip"
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 37, "mtf.second.reason"
    VMR GUEST_RIP
    CHECK r9, guest_mtf + 2, "mtf.second.rip"
    mov ecx, 0x48e
    mov eax, (1 << 7) | (1 << 24) | (1 << 31)
    call adjust
    VMW PROC_BASED, rax
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 18, "mtf.off.vmcall"
    ; ---- VMX-preemption timer: 50 ticks into a spin loop, value saved on exit ----
    mov ecx, 0x48d
    mov eax, 1 << 6
    call adjust
    VMW PIN_BASED, rax
    mov ecx, 0x48f
    mov eax, (1 << 9) | (1 << 22)
    call adjust
    VMW EXIT_CONTROLS, rax
    VMW 0x482e, 50
    VMW GUEST_RIP, guest_spin
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 52, "preemption.reason"
    VMR 0x482e
    CHECK r9, 0, "preemption.saved_value"
    VMR GUEST_RIP
    CHECK r9, guest_spin, "preemption.rip"

    ; ---- event injection through the guest's own IDT ----
    mov ecx, 0x48d                             ; timer off again
    xor eax, eax
    call adjust
    VMW PIN_BASED, rax
    mov ecx, 0x48f
    mov eax, 1 << 9
    call adjust
    VMW EXIT_CONTROLS, rax
    mov edi, 0x40
    mov rsi, guest_int40
    call set_gate
    mov edi, 13
    mov rsi, guest_gp
    call set_gate
    VMW GUEST_IDTR_BASE, guest_idt
    VMW GUEST_IDTR_LIMIT, 256 * 16 - 1
    VMW GUEST_RSP, guest_stack_top
    VMW GUEST_RIP, guest_spin
    VMW ENTRY_INTR_INFO, 0x80000440            ; software interrupt (type 4), vector 40h
    VMW ENTRY_INSN_LEN, 2
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 18, "inject.int.delivered"
    VMR GUEST_RIP
    CHECK r9, guest_int40, "inject.int.handler"
    CHECK [guest_stack_top - 40], guest_spin + 2, "inject.int.return_rip"
    VMR ENTRY_INTR_INFO
    CHECK r9, 0x440, "inject.valid_cleared_on_exit"
    VMW GUEST_RSP, guest_stack_top
    VMW GUEST_RIP, guest_spin
    VMW ENTRY_INTR_INFO, 0x80000b0d            ; #GP (hardware exception, type 3) with an error code
    VMW ENTRY_ERROR_CODE, 0x1234
    ENTER vmresume
    VMR EXIT_REASON
    CHECK r9, 18, "inject.gp.delivered"
    VMR GUEST_RIP
    CHECK r9, guest_gp, "inject.gp.handler"
    CHECK [guest_stack_top - 48], 0x1234, "inject.gp.error_code"
    CHECK [guest_stack_top - 40], guest_spin, "inject.gp.return_rip"

    vmclear [ptr_vmcs]
    FLAGS "vmclear.current.succeed", 0
    vmptrst [ptr_store]
    CHECK [ptr_store], -1, "vmptrst.after_vmclear"
    vmread r9, r8
    FLAGS "vmread.no_current.failinvalid", 1
    vmxoff
    FLAGS "vmxoff.succeed", 0
    mov rax, [failures]
    test rax, rax
    setnz al
    movzx eax, al
    ret

; GUEST_RIP += exit instruction length
skip_insn:
    VMR EXIT_INSN_LEN
    mov r10, r9
    VMR GUEST_RIP
    add r9, r10
    mov r8, GUEST_RIP
    vmwrite r8, r9
    ret
