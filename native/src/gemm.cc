// Entry point of the dense GEMM used as the oracle's baseline and as dense glue.
#include "internal.h"

using namespace s4j;

extern "C" {

s4j_status s4j_gemm(s4j_context ctx, float alpha, const s4j_dense* a, const s4j_dense* b, float beta, s4j_dense* c) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "gemm: context is null");
    S4J_TRY(check_dense(a, "gemm: A", 2));
    S4J_TRY(check_dense(b, "gemm: B", 2));
    S4J_TRY(check_dense(c, "gemm: C", 2));
    if (a->shape[1] != b->shape[0] || c->shape[0] != a->shape[0] || c->shape[1] != b->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "gemm: A %lldx%lld, B %lldx%lld, C %lldx%lld do not chain", (long long)a->shape[0],
                    (long long)a->shape[1], (long long)b->shape[0], (long long)b->shape[1], (long long)c->shape[0],
                    (long long)c->shape[1]);
    if (!is_float_dtype(a->dtype)) return fail(S4J_INVALID_ARGUMENT, "gemm: dtype %s is not a float type", dtype_name(a->dtype));
    S4J_TRY(same_dtype("gemm: B", a->dtype, b->dtype));
    S4J_TRY(same_dtype("gemm: C", a->dtype, c->dtype));
    S4J_TRY(same_device(ctx, "gemm: A", a->device, a->device_index));
    S4J_TRY(same_device(ctx, "gemm: B", b->device, b->device_index));
    S4J_TRY(same_device(ctx, "gemm: C", c->device, c->device_index));
    S4J_TRY(check_no_self_overlap(c, "gemm: C"));
    S4J_TRY(check_disjoint("gemm", "C", dense_span(c), {{"A", dense_span(a)}, {"B", dense_span(b)}}));
    return run_op<gemm_fn>(ctx, S4J_OP_GEMM, a->dtype, alpha, a, b, beta, c);
}

}  // extern "C"
