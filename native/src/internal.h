// Internal helpers shared by validation, dispatch, conversions and kernels. Never exported.
#pragma once

#include "sparse4j.h"

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <new>
#include <string>

// Every ABI function that can allocate runs inside these: no C++ exception may cross the C ABI
// (the C++ runtime is linked statically, so nothing outside could even catch it).
#define S4J_GUARD_BEGIN try {
#define S4J_GUARD_END                                                                             \
    }                                                                                             \
    catch (const std::bad_alloc&) {                                                               \
        return ::s4j::fail(S4J_OUT_OF_MEMORY, "%s: out of host memory", __func__);               \
    }                                                                                             \
    catch (...) {                                                                                 \
        return ::s4j::fail(S4J_INTERNAL, "%s: unexpected C++ exception", __func__);              \
    }

#define S4J_TRY(expr)                  \
    do {                               \
        s4j_status st_ = (expr);       \
        if (st_ != S4J_OK) return st_; \
    } while (0)

namespace s4j {

// Sets the thread-local last error and returns status, so callers write `return fail(...)`.
s4j_status fail(s4j_status status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void clear_error();

const char* dtype_name(s4j_dtype dtype);
size_t dtype_size(s4j_dtype dtype);  // 0 for an unknown dtype
bool is_float_dtype(s4j_dtype dtype);
bool is_index_dtype(s4j_dtype dtype);

// ---- fp16 / bf16 bit conversions (round to nearest even, NaN kept NaN) -------------------------
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
inline float bf16_to_float(uint16_t b) {
    uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline uint16_t float_to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

// Storage types: fp16/bf16 are distinct wrappers over 16 bits so templates can tell them apart.
struct f16 { uint16_t bits; };
struct bf16 { uint16_t bits; };

inline double load(const float* p, int64_t i) { return p[i]; }
inline double load(const double* p, int64_t i) { return p[i]; }
inline double load(const f16* p, int64_t i) { return half_to_float(p[i].bits); }
inline double load(const bf16* p, int64_t i) { return bf16_to_float(p[i].bits); }
inline void store(float* p, int64_t i, double v) { p[i] = static_cast<float>(v); }
inline void store(double* p, int64_t i, double v) { p[i] = v; }
// Rounding fp64 -> fp32 -> fp16 can double-round; the error stays within one fp16 ulp, which the
// tolerances allow, and every backend rounds the same way through fp32.
inline void store(f16* p, int64_t i, double v) { p[i].bits = float_to_half(static_cast<float>(v)); }
inline void store(bf16* p, int64_t i, double v) { p[i].bits = float_to_bf16(static_cast<float>(v)); }

// Calls f(T*) with the storage type matching a float dtype; returns false for others.
template <typename F>
bool with_float_type(s4j_dtype dtype, F&& f) {
    switch (dtype) {
        case S4J_F32: f(static_cast<float*>(nullptr)); return true;
        case S4J_F64: f(static_cast<double*>(nullptr)); return true;
        case S4J_F16: f(static_cast<f16*>(nullptr)); return true;
        case S4J_BF16: f(static_cast<bf16*>(nullptr)); return true;
        default: return false;
    }
}

// Any float dtype element as double, and back (rounding to nearest even).
inline double load_any(const void* p, s4j_dtype dtype, int64_t i) {
    switch (dtype) {
        case S4J_F32: return static_cast<const float*>(p)[i];
        case S4J_F64: return static_cast<const double*>(p)[i];
        case S4J_F16: return load(static_cast<const f16*>(p), i);
        case S4J_BF16: return load(static_cast<const bf16*>(p), i);
        default: return 0.0;
    }
}

inline void store_any(void* p, s4j_dtype dtype, int64_t i, double v) {
    switch (dtype) {
        case S4J_F32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
        case S4J_F64: static_cast<double*>(p)[i] = v; break;
        case S4J_F16: store(static_cast<f16*>(p), i, v); break;
        case S4J_BF16: store(static_cast<bf16*>(p), i, v); break;
        default: break;
    }
}

// CSR of the transpose by a counting sort: rows are visited in order, so every output row gets its
// columns sorted. move(src, dst) moves the value of entry src to position dst. next: cols entries.
template <typename I, typename Move>
void transpose_csr(int64_t rows, int64_t cols, int64_t nnz, const I* rp, const I* ci, I* out_rp, I* out_ci, I* next,
                   Move&& move) {
    for (int64_t j = 0; j <= cols; ++j) out_rp[j] = 0;
    for (int64_t k = 0; k < nnz; ++k) ++out_rp[ci[k] + 1];
    for (int64_t j = 0; j < cols; ++j) out_rp[j + 1] += out_rp[j];
    for (int64_t j = 0; j < cols; ++j) next[j] = out_rp[j];
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
            I dst = next[ci[k]]++;
            out_ci[dst] = static_cast<I>(i);
            move(k, static_cast<int64_t>(dst));
        }
}

// Calls f(I*) with int32_t or int64_t; returns false for other dtypes.
template <typename F>
bool with_index_type(s4j_dtype dtype, F&& f) {
    switch (dtype) {
        case S4J_I32: f(static_cast<int32_t*>(nullptr)); return true;
        case S4J_I64: f(static_cast<int64_t*>(nullptr)); return true;
        default: return false;
    }
}

// SPARSE4J_BACKEND, read once: a ceiling on the CPU tiers every context may use.
struct env_tier {
    bool set;
    bool valid;
    s4j_backend cap;
    std::string raw;
};
const env_tier& env_backend();

// ---- O(1) operand checks shared by every entry point --------------------------------------------
s4j_status check_dense(const s4j_dense* d, const char* what, int32_t rank);
s4j_status check_csr_header(const s4j_csr* a, const char* what);
// The same checks for a CSR a conversion is about to fill: its max_row_nnz is written, not read.
s4j_status check_csr_output(const s4j_csr* a, const char* what);
// Writes the longest row of a filled host CSR into its max_row_nnz.
void note_max_row_nnz(s4j_csr* a);
// Byte ranges of operands, to refuse outputs that alias inputs (kernels write outputs directly).
struct span {
    uintptr_t lo, hi;  // [lo, hi); lo == hi when empty
};
struct named_span {
    const char* name;
    span s;
};
span dense_span(const s4j_dense* d);
span array_span(const void* p, int64_t count, s4j_dtype dtype);
s4j_status check_disjoint(const char* what, const char* out_name, span out, std::initializer_list<named_span> inputs);
// An output whose strides make two indices share an element (a broadcast view) is refused.
s4j_status check_no_self_overlap(const s4j_dense* d, const char* what);
// nnzb blocks of br x bc values must not overflow 64-bit element or byte counts.
s4j_status check_block_size(const char* what, int64_t br, int64_t bc, int64_t nnzb, s4j_dtype value_dtype);
// The operand must live where the context computes.
s4j_status same_device(s4j_context ctx, const char* what, int32_t device, int32_t index);
s4j_status same_dtype(const char* what, s4j_dtype want, s4j_dtype got);

// A CSR an op multiplies has values of a float dtype.
s4j_status check_csr_values(const s4j_csr* a, const char* what);
// Every check s4j_spmm_csr makes before it runs (shared with the SpMM plans).
s4j_status check_spmm_operands(s4j_context ctx, int32_t trans_a, const s4j_csr* a, const s4j_dense* b, const s4j_dense* c);

// ---- dispatch ------------------------------------------------------------------------------------
struct exec_env {
    int32_t threads;
    int32_t device_index;  // CUDA ordinal on a CUDA context
    void* stream;          // cudaStream_t on a CUDA context (nullptr: the default stream)
};

using spmm_fn = s4j_status (*)(const exec_env&, int32_t trans_a, float alpha, const s4j_csr* a,
                               const s4j_dense* b, float beta, s4j_dense* c);
using spmv_fn = s4j_status (*)(const exec_env&, int32_t trans_a, float alpha, const s4j_csr* a,
                               const s4j_dense* x, float beta, s4j_dense* y);
using sddmm_fn = s4j_status (*)(const exec_env&, float alpha, const s4j_dense* a, const s4j_dense* b,
                                const s4j_csr* pattern, s4j_csr* out);
using spmm_bsr_fn = s4j_status (*)(const exec_env&, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta,
                                   s4j_dense* c);
// Which inputs are active: |x_j| > threshold (NaN counts as active), then the top_k largest when
// top_k > 0 (ties: the lower index).
struct gemv_select {
    float threshold;
    int64_t top_k;
};
// active: the indices of x to use, ascending, count of them, selected by the entry point from a
// host x. On a CUDA context x is device memory: the entry point passes active = nullptr and
// count = -1, and the implementation selects on the device by sel.
using gemv_sparse_x_fn = s4j_status (*)(const exec_env&, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel,
                                        const int64_t* active, int64_t count, s4j_dense* y);
using gemm_fn = s4j_status (*)(const exec_env&, float alpha, const s4j_dense* a, const s4j_dense* b,
                               float beta, s4j_dense* c);

struct impl {
    const char* name;
    s4j_op op;
    s4j_backend backend;
    uint32_t dtype_mask;  // bit (1 << dtype) per supported value dtype
    void* fn;             // one of the *_fn types above, matching op
};

constexpr uint32_t dtype_bit(s4j_dtype d) { return 1u << d; }
constexpr uint32_t kFloatDtypes =
    dtype_bit(S4J_F32) | dtype_bit(S4J_F16) | dtype_bit(S4J_BF16) | dtype_bit(S4J_F64);

// Kernel files register themselves at load time; the table keeps each op's list best first.
bool register_impl(const impl& i);

// Chooses the implementation for ctx/op/dtype or fails with the reason.
s4j_status select_impl(s4j_context ctx, s4j_op op, s4j_dtype dtype, const impl** out);

exec_env context_env(s4j_context ctx);
void context_note_impl(s4j_context ctx, const char* name);
// The implementation forced for op on ctx (s4j_context_force_impl), or nullptr.
const char* context_forced_impl(s4j_context ctx, s4j_op op);
// The table's own copy of an implementation's name, or nullptr when op has none called name.
const char* registered_impl_name(s4j_op op, const char* name);

// Returned by a kernel that does not take these operands (a stride, an index type, a size it was
// not written for) before touching any output: the dispatcher then tries the next one. Never
// leaves the library.
constexpr s4j_status kDeclined = 1000;

// The implementations eligible for ctx/op/dtype, best first (at most kMaxCandidates).
constexpr int kMaxCandidates = 16;
s4j_status candidates(s4j_context ctx, s4j_op op, s4j_dtype dtype, const impl** list, int* count);

// Runs the best eligible implementation that does not decline, and records its name.
template <typename Fn, typename... Args>
s4j_status run_op(s4j_context ctx, s4j_op op, s4j_dtype dtype, Args... args) {
    const impl* list[kMaxCandidates];
    int n = 0;
    S4J_TRY(candidates(ctx, op, dtype, list, &n));
    exec_env env = context_env(ctx);
    S4J_GUARD_BEGIN
    for (int i = 0; i < n; ++i) {
        s4j_status st = reinterpret_cast<Fn>(list[i]->fn)(env, args...);
        if (st == kDeclined) continue;
        context_note_impl(ctx, list[i]->name);
        return st;
    }
    if (context_forced_impl(ctx, op))
        return fail(S4J_UNSUPPORTED, "the forced implementation %s does not take these operands", context_forced_impl(ctx, op));
    return fail(S4J_INTERNAL, "every implementation declined these operands (the reference must not)");
    S4J_GUARD_END
}

}  // namespace s4j

#define S4J_CONCAT_(a, b) a##b
#define S4J_CONCAT(a, b) S4J_CONCAT_(a, b)
// Registers an implementation from a kernel file's static initialisation.
#define S4J_REGISTER(NAME, OP, BACKEND, DTYPES, FN)                                            \
    static const bool S4J_CONCAT(s4j_registered_, __LINE__) =                                  \
        ::s4j::register_impl(::s4j::impl{NAME, OP, BACKEND, DTYPES, reinterpret_cast<void*>(FN)})
