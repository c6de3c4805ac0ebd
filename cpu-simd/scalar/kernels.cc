// The portable tier: the same inner loops with one-lane "vectors", compiled for any x86-64 CPU.
// Threaded and nnz-balanced like the SIMD tiers, so cpu-scalar is a real tier, not the oracle.
#include "../common/kernels.h"
#include "../../native/src/internal.h"  // no ISA flags here, so the shared conversions are safe to call

namespace s4j {
namespace cpu {
namespace {

using vec = float;
constexpr int W = 1;

inline vec vzero() { return 0.0f; }
inline vec vset1(float f) { return f; }
inline vec vload(const float* p) { return *p; }
inline vec vload_tail(const float* p, int) { return *p; }
inline void vstore(float* p, vec v) { *p = v; }
inline void vstore_tail(float* p, vec v, int) { *p = v; }
inline vec vfma(vec a, vec b, vec c) { return a * b + c; }
inline vec vmul(vec a, vec b) { return a * b; }
inline float vsum(vec v) { return v; }
inline vec vgather32(const float* base, const int32_t* idx) { return base[*idx]; }

inline vec vload_f16(const uint16_t* p) { return half_to_float(*p); }
inline vec vload_f16_tail(const uint16_t* p, int) { return half_to_float(*p); }
inline vec vload_bf16(const uint16_t* p) { return bf16_to_float(*p); }
inline vec vload_bf16_tail(const uint16_t* p, int) { return bf16_to_float(*p); }

#include "../common/inner_loops.inc"

}  // namespace

const isa_kernels scalar_kernels = {"scalar", spmm_task, spmv_task, sddmm_task, bsr_task, gemv_task};

}  // namespace cpu
}  // namespace s4j
