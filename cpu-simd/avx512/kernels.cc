// AVX-512 inner loops: 16 fp32 lanes, masked tails. Compiled with the AVX-512 flags only; see
// common/kernels.h for why everything here has internal linkage.
#include <immintrin.h>

#include "../common/kernels.h"

namespace s4j {
namespace cpu {
namespace {

using vec = __m512;
constexpr int W = 16;

inline vec vzero() { return _mm512_setzero_ps(); }
inline vec vset1(float f) { return _mm512_set1_ps(f); }
inline vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline __mmask16 tail_mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
inline vec vload_tail(const float* p, int n) { return _mm512_maskz_loadu_ps(tail_mask(n), p); }
inline void vstore(float* p, vec v) { _mm512_storeu_ps(p, v); }
inline void vstore_tail(float* p, vec v, int n) { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
inline vec vfma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
inline vec vmul(vec a, vec b) { return _mm512_mul_ps(a, b); }
inline float vsum(vec v) { return _mm512_reduce_add_ps(v); }
inline vec vgather32(const float* base, const int32_t* idx) {
    return _mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4);
}

// 16-bit weights widened to fp32: fp16 by the AVX-512 conversion, bf16 by a shift into the high half.
inline __m256i load16_u16(const uint16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline __m256i load16_u16_tail(const uint16_t* p, int n) { return _mm256_maskz_loadu_epi16(tail_mask(n), p); }
inline vec widen_bf16(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
inline vec vload_f16(const uint16_t* p) { return _mm512_cvtph_ps(load16_u16(p)); }
inline vec vload_f16_tail(const uint16_t* p, int n) { return _mm512_cvtph_ps(load16_u16_tail(p, n)); }
inline vec vload_bf16(const uint16_t* p) { return widen_bf16(load16_u16(p)); }
inline vec vload_bf16_tail(const uint16_t* p, int n) { return widen_bf16(load16_u16_tail(p, n)); }

#include "../common/inner_loops.inc"

}  // namespace

const isa_kernels avx512_kernels = {"avx512", spmm_task, spmv_task, sddmm_task, bsr_task, gemv_task};

}  // namespace cpu
}  // namespace s4j
