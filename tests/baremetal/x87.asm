; x87 differential program: arithmetic in every operand form, rounding and precision
; control, compares (FSW condition codes and FCOMI EFLAGS), conversions to and from
; memory formats, constants, stack housekeeping, FNSTENV/FNSAVE/FXSAVE images, and
; #MF / #NM. Every result is printed in hex (80-bit values as exponent:significand), so
; QEMU and vmxlab must print the same lines. Build with WANT_SSE (CR4.OSFXSR for FXSAVE).
; Where QEMU 7.2's TCG departs from the SDM the program does not look (tests/cpu/x87*.test.ts
; check those against the SDM instead):
;  - no stack overflow/underflow faults (SF, IE, C1) and FSIN/FCOS/FPTAN/FSINCOS in host
;    double precision: not exercised;
;  - C1 "rounded up" is never set, C2 is set by FSQRT of a negative, FPREM1 reports no
;    quotient bits: printed with C0-C3 masked (prswx);
;  - FLDENV does not load FIP/FDP: a memory-operand instruction follows each FLDENV;
;  - no DE on FLD of a denormal; an unmasked pre-computation exception (ZE) still pops:
;    not exercised;
;  - FXSAVE stores FOP/FIP/FDP as zero and leaves bytes 10-15 of each register slot
;    alone; FNSTENV/FNSAVE store 0 (Intel: FFFFH) in the unused upper halves: masked.
; Exits with code 0x23.
global test_main
extern rt_puts, rt_putc, rt_hex32, rt_hex8, rt_newline, fault_resume

%ifdef LONG_MODE
bits 64
%define PTR qword
%define SI_ rsi
%define AX_ rax
%define DI_ rdi
%define rcx_ rcx
%else
bits 32
%define PTR dword
%define SI_ esi
%define AX_ eax
%define DI_ edi
%define rcx_ ecx
%endif

section .data
align 16
c_a:     dq 2.5
c_b:     dq -0.375
c_third: dq 0.3333333333333333
c_big:   dq 1.0e300
c_tiny:  dq 1.0e-300
c_seven: dq 7.0
c_two:   dq 2.0
c_m75:   dq -7.5
c_m65:   dq -6.5
c_r32:   dd 1.5
c_den32: dd 0x00000003          ; single denormal
c_snan32: dd 0x7f800001
c_qnan64: dq 0x7ff8000000000123
c_inf64: dq 0x7ff0000000000000
c_i16:   dw -12
c_i32:   dd 100000
c_i64:   dq -1234567890123
c_bcd:   db 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80   ; -123456789
c_half:  dq 0.5
c_quarter: dq 0.25
c_x:     dq 1.75
c_y:     dq 0.3
cw_tmp:  dw 0
s_sw:    db " sw=", 0
s_ef:    db " ef=", 0

section .bss
alignb 64
area:    resb 1024
tw:      resb 16
tmp:     resb 16

section .text

; Print a label (edi = string) and nothing else.
%macro LABEL 1
[section .data]
%%s: db %1, 0
__SECT__
    mov edi, %%s
    call rt_puts
%endmacro

; Pop ST(0) to memory as m80 and print " eeee:hhhhhhhhllllllll".
pop80:
    fstp tword [tw]
    mov edi, ' '
    call rt_putc
    movzx edi, word [tw + 8]
    call hex16
    mov edi, ':'
    call rt_putc
    mov edi, [tw + 4]
    call rt_hex32
    mov edi, [tw]
    call rt_hex32
    ret

hexsp:
    push DI_
    mov edi, ' '
    call rt_putc
    pop DI_
    jmp rt_hex32

hex16:
    push DI_
    shr edi, 8
    call rt_hex8
    pop DI_
    call rt_hex8
    ret

; Print " sw=xxxx" (FNSTSW, all bits).
prsw:
    push AX_
    fnstsw ax
    mov edi, s_sw
    call rt_puts
    movzx edi, ax
    call hex16
    pop AX_
    ret

;  Print " sw=xxxx" with C0-C3 cleared.
prswx:
    push AX_
    fnstsw ax
    and ax, 0xb8ff
    mov edi, s_sw
    call rt_puts
    movzx edi, ax
    call hex16
    pop AX_
    ret

; Print " ef=xxxxxxxx" (EFLAGS OF SF ZF AF PF CF).
pref:
    pushf
    pop AX_
    push AX_
    mov edi, s_ef
    call rt_puts
    pop DI_
    and edi, 0x8d5
    call rt_hex32
    ret

; Print ecx dwords from SI_ as hex, space separated.
dump:
    mov edi, ' '
    call rt_putc
    mov edi, [SI_]
    call rt_hex32
    add SI_, 4
    dec ecx
    jnz dump
    call rt_newline
    ret

