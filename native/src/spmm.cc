// Entry points of the SpMM family (SpMM, SpMV, SDDMM): O(1) checks on every call, then the
// implementation the dispatch table picks for the context.
#include "internal.h"

namespace s4j {
namespace {

s4j_status check_values(const s4j_csr* a, const char* what) {
    if (!a->values) return fail(S4J_INVALID_ARGUMENT, "%s has no values (a pattern-only matrix cannot be multiplied)", what);
    if (!is_float_dtype(a->value_dtype)) return fail(S4J_INVALID_ARGUMENT, "%s: value dtype %s is not a float type", what, dtype_name(a->value_dtype));
    return S4J_OK;
}

}  // namespace
}  // namespace s4j

using namespace s4j;

extern "C" {

s4j_status s4j_spmm_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a, const s4j_dense* b,
                        float beta, s4j_dense* c) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmm: context is null");
    S4J_TRY(check_csr_header(a, "spmm: A"));
    S4J_TRY(check_values(a, "spmm: A"));
    S4J_TRY(check_dense(b, "spmm: B", 2));
    S4J_TRY(check_dense(c, "spmm: C", 2));
    if (trans_a != 0 && trans_a != 1) return fail(S4J_INVALID_ARGUMENT, "spmm: trans_a must be 0 or 1, got %d", trans_a);
    int64_t m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    if (b->shape[0] != k)
        return fail(S4J_SHAPE_MISMATCH, "spmm: op(A) is %lldx%lld but B has %lld rows", (long long)m, (long long)k, (long long)b->shape[0]);
    if (c->shape[0] != m || c->shape[1] != b->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "spmm: C is %lldx%lld, expected %lldx%lld", (long long)c->shape[0], (long long)c->shape[1],
                    (long long)m, (long long)b->shape[1]);
    S4J_TRY(same_dtype("spmm: B", a->value_dtype, b->dtype));
    S4J_TRY(same_dtype("spmm: C", a->value_dtype, c->dtype));
    S4J_TRY(same_device(ctx, "spmm: A", a->device, a->device_index));
    S4J_TRY(same_device(ctx, "spmm: B", b->device, b->device_index));
    S4J_TRY(same_device(ctx, "spmm: C", c->device, c->device_index));
    S4J_TRY(check_no_self_overlap(c, "spmm: C"));
    S4J_TRY(check_disjoint("spmm", "C", dense_span(c),
                           {{"B", dense_span(b)}, {"A's row_ptr", array_span(a->row_ptr, a->rows + 1, a->index_dtype)},
                            {"A's col_idx", array_span(a->col_idx, a->nnz, a->index_dtype)},
                            {"A's values", array_span(a->values, a->nnz, a->value_dtype)}}));
    return run_op<spmm_fn>(ctx, S4J_OP_SPMM_CSR, a->value_dtype, trans_a, alpha, a, b, beta, c);
}

s4j_status s4j_spmv_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a, const s4j_dense* x,
                        float beta, s4j_dense* y) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmv: context is null");
    S4J_TRY(check_csr_header(a, "spmv: A"));
    S4J_TRY(check_values(a, "spmv: A"));
    S4J_TRY(check_dense(x, "spmv: x", 1));
    S4J_TRY(check_dense(y, "spmv: y", 1));
    if (trans_a != 0 && trans_a != 1) return fail(S4J_INVALID_ARGUMENT, "spmv: trans_a must be 0 or 1, got %d", trans_a);
    int64_t m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    if (x->shape[0] != k)
        return fail(S4J_SHAPE_MISMATCH, "spmv: op(A) is %lldx%lld but x has %lld entries", (long long)m, (long long)k, (long long)x->shape[0]);
    if (y->shape[0] != m)
        return fail(S4J_SHAPE_MISMATCH, "spmv: y has %lld entries, expected %lld", (long long)y->shape[0], (long long)m);
    S4J_TRY(same_dtype("spmv: x", a->value_dtype, x->dtype));
    S4J_TRY(same_dtype("spmv: y", a->value_dtype, y->dtype));
    S4J_TRY(same_device(ctx, "spmv: A", a->device, a->device_index));
    S4J_TRY(same_device(ctx, "spmv: x", x->device, x->device_index));
    S4J_TRY(same_device(ctx, "spmv: y", y->device, y->device_index));
    S4J_TRY(check_no_self_overlap(y, "spmv: y"));
    S4J_TRY(check_disjoint("spmv", "y", dense_span(y),
                           {{"x", dense_span(x)}, {"A's row_ptr", array_span(a->row_ptr, a->rows + 1, a->index_dtype)},
                            {"A's col_idx", array_span(a->col_idx, a->nnz, a->index_dtype)},
                            {"A's values", array_span(a->values, a->nnz, a->value_dtype)}}));
    return run_op<spmv_fn>(ctx, S4J_OP_SPMV_CSR, a->value_dtype, trans_a, alpha, a, x, beta, y);
}

