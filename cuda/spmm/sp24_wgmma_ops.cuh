// The sm_90a warpgroup instruction wgmma.mma_async.sp, m64nNk32 for N = 128 and 256, fp32
// accumulation, A (compressed 2:4) from registers (wgmma_sp) or from shared memory through a
// descriptor (wgmma_sp_ss, K-major), B from shared memory through a descriptor,
// sparsity selector 0, B transposed (stored N-contiguous). One accumulator operand per register:
// the operand lists come from S4J_ACC64 (64 accumulators from index i); the register lists in the
// strings are written out.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace s4j {
namespace cuda {
namespace sp24 {

template <typename T, int N>
__device__ __forceinline__ void wgmma_sp(float (&d)[N / 2], const uint32_t (&a)[4], uint64_t b_desc, uint32_t e);
template <typename T, int N>
__device__ __forceinline__ void wgmma_sp_ss(float (&d)[N / 2], uint64_t a_desc, uint64_t b_desc, uint32_t e);

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define S4J_ACC8(i) \
    "+f"(d[(i)]), "+f"(d[(i) + 1]), "+f"(d[(i) + 2]), "+f"(d[(i) + 3]), "+f"(d[(i) + 4]), "+f"(d[(i) + 5]), "+f"(d[(i) + 6]), "+f"(d[(i) + 7])
#define S4J_ACC64(i)                                                                                                        \
    S4J_ACC8(i), S4J_ACC8((i) + 8), S4J_ACC8((i) + 16), S4J_ACC8((i) + 24), S4J_ACC8((i) + 32), S4J_ACC8((i) + 40),         \
        S4J_ACC8((i) + 48), S4J_ACC8((i) + 56)
// SHAPE: m64n128k32 or m64n256k32; TY: the PTX type of A and B (f16 or bf16); REGS: the
// accumulators' register list; TAIL: the numbers of the operands after them (a, b_desc, e);
// ACC: the accumulator operands.
#define S4J_WGMMA_SP(SHAPE, TY, REGS, TAIL, ...)                                                   \
    asm volatile("wgmma.mma_async.sp.sync.aligned." SHAPE ".f32." TY "." TY " {" REGS "}, " TAIL \
                 ", 0, 1, 1, 1, 1;\n"                                                              \
                 : __VA_ARGS__                                                                     \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b_desc), "r"(e))
#define S4J_REGS128 "%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63"
#define S4J_TAIL128 "{%64,%65,%66,%67}, %68, %69"
#define S4J_REGS256 "%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127"
#define S4J_TAIL256 "{%128,%129,%130,%131}, %132, %133"

template <>
__device__ __forceinline__ void wgmma_sp<__half, 128>(float (&d)[64], const uint32_t (&a)[4], uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP("m64n128k32", "f16", S4J_REGS128, S4J_TAIL128, S4J_ACC64(0));
}
template <>
__device__ __forceinline__ void wgmma_sp<__nv_bfloat16, 128>(float (&d)[64], const uint32_t (&a)[4], uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP("m64n128k32", "bf16", S4J_REGS128, S4J_TAIL128, S4J_ACC64(0));
}
template <>
__device__ __forceinline__ void wgmma_sp<__half, 256>(float (&d)[128], const uint32_t (&a)[4], uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP("m64n256k32", "f16", S4J_REGS256, S4J_TAIL256, S4J_ACC64(0), S4J_ACC64(64));
}
template <>
__device__ __forceinline__ void wgmma_sp<__nv_bfloat16, 256>(float (&d)[128], const uint32_t (&a)[4], uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP("m64n256k32", "bf16", S4J_REGS256, S4J_TAIL256, S4J_ACC64(0), S4J_ACC64(64));
}
// A from shared memory through a descriptor (K-major, imm-trans-a 0).
#define S4J_WGMMA_SP_SS(SHAPE, TY, REGS, TAIL, ...)                                                \
    asm volatile("wgmma.mma_async.sp.sync.aligned." SHAPE ".f32." TY "." TY " {" REGS "}, " TAIL \
                 ", 0, 1, 1, 1, 0, 1;\n"                                                           \
                 : __VA_ARGS__                                                                     \
                 : "l"(a_desc), "l"(b_desc), "r"(e))
#define S4J_TAIL128_SS "%64, %65, %66"
#define S4J_TAIL256_SS "%128, %129, %130"
template <>
__device__ __forceinline__ void wgmma_sp_ss<__half, 128>(float (&d)[64], uint64_t a_desc, uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP_SS("m64n128k32", "f16", S4J_REGS128, S4J_TAIL128_SS, S4J_ACC64(0));
}
template <>
__device__ __forceinline__ void wgmma_sp_ss<__nv_bfloat16, 128>(float (&d)[64], uint64_t a_desc, uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP_SS("m64n128k32", "bf16", S4J_REGS128, S4J_TAIL128_SS, S4J_ACC64(0));
}
template <>
__device__ __forceinline__ void wgmma_sp_ss<__half, 256>(float (&d)[128], uint64_t a_desc, uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP_SS("m64n256k32", "f16", S4J_REGS256, S4J_TAIL256_SS, S4J_ACC64(0), S4J_ACC64(64));
}
template <>
__device__ __forceinline__ void wgmma_sp_ss<__nv_bfloat16, 256>(float (&d)[128], uint64_t a_desc, uint64_t b_desc, uint32_t e) {
    S4J_WGMMA_SP_SS("m64n256k32", "bf16", S4J_REGS256, S4J_TAIL256_SS, S4J_ACC64(0), S4J_ACC64(64));
}
#undef S4J_WGMMA_SP_SS
#undef S4J_TAIL128_SS
#undef S4J_TAIL256_SS
#undef S4J_WGMMA_SP
#undef S4J_REGS128
#undef S4J_TAIL128
#undef S4J_REGS256
#undef S4J_TAIL256
#undef S4J_ACC64
#undef S4J_ACC8
#endif

}  // namespace sp24
}  // namespace cuda
}  // namespace s4j