; The 32-bit environment at area: clear the reserved upper halves (Intel FFFFH, QEMU 0)
; and C0-C3 of the saved FSW (C1 "rounded up" is not modelled by QEMU).
mask_env:
    mov word [area + 2], 0
    and word [area + 4], 0xb8ff
    mov word [area + 6], 0
    mov word [area + 10], 0
    mov word [area + 26], 0
    ret

; FXSAVE image: FOP, FIP, FDP (QEMU stores zeros) cleared; C0-C3 as in mask_env.
mask_fx:
    and word [area + 2], 0xb8ff
    mov word [area + 6], 0
    mov dword [area + 8], 0
    mov dword [area + 12], 0
    mov dword [area + 16], 0
    mov dword [area + 20], 0
    ret

clear_area:
    push DI_
    push AX_
    push rcx_
    mov edi, area
    xor eax, eax
    mov ecx, 128
    rep stosd
    pop rcx_
    pop AX_
    pop DI_
    ret

%macro FCW 1
    mov word [cw_tmp], %1
    fldcw [cw_tmp]
%endmacro

test_main:
    ; CR0: NE (native #MF), MP; EM and TS clear. (WANT_SSE already set OSFXSR.)
    mov AX_, cr0
    or eax, (1 << 5) | (1 << 1)
    and eax, ~((1 << 2) | (1 << 3))
    mov cr0, AX_

    ; ---- arithmetic, every operand form ------------------------------------------
    fninit
    LABEL "add"
    fld qword [c_a]
    fadd qword [c_b]
    fadd dword [c_r32]
    fiadd word [c_i16]
    fiadd dword [c_i32]
    fld1
    fadd st0, st1
    fadd st1, st0
    faddp st1, st0
    call pop80
    call prsw
    call rt_newline

    LABEL "sub"
    fld qword [c_a]
    fsub qword [c_b]
    fsubr dword [c_r32]
    fisub word [c_i16]
    fisubr dword [c_i32]
    fldpi
    fsub st0, st1
    fsubr st1, st0
    fsubp st1, st0
    call pop80
    fld qword [c_seven]
    fld qword [c_two]
    fsubrp st1, st0
    call pop80
    call prsw
    call rt_newline

    LABEL "mul/div"
    fld qword [c_a]
    fmul qword [c_b]
    fdiv dword [c_r32]
    fidiv word [c_i16]
    fidivr dword [c_i32]
    fimul word [c_i16]
    fld qword [c_seven]
    fdiv st0, st1
    fdivr st1, st0
    fdivp st1, st0
    call pop80
    fld qword [c_seven]
    fld qword [c_two]
    fdivrp st1, st0
    fld1
    fld qword [c_seven]
    fdivp st1, st0
    call pop80
    call pop80
    call prsw
    call rt_newline

    ; ---- rounding control and precision control ------------------------------------
    %assign rc 0
    %rep 4
    fninit
    FCW 0x037f | (rc << 10)
    LABEL "rc"
    fld1
    fld qword [c_seven]
    fdivp st1, st0          ; 1/7
    fld st0
    fchs
    fsqrt                   ; sqrt of a negative: masked IE, indefinite
    call pop80
    fld st0
    fsqrt
    call pop80
    fld st0
    frndint
    call pop80
    fld qword [c_m75]
    frndint
    call pop80
    fld qword [c_m75]
    fistp dword [tmp]
    mov edi, [tmp]
    call rt_hex32
    call pop80
    call prswx
    call rt_newline
    %assign rc rc + 1
    %endrep

    fninit
    LABEL "pc"
    FCW 0x007f              ; PC = single
    fld1
    fld qword [c_seven]
    fdivp st1, st0
    call pop80
    FCW 0x027f              ; PC = double
    fld1
    fld qword [c_seven]
    fdivp st1, st0
    call pop80
    FCW 0x037f
    call prsw
    call rt_newline

    ; ---- compares: FSW condition codes -------------------------------------------
    fninit
    LABEL "fcom"
    fld qword [c_a]
    fcom qword [c_b]
    call prsw
    fcom dword [c_r32]
    call prsw
    fld qword [c_a]
    fcomp st1
    call prsw
    ficom word [c_i16]
    call prsw
    ficomp dword [c_i32]
    call prsw
    fldz
    fldz
    fucompp
    call prsw
    fld qword [c_qnan64]
    fld1
    fucom st1               ; unordered, no IE
    call prsw
    fcom st1                ; unordered, IE
    call prsw
    fnclex
    fcompp
    call prsw
    fnclex
    fldz
    ftst
    call prsw
    fchs
    ftst
    call prsw
    fstp st0
    call rt_newline

    LABEL "fxam"
    fninit
    fxam                    ; empty
    call prsw
    fldz
    fxam
    call prsw
    fchs
    fxam
    call prsw
    fld qword [c_inf64]
    fxam
    call prsw
    fld qword [c_qnan64]
    fxam
    call prsw
    fld qword [c_tiny]
    fmul qword [c_tiny]     ; underflows to an extended denormal? no: still normal in 80 bits
    fxam
    call prsw
    fld1
    fxam
    call prsw
    call rt_newline

    LABEL "fcomi"
    fninit
    fld qword [c_b]
    fld qword [c_a]
    fcomi st0, st1
    call pref
    fucomi st0, st1
    call pref
    fxch
    fcomi st0, st1
    call pref
    fld st0
    fucomip st0, st1
    call pref
    fld qword [c_qnan64]
    fucomi st0, st1
    call pref
    call prsw
    fcomip st0, st1
    call pref
    call prsw
    fnclex
    call rt_newline

    ; ---- conversions ----------------------------------------------------------------
    fninit
    LABEL "int"
    fld qword [c_m75]
    fist word [tmp]
    fist dword [tmp + 4]
    fistp qword [tmp + 8]
    mov SI_, tmp
    mov ecx, 4
    call dump
    LABEL "int2"
    fild word [c_i16]
    fild dword [c_i32]
    fild qword [c_i64]
    call pop80
    call pop80
    call pop80
    FCW 0x077f              ; round down: FISTTP still truncates -7.5 to -7
    fld qword [c_m75]
    fisttp word [tmp]       ; SSE3
    fld qword [c_m75]
    fisttp dword [tmp + 2]
    fld qword [c_m75]
    fisttp qword [tmp + 6]
    mov SI_, tmp
    mov ecx, 4
    call dump
    fld qword [c_big]
    fistp dword [tmp]       ; out of range: IE, integer indefinite
    mov edi, [tmp]
    call rt_hex32
    call prsw
    fnclex
    fbld [c_bcd]
    fld st0
    call pop80
    fmul qword [c_two]
    fbstp [tmp]
    mov SI_, tmp
    mov ecx, 3
    call dump

    LABEL "float"
    fninit
    fld dword [c_snan32]    ; SNaN: IE, quieted
    call prsw
    call pop80
    fnclex
    fld qword [c_big]
    fst dword [tmp]         ; overflow: OE PE, +inf
    call prswx
    fnclex
    fmul st0, st0           ; 1e600 is fine in 80 bits
    fst qword [tmp + 4]     ; overflow to double: inf
    call prswx
    fnclex
    fstp tword [tmp + 16]
    fld qword [c_tiny]
    fst dword [tmp + 12]    ; underflow to single zero: UE PE
    call prswx
    fstp st0
    fnclex
    fld qword [c_third]
    fstp dword [tmp + 28]
    mov SI_, tmp
    mov ecx, 8
    call dump

    ; ---- constants, register moves ---------------------------------------------------
    %assign rc 0
    %rep 4
    fninit
    FCW 0x037f | (rc << 10)
    LABEL "const"
    fld1
    fldl2t
    fldl2e
    fldpi
    fldlg2
    fldln2
    fldz
    %rep 7
    call pop80
    %endrep
    call rt_newline
    %assign rc rc + 1
    %endrep

    fninit
    LABEL "moves"
    fld1
    fldpi
    fxch st1
    fld st1
    fabs
    fchs
    fst st2
    fstp st3                ; pops
    stc
    fcmovb st0, st1
    fcmovnb st0, st2
    call pop80
    call pop80
    call pop80
    fldz
    fld1
    fdecstp
    fincstp
    ffree st1
    call prsw
    call pop80
    call rt_newline

    ; ---- FPREM, FPREM1, FSCALE, FXTRACT, F2XM1, FYL2X, FYL2XP1, FPATAN ---------------
    fninit
    LABEL "rem"
    fld qword [c_two]
    fld qword [c_m75]
    fprem
    call prsw
    call pop80
    fld qword [c_m75]
    fprem1                  ; quotient -3.75 rounds to -4 (QEMU: quotient bits of 3)
    call prswx
    call pop80
    fld qword [c_m65]
    fprem1                  ; -3.25 rounds to -3 (QEMU: no quotient bits)
    call prswx
    call pop80
    fld qword [c_big]
    fprem                   ; partial: C2 = 1
    call prsw
    call pop80
    fld qword [c_seven]
    fscale
    call pop80
    fstp st0
    fld qword [c_m75]
    fxtract
    call pop80
    call pop80
    call rt_newline

    fninit
    LABEL "log"
    fld qword [c_half]
    f2xm1
    call pop80
    fld qword [c_y]
    fld qword [c_seven]
    fyl2x
    call pop80
    fld qword [c_y]
    fld qword [c_quarter]   ; |x| < 1 - sqrt(2)/2
    fyl2xp1
    call pop80
    fld qword [c_y]
    fld qword [c_x]
    fpatan
    call pop80
    call prsw
    call rt_newline

    ; ---- FNSTENV, FNSAVE, FXSAVE images ---------------------------------------------
    fninit
    FCW 0x0b7f
    fld qword [c_a]
    fld1
    fdiv qword [c_seven]
    LABEL "fnstenv"
    fnstenv [area]
    call mask_env
    mov SI_, area
    mov ecx, 7
    call dump
    fldenv [area]
    fld qword [c_a]
    fstp st0
    LABEL "fnstenv16"
    o16 fnstenv [area]
    and word [area + 2], 0xb8ff
    o16 fldenv [area]
    fld qword [c_a]
    fstp st0
    mov SI_, area
    mov ecx, 3
    call dump
    LABEL "fnsave"
    fnsave [area]
    call mask_env
    mov SI_, area
    mov ecx, 27
    call dump
    LABEL "after fnsave"
    call prsw
    fnstcw [tmp]
    movzx edi, word [tmp]
    call hex16
    call rt_newline
    frstor [area]
    fadd st0, st1
    LABEL "fxsave"
    call clear_area
    fxsave [area]
    call mask_fx
    mov SI_, area
    mov ecx, 40
    call dump
%ifdef LONG_MODE
    LABEL "fxsave64"
    call clear_area
    fxsave64 [area]
    call mask_fx
    mov SI_, area
    mov ecx, 8
    call dump
%endif
    fninit
    fxrstor [area]
    call pop80
    call prsw
    call rt_newline

    ; ---- XSAVE / XRSTOR (x87 and SSE components, standard format) ------------------
    mov AX_, cr4
    or eax, 1 << 18         ; OSXSAVE
    mov cr4, AX_
    LABEL "xcr0"
    xor ecx, ecx
    xgetbv
    mov edi, eax
    call hexsp
    mov eax, 3
    xor edx, edx
    xor ecx, ecx
    xsetbv
    xgetbv
    mov edi, eax
    call hexsp
    mov eax, 1
    cpuid
    mov edi, ecx
    shr edi, 26
    and edi, 3              ; XSAVE, OSXSAVE
    call hexsp
    mov eax, 0xd
    xor ecx, ecx
    cpuid
    mov edi, eax
    call hexsp
    mov edi, ebx
    call hexsp
    mov edi, ecx
    call hexsp
    call rt_newline
    fninit
    fldpi
    fld1
    call clear_area
    mov dword [area + 512], 0x80    ; XSTATE_BV bits outside RFBM are kept
    mov eax, 1                      ; x87 only
    xor edx, edx
    xsave [area]
    call mask_fx
    LABEL "xsave x87"
    mov SI_, area
    mov ecx, 16
    call dump
    mov SI_, area + 512
    mov ecx, 4
    call dump
    mov eax, 0x12345678
    movd xmm1, eax
    pshufd xmm1, xmm1, 0x1b
    mov eax, 3
    xor edx, edx
    xsave [area]
    call mask_fx
    LABEL "xsave x87+sse"
    mov SI_, area + 24
    mov ecx, 2
    call dump
    mov SI_, area + 160
    mov ecx, 8
    call dump
    mov SI_, area + 512
    mov ecx, 2
    call dump
    fninit
    mov dword [area + 512], 1
    mov eax, 3
    xor edx, edx
    xrstor [area]
    LABEL "xrstor"
    call pop80
    call pop80
    call prswx
    pshufd xmm1, xmm1, 0x1b
    movd edi, xmm1          ; SSE state went to its initial configuration
    call hexsp
    call rt_newline
    mov dword [area + 512], 4       ; a component XCR0 does not enable: #GP
    mov PTR [fault_resume], .xr
    xrstor [area]
.xr:
    mov eax, 7                      ; AVX without support: #GP
    xor edx, edx
    xor ecx, ecx
    mov PTR [fault_resume], .xs
    xsetbv
.xs:

    ; ---- #MF and #NM ---------------------------------------------------------------
    fninit
    FCW 0x037b              ; ZE unmasked
    fldz
    fld1
    fdiv st0, st1           ; 1/0, ZE unmasked: ES set, no fault yet
    LABEL "pending"
    call prsw
    call rt_newline
    mov PTR [fault_resume], .mf
    fwait
.mf:
    fnclex
    mov PTR [fault_resume], .mf2
    fld1                    ; nothing pending now: no fault
.mf2:
    fnclex
    LABEL "after #MF"
    call prsw
    call rt_newline
    mov AX_, cr0
    or eax, 1 << 3          ; TS
    mov cr0, AX_
    mov PTR [fault_resume], .nm
    fld1
.nm:
    clts
    fninit
    LABEL "x87 done"
    call rt_newline
    mov eax, 0x23
    ret
