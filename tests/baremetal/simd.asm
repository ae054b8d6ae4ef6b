; SIMD differential program: SSE/SSE2/SSE3/SSSE3/SSE4.1/SSE4.2 and MMX instructions
; on hand-picked operands (zeros, denormals, extremes, infinities, QNaN/SNaN, values
; that overflow, underflow or round), floating-point groups under each MXCSR rounding
; mode and with FTZ+DAZ. For every operand pair a line prints XMM0, MXCSR, the status
; flags, EAX, ECX and EDX (or a hash of them), so QEMU and vmxlab must print the same lines.
; Operand pairs are consecutive 16-byte vectors of a table: (v0,v1), (v1,v2), ...
; By default each instruction prints one line with a hash (FNV-1a over 32-bit words) of
; the results of all its pairs; build with FULL to print every pair's results instead.
; Where QEMU 7.2's TCG departs from the SDM the program does not look (the unit tests
; in tests/cpu/simd check those cases against the SDM instead):
;  - unmasked SIMD floating-point exceptions: QEMU only sets the MXCSR flags (no #XM);
;  - RCPPS/RSQRTPS: approximations whose low bits are implementation-specific;
;  - MXCSR.DE: QEMU never reports denormal operands, so DE is masked out of the output;
;  - two NaN operands: QEMU applies the x87 rule (larger significand) instead of the SSE
;    rule (first source): DPPS/DPPD, whose sums can meet two NaNs, run on NaN-free pairs;
;  - MIN/MAX with DAZ: QEMU returns the unflushed denormal operand: not run under DAZ;
;  - MMX writes: QEMU leaves bits 79:64 alone (the SDM sets them to all ones), so the tag
;    word is printed only after EMMS.
; Build with WANT_SSE (CR4.OSFXSR/OSXMMEXCPT). Exits with code 0x24.
global test_main
extern rt_puts, rt_putc, rt_hex32, rt_newline, fault_resume

%ifdef LONG_MODE
bits 64
%define PTR qword
%define SI_ rsi
%define DI_ rdi
%else
bits 32
%define PTR dword
%define SI_ esi
%define DI_ edi
%endif

section .data
align 16
; float32 vectors
vs: dd 1.0, -2.5, 3.0, 0.1
    dd 3.0, 0.0, 0x80000000, 1.0e-3
    dd 0x7f7fffff, 0x00800000, 0x00000003, 0x807fffff
    dd 2.0, 0.5, 1.0e30, -1.0e-30
    dd 0x3eaaaaab, 7.0, -11.0, 0x00a3d70a
    dd 0x4f000000, 0xcf000001, 0.5, -1.5
    dd 2.5, 3.5, -2.5, 1.0e10
    dd 0x3f800001, 0x33800000, 0x4b800000, 0x4b7fffff
    dd 1.0, 0x00c00000, 0x3e99999a, 0x80800001
vs_nonan:                           ; no NaN operands before this point
    dd 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800005
    dd 0xffc00002, 1.0, 0x7f800000, 0.0
vs_end:
; float64 vectors
vd: dq 1.0, -2.5
    dq 3.0, 0.1
    dq 0x7fefffffffffffff, 0x0010000000000000
    dq 2.0, 0.5
    dq 0x0000000000000003, 0x800fffffffffffff
    dq 2147483647.5, -2147483648.5
    dq 1.0e300, 1.0e-300
    dq 0x3fd5555555555555, 0x3ff0000000000001
    dq 2.5, -3.5
    dq 9.3e18, -9.2e18
    dq 0x0018000000000000, 0x3fd3333333333333
vd_nonan:
    dq 0x7ff0000000000000, 0x7ff8000000000123
    dq 0x7ff0000000000005, 0x8000000000000000
vd_end:
; integer vectors
vi: dq 0x8899aabbccddeeff, 0x0011223344556677
    dq 0x01fe7fff8000fffe, 0x7f80ff00017fff00
    dq 0x800000007fffffff, 0xffffffff00000000
    db "hello world", 0, "xyz!"
    db "lo wor", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    db "azAZ09", 0, 0, "Hello, W0rld!!", 0, 0
    dq 0xfedcba9876543210, 0x0123456789abcdef
    dq 0, 0
    dq 0x0101010101010101, 0x8080808080808080
    db "abcabcabcabcabc", 0
    db "abc", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    dq 0x0000000100000003, 0x0000004000000010
vi_end:
mx_list: dd 0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0
s_mx:   db "mxcsr ", 0
s_m:    db " mx=", 0
s_e:    db " ef=", 0
s_a:    db " a=", 0
s_c:    db " c=", 0
s_d:    db " d=", 0

section .bss
alignb 16
; Captured results, hashed as nine consecutive dwords: XMM0, MXCSR, flags, EAX, ECX, EDX.
out:     resb 16
mxv:     resd 1
r_f:     resd 1
r_a:     resd 1
r_c:     resd 1
r_d:     resd 1
hash:    resd 1
cur_mx:  resd 1
pairs:   resd 1
mx_idx:  resd 1

section .text

; T name, table, table_end, instruction[, instruction...]: runs the instructions on every operand pair
; with XMM0 = v[k], XMM1 = XMM2 = v[k+1], EAX = dword 2 of v[k], EDX = dword 2 of v[k+1],
; ECX = 55555555H, all status flags defined, and MXCSR = [cur_mx]; prints the results.
%macro T 4-7
[section .data]
%%name: db %1, 0
__SECT__
    mov SI_, %2
    mov dword [pairs], (%3 - %2) / 16 - 1
    mov dword [hash], 0x811c9dc5
%%loop:
    ldmxcsr [cur_mx]
    movdqa xmm0, [SI_]
    movdqa xmm1, [SI_ + 16]
    movdqa xmm2, xmm1
    mov eax, [SI_ + 8]
    mov edx, [SI_ + 24]
    mov ecx, 0x55555555
    cmp eax, eax
    %4
%if %0 >= 5
    %5
%endif
%if %0 >= 6
    %6
%endif
%if %0 >= 7
    %7
%endif
    call report
%ifdef FULL
    mov edi, %%name
    call print_line
%endif
    add SI_, 16
    dec dword [pairs]
    jnz %%loop
%ifndef FULL
    mov edi, %%name
    call print_hash
%endif
%endmacro

; Captures XMM0, MXCSR and the flags right after the instruction (before anything else
; changes them); saves EAX/ECX/EDX for print_line.
report:
    pushf
    movdqu [out], xmm0
    stmxcsr [mxv]
    mov [r_a], eax
    mov [r_c], ecx
    mov [r_d], edx
    pop DI_
    and edi, 0x8d5
    mov [r_f], edi
    and dword [mxv], ~2                 ; DE: see the header
    push SI_
    mov SI_, out
    mov ecx, 9
.h:
    mov edi, [SI_]
    xor [hash], edi
    imul edi, [hash], 16777619
    mov [hash], edi
    add SI_, 4
    dec ecx
    jnz .h
    pop SI_
    mov ecx, [r_c]
    ret

print_hash:
    call rt_puts
    mov edi, ' '
    call rt_putc
    mov edi, [hash]
    call rt_hex32
    call rt_newline
    ret

print_line:
    call rt_puts
    mov edi, ' '
    call rt_putc
    mov edi, [out + 12]
    call rt_hex32
    mov edi, [out + 8]
    call rt_hex32
    mov edi, [out + 4]
    call rt_hex32
    mov edi, [out]
    call rt_hex32
    mov edi, s_m
    call rt_puts
    mov edi, [mxv]
    call rt_hex32
    mov edi, s_e
    call rt_puts
    mov edi, [r_f]
    call rt_hex32
    mov edi, s_a
    call rt_puts
    mov edi, [r_a]
    call rt_hex32
    mov edi, s_c
    call rt_puts
    mov edi, [r_c]
    call rt_hex32
    mov edi, s_d
    call rt_puts
    mov edi, [r_d]
    call rt_hex32
    call rt_newline
    ret


%define S vs, vs_end
%define D vd, vd_end
%define I vi, vi_end
%define SN vs, vs_nonan
%define DN vd, vd_nonan

; Floating point, run once per MXCSR setting.
fp_ops:
    T "addps", S, {addps xmm0, xmm1}
    T "subps", S, {subps xmm0, xmm1}
    T "mulps", S, {mulps xmm0, xmm1}
    T "divps", S, {divps xmm0, xmm1}
    T "sqrtps", S, {sqrtps xmm0, xmm1}
    cmp dword [cur_mx], 0x9fc0
    je .skip_minps
    T "minps", S, {minps xmm0, xmm1}
.skip_minps:
    cmp dword [cur_mx], 0x9fc0
    je .skip_maxps
    T "maxps", S, {maxps xmm0, xmm1}
.skip_maxps:
    T "addss", S, {addss xmm0, xmm1}
    T "subss", S, {subss xmm0, [SI_ + 20]}
    T "mulss", S, {mulss xmm0, [SI_ + 24]}
    T "divss", S, {divss xmm0, xmm1}
    T "sqrtss", S, {sqrtss xmm0, [SI_ + 28]}
    cmp dword [cur_mx], 0x9fc0
    je .skip_minss
    T "minss", S, {minss xmm0, xmm1}
.skip_minss:
    cmp dword [cur_mx], 0x9fc0
    je .skip_maxss
    T "maxss", S, {maxss xmm0, xmm1}
.skip_maxss:
    T "cmpps0", S, {cmpps xmm0, xmm1, 0}
    T "cmpps1", S, {cmpps xmm0, xmm1, 1}
    T "cmpps2", S, {cmpps xmm0, xmm1, 2}
    T "cmpps3", S, {cmpps xmm0, xmm1, 3}
    T "cmpps4", S, {cmpps xmm0, xmm1, 4}
    T "cmpps5", S, {cmpps xmm0, xmm1, 5}
    T "cmpps6", S, {cmpps xmm0, xmm1, 6}
    T "cmpps7", S, {cmpps xmm0, xmm1, 7}
    T "cmpss2", S, {cmpss xmm0, xmm1, 2}
    T "comiss", S, {comiss xmm0, xmm1}
    T "ucomiss", S, {ucomiss xmm0, xmm1}
    T "haddps", S, {haddps xmm0, xmm1}
    T "hsubps", S, {hsubps xmm0, xmm1}
    T "addsubps", S, {addsubps xmm0, xmm1}
    T "dpps_ff", SN, {dpps xmm0, xmm1, 0xff}
    T "dpps_35", SN, {dpps xmm0, xmm1, 0x35}
    T "roundps0", S, {roundps xmm0, xmm1, 0}
    T "roundps1", S, {roundps xmm0, xmm1, 1}
    T "roundps2", S, {roundps xmm0, xmm1, 2}
    T "roundps3", S, {roundps xmm0, xmm1, 3}
    T "roundps4", S, {roundps xmm0, xmm1, 4}
    T "roundps9", S, {roundps xmm0, xmm1, 9}
    T "roundss", S, {roundss xmm0, xmm1, 4}
    T "cvtps2pd", S, {cvtps2pd xmm0, xmm1}
    T "cvtdq2ps", S, {cvtdq2ps xmm0, xmm1}
    T "cvtps2dq", S, {cvtps2dq xmm0, xmm1}
    T "cvttps2dq", S, {cvttps2dq xmm0, xmm1}
    T "cvtss2sd", S, {cvtss2sd xmm0, xmm1}
    T "cvtsi2ss", S, {cvtsi2ss xmm0, eax}
    T "cvtss2si", S, {cvtss2si ecx, xmm1}
    T "cvttss2si", S, {cvttss2si ecx, [SI_ + 20]}
    T "cvtpi2ps", S, {cvtpi2ps xmm0, [SI_ + 16]}
    T "cvtps2pi", S, {cvtps2pi mm1, xmm1}, {movq2dq xmm0, mm1}
    T "cvttps2pi", S, {cvttps2pi mm1, [SI_ + 24]}, {movq2dq xmm0, mm1}
    T "addpd", D, {addpd xmm0, xmm1}
    T "subpd", D, {subpd xmm0, xmm1}
    T "mulpd", D, {mulpd xmm0, xmm1}
    T "divpd", D, {divpd xmm0, xmm1}
    T "sqrtpd", D, {sqrtpd xmm0, xmm1}
    cmp dword [cur_mx], 0x9fc0
    je .skip_minpd
    T "minpd", D, {minpd xmm0, xmm1}
.skip_minpd:
    cmp dword [cur_mx], 0x9fc0
    je .skip_maxpd
    T "maxpd", D, {maxpd xmm0, xmm1}
.skip_maxpd:
    T "addsd", D, {addsd xmm0, xmm1}
    T "subsd", D, {subsd xmm0, [SI_ + 24]}
    T "mulsd", D, {mulsd xmm0, [SI_ + 24]}
    T "divsd", D, {divsd xmm0, xmm1}
    T "sqrtsd", D, {sqrtsd xmm0, [SI_ + 24]}
    T "cmppd1", D, {cmppd xmm0, xmm1, 1}
    T "cmppd3", D, {cmppd xmm0, xmm1, 3}
    T "cmpsd4", D, {cmpsd xmm0, xmm1, 4}
    T "comisd", D, {comisd xmm0, xmm1}
    T "ucomisd", D, {ucomisd xmm0, xmm1}
    T "haddpd", D, {haddpd xmm0, xmm1}
    T "hsubpd", D, {hsubpd xmm0, xmm1}
    T "addsubpd", D, {addsubpd xmm0, xmm1}
    T "dppd_33", DN, {dppd xmm0, xmm1, 0x33}
    T "dppd_12", DN, {dppd xmm0, xmm1, 0x12}
    T "roundpd0", D, {roundpd xmm0, xmm1, 0}
    T "roundpd3", D, {roundpd xmm0, xmm1, 3}
    T "roundsd4", D, {roundsd xmm0, xmm1, 4}
    T "cvtpd2ps", D, {cvtpd2ps xmm0, xmm1}
    T "cvtsd2ss", D, {cvtsd2ss xmm0, xmm1}
    T "cvtpd2dq", D, {cvtpd2dq xmm0, xmm1}
    T "cvttpd2dq", D, {cvttpd2dq xmm0, xmm1}
    T "cvtdq2pd", D, {cvtdq2pd xmm0, xmm1}
    T "cvtsd2si", D, {cvtsd2si ecx, xmm1}
    T "cvttsd2si", D, {cvttsd2si ecx, [SI_ + 24]}
    T "cvtsi2sd", D, {cvtsi2sd xmm0, edx}
    T "cvtpd2pi", D, {cvtpd2pi mm1, xmm1}, {movq2dq xmm0, mm1}
    T "cvtpi2pd", D, {cvtpi2pd xmm0, [SI_ + 16]}
%ifdef LONG_MODE
    T "cvtsi2ss64", D, {cvtsi2ss xmm0, [SI_ + 16]}
    T "cvtsi2sd64", D, {cvtsi2sd xmm0, qword [SI_ + 24]}
    T "cvtss2si64", S, {cvtss2si rcx, xmm1}, {movq xmm0, rcx}
    T "cvttsd2si64", D, {cvttsd2si rcx, xmm1}, {movq xmm0, rcx}
    T "cvtsd2si64", D, {cvtsd2si rcx, [SI_ + 24]}, {movq xmm0, rcx}
%endif
    emms
    ret

; Integer and data movement, run once.
int_ops:
    T "paddb", I, {paddb xmm0, xmm1}
    T "paddw", I, {paddw xmm0, xmm1}
    T "paddd", I, {paddd xmm0, xmm1}
    T "paddq", I, {paddq xmm0, xmm1}
    T "psubb", I, {psubb xmm0, xmm1}
    T "psubq", I, {psubq xmm0, xmm1}
    T "paddsb", I, {paddsb xmm0, xmm1}
    T "paddsw", I, {paddsw xmm0, xmm1}
    T "paddusb", I, {paddusb xmm0, xmm1}
    T "paddusw", I, {paddusw xmm0, xmm1}
    T "psubsb", I, {psubsb xmm0, xmm1}
    T "psubsw", I, {psubsw xmm0, xmm1}
    T "psubusb", I, {psubusb xmm0, xmm1}
    T "psubusw", I, {psubusw xmm0, xmm1}
    T "pmullw", I, {pmullw xmm0, xmm1}
    T "pmulhw", I, {pmulhw xmm0, xmm1}
    T "pmulhuw", I, {pmulhuw xmm0, xmm1}
    T "pmuludq", I, {pmuludq xmm0, xmm1}
    T "pmaddwd", I, {pmaddwd xmm0, xmm1}
    T "pavgb", I, {pavgb xmm0, xmm1}
    T "pavgw", I, {pavgw xmm0, xmm1}
    T "psadbw", I, {psadbw xmm0, xmm1}
    T "pminub", I, {pminub xmm0, xmm1}
    T "pmaxub", I, {pmaxub xmm0, xmm1}
    T "pminsw", I, {pminsw xmm0, xmm1}
    T "pmaxsw", I, {pmaxsw xmm0, xmm1}
    T "pcmpeqb", I, {pcmpeqb xmm0, xmm1}
    T "pcmpeqw", I, {pcmpeqw xmm0, xmm1}
    T "pcmpeqd", I, {pcmpeqd xmm0, xmm1}
    T "pcmpgtb", I, {pcmpgtb xmm0, xmm1}
    T "pcmpgtw", I, {pcmpgtw xmm0, xmm1}
    T "pcmpgtd", I, {pcmpgtd xmm0, xmm1}
    T "pandn", I, {pandn xmm0, xmm1}
    T "pxor", I, {pxor xmm0, xmm1}
    T "packsswb", I, {packsswb xmm0, xmm1}
    T "packuswb", I, {packuswb xmm0, xmm1}
    T "packssdw", I, {packssdw xmm0, xmm1}
    T "punpcklbw", I, {punpcklbw xmm0, xmm1}
    T "punpckhwd", I, {punpckhwd xmm0, xmm1}
    T "punpckldq", I, {punpckldq xmm0, xmm1}
    T "punpckhqdq", I, {punpckhqdq xmm0, xmm1}
    T "psllw", I, {psllw xmm0, xmm1}
    T "psrld", I, {psrld xmm0, [SI_ + 16]}
    T "psraw", I, {psraw xmm0, xmm1}
    T "psrlq", I, {psrlq xmm0, xmm1}
    T "psllw_i", I, {psllw xmm0, 5}
    T "psrad_i", I, {psrad xmm0, 33}
    T "psrlq_i", I, {psrlq xmm0, 63}
    T "pslldq", I, {pslldq xmm0, 5}
    T "psrldq", I, {psrldq xmm0, 11}
    T "pshufd", I, {pshufd xmm0, xmm1, 0x1b}
    T "pshufhw", I, {pshufhw xmm0, xmm1, 0x8d}
    T "pshuflw", I, {pshuflw xmm0, xmm1, 0x72}
    T "shufps", I, {shufps xmm0, xmm1, 0xb4}
    T "shufpd", I, {shufpd xmm0, xmm1, 2}
    T "unpckhps", I, {unpckhps xmm0, xmm1}
    T "unpcklpd", I, {unpcklpd xmm0, xmm1}
    T "movmskps", I, {movmskps ecx, xmm1}
    T "movmskpd", I, {movmskpd ecx, xmm1}
    T "pmovmskb", I, {pmovmskb ecx, xmm1}
    T "pextrw", I, {pextrw ecx, xmm1, 5}
    T "pinsrw", I, {pinsrw xmm0, edx, 6}
    T "movhlps", I, {movhlps xmm0, xmm1}
    T "movlhps", I, {movlhps xmm0, xmm1}
    T "movss", I, {movss xmm0, xmm1}
    T "movsd", I, {movsd xmm0, [SI_ + 20]}
    T "movhps", I, {movhps xmm0, [SI_ + 20]}
    T "movq", I, {movq xmm0, xmm1}
    T "movd", I, {movd xmm0, edx}
    T "movshdup", I, {movshdup xmm0, xmm1}
    T "movddup", I, {movddup xmm0, [SI_ + 24]}
    T "lddqu", I, {lddqu xmm0, [SI_ + 3]}
    ; SSSE3
    T "pshufb", I, {pshufb xmm0, xmm1}
    T "phaddw", I, {phaddw xmm0, xmm1}
    T "phaddd", I, {phaddd xmm0, xmm1}
    T "phaddsw", I, {phaddsw xmm0, xmm1}
    T "phsubw", I, {phsubw xmm0, xmm1}
    T "phsubsw", I, {phsubsw xmm0, xmm1}
    T "pmaddubsw", I, {pmaddubsw xmm0, xmm1}
    T "psignb", I, {psignb xmm0, xmm1}
    T "psignw", I, {psignw xmm0, xmm1}
    T "psignd", I, {psignd xmm0, xmm1}
    T "pmulhrsw", I, {pmulhrsw xmm0, xmm1}
    T "pabsb", I, {pabsb xmm0, xmm1}
    T "pabsw", I, {pabsw xmm0, xmm1}
    T "pabsd", I, {pabsd xmm0, xmm1}
    T "palignr5", I, {palignr xmm0, xmm1, 5}
    T "palignr20", I, {palignr xmm0, xmm1, 20}
    ; SSE4.1
    T "pblendvb", I, {pblendvb xmm2, [SI_]}, {movdqa xmm0, xmm2}
    T "blendvps", I, {blendvps xmm2, [SI_ + 32]}, {movdqa xmm0, xmm2}
    T "blendvpd", I, {blendvpd xmm2, [SI_ + 32]}, {movdqa xmm0, xmm2}
    T "pblendw", I, {pblendw xmm0, xmm1, 0xa6}
    T "blendps", I, {blendps xmm0, xmm1, 5}
    T "ptest", I, {ptest xmm0, xmm1}
    T "pmovsxbw", I, {pmovsxbw xmm0, xmm1}
    T "pmovsxbq", I, {pmovsxbq xmm0, [SI_ + 17]}
    T "pmovsxwd", I, {pmovsxwd xmm0, xmm1}
    T "pmovsxdq", I, {pmovsxdq xmm0, [SI_ + 20]}
    T "pmovzxbd", I, {pmovzxbd xmm0, xmm1}
    T "pmovzxwq", I, {pmovzxwq xmm0, [SI_ + 18]}
    T "pmovzxdq", I, {pmovzxdq xmm0, xmm1}
    T "pmuldq", I, {pmuldq xmm0, xmm1}
    T "pmulld", I, {pmulld xmm0, xmm1}
    T "pcmpeqq", I, {pcmpeqq xmm0, xmm1}
    T "packusdw", I, {packusdw xmm0, xmm1}
    T "pminsb", I, {pminsb xmm0, xmm1}
    T "pmaxsd", I, {pmaxsd xmm0, xmm1}
    T "pminuw", I, {pminuw xmm0, xmm1}
    T "pmaxud", I, {pmaxud xmm0, xmm1}
    T "phminposuw", I, {phminposuw xmm0, xmm1}
    T "mpsadbw0", I, {mpsadbw xmm0, xmm1, 0}
    T "mpsadbw7", I, {mpsadbw xmm0, xmm1, 7}
    T "pextrb", I, {pextrb ecx, xmm1, 13}
    T "pextrd", I, {pextrd [out], xmm1, 2}, {mov ecx, [out]}
    T "pinsrb", I, {pinsrb xmm0, edx, 9}
    T "pinsrd", I, {pinsrd xmm0, [SI_ + 28], 1}
    T "insertps", I, {insertps xmm0, xmm1, 0x9a}
    T "insertpsm", I, {insertps xmm0, [SI_ + 24], 0x31}
    T "extractps", I, {extractps ecx, xmm1, 3}
    ; SSE4.2
    T "pcmpgtq", I, {pcmpgtq xmm0, xmm1}
    T "istri00", I, {pcmpistri xmm0, xmm1, 0x00}
    T "istri04", I, {pcmpistri xmm0, xmm1, 0x04}
    T "istri08", I, {pcmpistri xmm0, xmm1, 0x08}
    T "istri0c", I, {pcmpistri xmm0, xmm1, 0x0c}
    T "istri4c", I, {pcmpistri xmm0, xmm1, 0x4c}
    T "istri1a", I, {pcmpistri xmm0, xmm1, 0x1a}
    T "istri34", I, {pcmpistri xmm0, xmm1, 0x34}
    T "istri3d", I, {pcmpistri xmm0, xmm1, 0x3d}
    T "istri05", I, {pcmpistri xmm0, xmm1, 0x05}
    T "istrm40", I, {pcmpistrm xmm0, xmm1, 0x40}
    T "istrm0c", I, {pcmpistrm xmm0, xmm1, 0x0c}
    T "istrm49", I, {pcmpistrm xmm0, xmm1, 0x49}
    T "estri0c", I, {pcmpestri xmm0, xmm1, 0x0c}
    T "estri00", I, {pcmpestri xmm0, xmm1, 0x00}
    T "estri38", I, {pcmpestri xmm0, xmm1, 0x38}
    T "estri07", I, {pcmpestri xmm0, xmm1, 0x07}
    T "estrm44", I, {pcmpestrm xmm0, xmm1, 0x44}
    T "estrm1b", I, {pcmpestrm xmm0, xmm1, 0x1b}
    T "crc32b", I, {crc32 ecx, byte [SI_ + 5]}
    T "crc32w", I, {crc32 ecx, word [SI_ + 6]}
    T "crc32d", I, {crc32 ecx, edx}
%ifdef LONG_MODE
    T "crc32q", I, {crc32 rcx, qword [SI_ + 16]}, {movq xmm0, rcx}
    T "pextrq", I, {pextrq rcx, xmm1, 1}, {movq xmm0, rcx}
    T "pinsrq", I, {pinsrq xmm0, [SI_ + 16], 1}
    T "movq64", I, {movq rcx, xmm1}, {movq xmm0, rcx}
%endif
    ; MMX (results copied to XMM0)
    T "mmx_paddsw", I, {movdq2q mm0, xmm0}, {movdq2q mm1, xmm1}, {paddsw mm0, mm1}, {movq2dq xmm0, mm0}
    T "mmx_pmaddwd", I, {movq mm0, [SI_]}, {pmaddwd mm0, [SI_ + 16]}, {movq2dq xmm0, mm0}
    T "mmx_psrlq", I, {movq mm0, [SI_ + 8]}, {psrlq mm0, [SI_ + 16]}, {movq2dq xmm0, mm0}
    T "mmx_pshufw", I, {pshufw mm0, [SI_ + 16], 0x39}, {movq2dq xmm0, mm0}
    T "mmx_pshufb", I, {movq mm0, [SI_]}, {pshufb mm0, [SI_ + 16]}, {movq2dq xmm0, mm0}
    T "mmx_palignr", I, {movq mm0, [SI_]}, {palignr mm0, [SI_ + 16], 3}, {movq2dq xmm0, mm0}
    T "mmx_psadbw", I, {movq mm0, [SI_]}, {psadbw mm0, [SI_ + 16]}, {movq2dq xmm0, mm0}
    T "mmx_movd", I, {movd mm2, edx}, {pextrw ecx, mm2, 1}, {movq2dq xmm0, mm2}
    T "mmx_pmovmskb", I, {movq mm3, [SI_ + 16]}, {pmovmskb ecx, mm3}
    emms
    ret

test_main:
    mov dword [cur_mx], 0x1f80
    call int_ops
    mov dword [mx_idx], 0
.cfg:
    mov eax, [mx_idx]
    mov eax, [mx_list + eax * 4]
    mov [cur_mx], eax
    mov edi, s_mx
    call rt_puts
    mov edi, eax
    call rt_hex32
    call rt_newline
    call fp_ops
    inc dword [mx_idx]
    cmp dword [mx_idx], 5
    jb .cfg
    ; MMX state: after MMX code TOP is 0 (FSW); EMMS empties every tag.
    fld1
    fld1
    movq mm4, [vi]
    fnstenv [out]
    mov edi, [out + 4]
    and edi, 0xffff
    call rt_hex32
    emms
    fnstenv [out]
    mov edi, [out + 8]
    and edi, 0xffff
    call rt_hex32
    call rt_newline
    mov eax, 0x24
    ret
