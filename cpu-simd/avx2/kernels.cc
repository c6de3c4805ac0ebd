// AVX2 + FMA inner loops: 8 fp32 lanes. Compiled with -mavx2 -mfma only; see common/kernels.h
// for why everything here has internal linkage.
#include <immintrin.h>

#include "../common/kernels.h"

namespace s4j {
namespace cpu {
namespace {

using vec = __m256;
constexpr int W = 8;

inline vec vzero() { return _mm256_setzero_ps(); }
inline vec vset1(float f) { return _mm256_set1_ps(f); }
inline vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline __m256i tail_mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline vec vload_tail(const float* p, int n) { return _mm256_maskload_ps(p, tail_mask(n)); }
inline void vstore(float* p, vec v) { _mm256_storeu_ps(p, v); }
inline void vstore_tail(float* p, vec v, int n) { _mm256_maskstore_ps(p, tail_mask(n), v); }
inline vec vfma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
inline vec vmul(vec a, vec b) { return _mm256_mul_ps(a, b); }
inline float vsum(vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
inline vec vgather32(const float* base, const int32_t* idx) {
    return _mm256_i32gather_ps(base, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx)), 4);
}

// 16-bit weights widened to fp32: fp16 by F16C, bf16 by a shift into the high half.
inline __m128i load8_u16(const uint16_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline __m128i load8_u16_tail(const uint16_t* p, int n) {
    alignas(16) uint16_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < n; ++i) tmp[i] = p[i];
    return _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
}
inline vec widen_bf16(__m128i h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
inline vec vload_f16(const uint16_t* p) { return _mm256_cvtph_ps(load8_u16(p)); }
inline vec vload_f16_tail(const uint16_t* p, int n) { return _mm256_cvtph_ps(load8_u16_tail(p, n)); }
inline vec vload_bf16(const uint16_t* p) { return widen_bf16(load8_u16(p)); }
inline vec vload_bf16_tail(const uint16_t* p, int n) { return widen_bf16(load8_u16_tail(p, n)); }

#include "../common/inner_loops.inc"

}  // namespace

const isa_kernels avx2_kernels = {"avx2", spmm_task, spmv_task, sddmm_task, bsr_task, gemv_task};

}  // namespace cpu
}  // namespace s4j
