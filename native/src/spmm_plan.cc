// SpMM plans: a CSR prepared once for many products. A plan keeps A's descriptor; on a CUDA
// context an fp16/bf16 A (fp32 on Hopper) may also be split (cuda/spmm/split24.cu) into a 2:4 part
// for sparse tensor cores plus a CSR remainder, which the plan owns.
#include "cuda_bridge.h"
#include "internal.h"

#include <new>

struct s4j_spmm_plan_t {
    s4j_csr a;                         // borrowed: the caller keeps A alive while the plan lives
    int32_t device, device_index;      // where the plan was made
    int32_t strategy;
    s4j::cuda_bridge::split24* split;  // owned, or nullptr
};

namespace s4j {
namespace {

// The split pays for itself from about 2% density on (measured on the LLM shapes at N = 2048: the
// 2:4 kernel's time is that of the CSR kernels at 1.6%); below it the CSR kernels read less. An
// fp32 split runs six bf16 products a layer, about as long at any density (245-260 µs at
// 8192 x 8192 x 256 on the H100, where the CSR kernels took 82 µs at 1% and 347 µs at 5%), so it
// pays from about 3.5%.
bool worth_splitting(const s4j_csr* a) {
    const double positions = static_cast<double>(a->rows) * static_cast<double>(a->cols);
    const double from = a->value_dtype == S4J_F32 ? 0.035 : 0.02;
    return positions > 0 && static_cast<double>(a->nnz) >= from * positions;
}

// Below one 128-column tile the 2:4 kernel computes mostly padding.
constexpr int64_t kAutoMinColumns = 128;

}  // namespace
}  // namespace s4j

using namespace s4j;

extern "C" {

s4j_status s4j_spmm_plan_create(s4j_context ctx, const s4j_csr* a, int32_t strategy, s4j_spmm_plan* out) {
    if (!out) return fail(S4J_INVALID_ARGUMENT, "spmm_plan: output handle pointer is null");
    *out = nullptr;
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmm_plan: context is null");
    if (strategy != S4J_PLAN_AUTO && strategy != S4J_PLAN_SPLIT && strategy != S4J_PLAN_CSR)
        return fail(S4J_INVALID_ARGUMENT, "spmm_plan: strategy must be 0 (auto), 1 (split) or 2 (csr), got %d", strategy);
    S4J_TRY(check_csr_header(a, "spmm_plan: A"));
    S4J_TRY(check_csr_values(a, "spmm_plan: A"));
    S4J_TRY(same_device(ctx, "spmm_plan: A", a->device, a->device_index));
    s4j_spmm_plan plan = new (std::nothrow) s4j_spmm_plan_t{*a, a->device, a->device_index, strategy, nullptr};
    if (!plan) return fail(S4J_OUT_OF_MEMORY, "spmm_plan: out of host memory");
    const bool want_split = strategy == S4J_PLAN_SPLIT || (strategy == S4J_PLAN_AUTO && worth_splitting(a));
    if (want_split && a->device == S4J_DEVICE_CUDA && cuda_bridge::split24_create &&
        (a->value_dtype == S4J_F16 || a->value_dtype == S4J_BF16 || a->value_dtype == S4J_F32)) {
        s4j_status st = cuda_bridge::split24_create(a->device_index, context_env(ctx).stream, a, &plan->split);
        if (st != S4J_OK && st != kDeclined) {
            delete plan;
            return st;
        }
    }
    *out = plan;
    return S4J_OK;
}

s4j_status s4j_spmm_plan_execute(s4j_context ctx, s4j_spmm_plan plan, float alpha, const s4j_dense* b, float beta,
                                 s4j_dense* c) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmm_plan: context is null");
    if (!plan) return fail(S4J_INVALID_ARGUMENT, "spmm_plan: plan is null");
    S4J_TRY(same_device(ctx, "spmm_plan: the plan", plan->device, plan->device_index));
    if (!plan->split) return s4j_spmm_csr(ctx, 0, alpha, &plan->a, b, beta, c);
    // The plain product's checks (shapes, dtypes, devices, overlap), then the split's kernels.
    S4J_TRY(check_spmm_operands(ctx, 0, &plan->a, b, c));
    const bool use_split = plan->strategy == S4J_PLAN_SPLIT || b->shape[1] >= kAutoMinColumns;
    if (!use_split) return s4j_spmm_csr(ctx, 0, alpha, &plan->a, b, beta, c);
    // The 2:4 kernel runs first, with the caller's beta; it declines (a grid past its limits)
    // before any launch, and then the plain product runs instead. On Hopper with TMA the kernel
    // adds the remainder in its epilogue (C read and written once). Otherwise the remainder's CSR
    // kernel then adds its products (beta = 1); the row kernel, which takes remainders of short
    // rows, reads and writes only the rows that have remainder nonzeros (C is rounded to its dtype
    // in between). Should the remainder fail after the 2:4 part ran, the call returns that error
    // and C holds a partial product.
    exec_env env = context_env(ctx);
    s4j_status st = kDeclined;
    const char* impl = "cuda:spmm_split24";
    bool remainder_done = false;
    S4J_GUARD_BEGIN
    st = cuda_bridge::split24_execute(env, plan->split, alpha, b, beta, c, &impl, &remainder_done);
    S4J_GUARD_END
    if (st == kDeclined) return s4j_spmm_csr(ctx, 0, alpha, &plan->a, b, beta, c);
    S4J_TRY(st);
    const s4j_csr* rem = cuda_bridge::split24_remainder(plan->split);
    if (rem->nnz > 0 && !remainder_done) S4J_TRY(run_op<spmm_fn>(ctx, S4J_OP_SPMM_CSR, rem->value_dtype, 0, alpha, rem, b, 1.0f, c));
    context_note_impl(ctx, impl);
    return S4J_OK;
}

s4j_status s4j_spmm_plan_destroy(s4j_spmm_plan plan) {
    if (!plan) return S4J_OK;
    s4j_status st = plan->split ? cuda_bridge::split24_destroy(plan->device_index, plan->split) : S4J_OK;
    delete plan;
    return st;
}

const char* s4j_spmm_plan_kind(s4j_spmm_plan plan) {
    if (!plan || !plan->split) return "csr";
    return cuda_bridge::split24_layers(plan->split) == 2 ? "split24x2" : "split24";
}

int64_t s4j_spmm_plan_remainder_nnz(s4j_spmm_plan plan) {
    return plan && plan->split ? cuda_bridge::split24_remainder(plan->split)->nnz : 0;
}

int64_t s4j_spmm_plan_device_bytes(s4j_spmm_plan plan) {
    return plan && plan->split ? cuda_bridge::split24_device_bytes(plan->split) : 0;
}

}  // extern "C"