s4j_status s4j_sddmm_csr(s4j_context ctx, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* pattern,
                         s4j_csr* out) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "sddmm: context is null");
    S4J_TRY(check_dense(a, "sddmm: A", 2));
    S4J_TRY(check_dense(b, "sddmm: B", 2));
    S4J_TRY(check_csr_header(pattern, "sddmm: pattern"));
    S4J_TRY(check_csr_header(out, "sddmm: output"));
    S4J_TRY(check_values(out, "sddmm: output"));
    if (a->shape[1] != b->shape[0])
        return fail(S4J_SHAPE_MISMATCH, "sddmm: A is %lldx%lld, B is %lldx%lld", (long long)a->shape[0], (long long)a->shape[1],
                    (long long)b->shape[0], (long long)b->shape[1]);
    if (pattern->rows != a->shape[0] || pattern->cols != b->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "sddmm: pattern is %lldx%lld, A*B is %lldx%lld", (long long)pattern->rows,
                    (long long)pattern->cols, (long long)a->shape[0], (long long)b->shape[1]);
    if (out->rows != pattern->rows || out->cols != pattern->cols || out->nnz != pattern->nnz ||
        out->index_dtype != pattern->index_dtype)
        return fail(S4J_SHAPE_MISMATCH, "sddmm: output structure (%lldx%lld, nnz %lld) differs from the pattern (%lldx%lld, nnz %lld)",
                    (long long)out->rows, (long long)out->cols, (long long)out->nnz, (long long)pattern->rows,
                    (long long)pattern->cols, (long long)pattern->nnz);
    S4J_TRY(same_dtype("sddmm: B", a->dtype, b->dtype));
    S4J_TRY(same_dtype("sddmm: output values", a->dtype, out->value_dtype));
    S4J_TRY(same_device(ctx, "sddmm: A", a->device, a->device_index));
    S4J_TRY(same_device(ctx, "sddmm: B", b->device, b->device_index));
    S4J_TRY(same_device(ctx, "sddmm: pattern", pattern->device, pattern->device_index));
    S4J_TRY(same_device(ctx, "sddmm: output", out->device, out->device_index));
    span out_values = array_span(out->values, out->nnz, out->value_dtype);
    S4J_TRY(check_disjoint("sddmm", "the output values", out_values,
                           {{"A", dense_span(a)}, {"B", dense_span(b)}, {"the pattern's row_ptr", array_span(pattern->row_ptr, pattern->rows + 1, pattern->index_dtype)},
                            {"the pattern's col_idx", array_span(pattern->col_idx, pattern->nnz, pattern->index_dtype)},
                            {"the pattern's values", array_span(pattern->values, pattern->nnz, pattern->value_dtype)}}));
    return run_op<sddmm_fn>(ctx, S4J_OP_SDDMM_CSR, a->dtype, alpha, a, b, pattern, out);
}

}  // extern "C"
