// Entry points of the SpMM family (SpMM, SpMV, SDDMM): O(1) checks on every call, then the
// implementation the dispatch table picks for the context.
#include "internal.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace s4j {

s4j_status check_csr_values(const s4j_csr* a, const char* what) {
    if (!a->values) return fail(S4J_INVALID_ARGUMENT, "%s has no values (a pattern-only matrix cannot be multiplied)", what);
    if (!is_float_dtype(a->value_dtype)) return fail(S4J_INVALID_ARGUMENT, "%s: value dtype %s is not a float type", what, dtype_name(a->value_dtype));
    return S4J_OK;
}

s4j_status check_spmm_operands(s4j_context ctx, int32_t trans_a, const s4j_csr* a, const s4j_dense* b, const s4j_dense* c) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmm: context is null");
    S4J_TRY(check_csr_header(a, "spmm: A"));
    S4J_TRY(check_csr_values(a, "spmm: A"));
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
    return S4J_OK;
}

}  // namespace s4j

using namespace s4j;

extern "C" {

s4j_status s4j_spmm_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a, const s4j_dense* b,
                        float beta, s4j_dense* c) {
    S4J_TRY(check_spmm_operands(ctx, trans_a, a, b, c));
    return run_op<spmm_fn>(ctx, S4J_OP_SPMM_CSR, a->value_dtype, trans_a, alpha, a, b, beta, c);
}

s4j_status s4j_spmv_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a, const s4j_dense* x,
                        float beta, s4j_dense* y) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmv: context is null");
    S4J_TRY(check_csr_header(a, "spmv: A"));
    S4J_TRY(check_csr_values(a, "spmv: A"));
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
    S4J_TRY(check_csr_values(out, "sddmm: output"));
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

extern "C" {

s4j_status s4j_spmm_bsr(s4j_context ctx, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "spmm_bsr: context is null");
    if (!a) return fail(S4J_INVALID_ARGUMENT, "spmm_bsr: A is null");
    if (a->block_rows <= 0 || a->block_cols <= 0)
        return fail(S4J_INVALID_FORMAT, "spmm_bsr: block shape %lldx%lld must be positive", (long long)a->block_rows,
                    (long long)a->block_cols);
    if (!a->row_ptr || (a->nnzb > 0 && (!a->col_idx || !a->values)))
        return fail(S4J_INVALID_ARGUMENT, "spmm_bsr: A's arrays are null");
    if (!is_float_dtype(a->value_dtype)) return fail(S4J_INVALID_ARGUMENT, "spmm_bsr: value dtype %s is not a float type", dtype_name(a->value_dtype));
    if (!is_index_dtype(a->index_dtype)) return fail(S4J_INVALID_FORMAT, "spmm_bsr: index dtype must be i32 or i64");
    S4J_TRY(check_block_size("spmm_bsr: A", a->block_rows, a->block_cols, a->nnzb, a->value_dtype));
    S4J_TRY(check_dense(b, "spmm_bsr: B", 2));
    S4J_TRY(check_dense(c, "spmm_bsr: C", 2));
    if (b->shape[0] != a->cols)
        return fail(S4J_SHAPE_MISMATCH, "spmm_bsr: A is %lldx%lld but B has %lld rows", (long long)a->rows, (long long)a->cols,
                    (long long)b->shape[0]);
    if (c->shape[0] != a->rows || c->shape[1] != b->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "spmm_bsr: C is %lldx%lld, expected %lldx%lld", (long long)c->shape[0], (long long)c->shape[1],
                    (long long)a->rows, (long long)b->shape[1]);
    S4J_TRY(same_dtype("spmm_bsr: B", a->value_dtype, b->dtype));
    S4J_TRY(same_dtype("spmm_bsr: C", a->value_dtype, c->dtype));
    S4J_TRY(same_device(ctx, "spmm_bsr: A", a->device, a->device_index));
    S4J_TRY(same_device(ctx, "spmm_bsr: B", b->device, b->device_index));
    S4J_TRY(same_device(ctx, "spmm_bsr: C", c->device, c->device_index));
    S4J_TRY(check_no_self_overlap(c, "spmm_bsr: C"));
    int64_t brows = (a->rows + a->block_rows - 1) / a->block_rows;
    S4J_TRY(check_disjoint("spmm_bsr", "C", dense_span(c),
                           {{"B", dense_span(b)}, {"A's row_ptr", array_span(a->row_ptr, brows + 1, a->index_dtype)},
                            {"A's col_idx", array_span(a->col_idx, a->nnzb, a->index_dtype)},
                            {"A's values", array_span(a->values, a->nnzb * a->block_rows * a->block_cols, a->value_dtype)}}));
    return run_op<spmm_bsr_fn>(ctx, S4J_OP_SPMM_BSR, a->value_dtype, alpha, a, b, beta, c);
}

s4j_status s4j_gemv_sparse_x(s4j_context ctx, const s4j_dense* wt, const s4j_dense* x, float threshold, int64_t top_k,
                             s4j_dense* y) {
    S4J_GUARD_BEGIN
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "gemv_sparse_x: context is null");
    S4J_TRY(check_dense(wt, "gemv_sparse_x: W^T", 2));
    S4J_TRY(check_dense(x, "gemv_sparse_x: x", 1));
    S4J_TRY(check_dense(y, "gemv_sparse_x: y", 1));
    if (!is_float_dtype(wt->dtype)) return fail(S4J_INVALID_ARGUMENT, "gemv_sparse_x: dtype %s is not a float type", dtype_name(wt->dtype));
    if (x->shape[0] != wt->shape[0])
        return fail(S4J_SHAPE_MISMATCH, "gemv_sparse_x: W^T is %lldx%lld (K x M) but x has %lld entries", (long long)wt->shape[0],
                    (long long)wt->shape[1], (long long)x->shape[0]);
    if (y->shape[0] != wt->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "gemv_sparse_x: y has %lld entries, expected %lld", (long long)y->shape[0], (long long)wt->shape[1]);
    if (!(threshold >= 0.0f)) return fail(S4J_INVALID_ARGUMENT, "gemv_sparse_x: threshold must be >= 0, got %g", threshold);
    if (top_k < 0) return fail(S4J_INVALID_ARGUMENT, "gemv_sparse_x: top_k must be >= 0, got %lld", (long long)top_k);
    S4J_TRY(same_dtype("gemv_sparse_x: x", wt->dtype, x->dtype));
    S4J_TRY(same_dtype("gemv_sparse_x: y", wt->dtype, y->dtype));
    S4J_TRY(same_device(ctx, "gemv_sparse_x: W^T", wt->device, wt->device_index));
    S4J_TRY(same_device(ctx, "gemv_sparse_x: x", x->device, x->device_index));
    S4J_TRY(same_device(ctx, "gemv_sparse_x: y", y->device, y->device_index));
    S4J_TRY(check_no_self_overlap(y, "gemv_sparse_x: y"));
    S4J_TRY(check_disjoint("gemv_sparse_x", "y", dense_span(y), {{"W^T", dense_span(wt)}, {"x", dense_span(x)}}));
    const gemv_select sel{threshold, top_k};
    if (x->device == S4J_DEVICE_CUDA)  // x is device memory: the implementation selects there
        return run_op<gemv_sparse_x_fn>(ctx, S4J_OP_GEMV_SPARSE_X, wt->dtype, wt, x, sel, static_cast<const int64_t*>(nullptr),
                                        int64_t{-1}, y);
    // Select the active inputs once here, so every implementation sees the same set.
    std::vector<int64_t> active;
    std::vector<float> mag;
    for (int64_t j = 0; j < x->shape[0]; ++j) {
        float v = std::fabs(static_cast<float>(load_any(x->data, x->dtype, j * x->strides[0])));
        if (v > threshold || std::isnan(v)) {
            active.push_back(j);
            mag.push_back(std::isnan(v) ? INFINITY : v);
        }
    }
    if (top_k > 0 && static_cast<int64_t>(active.size()) > top_k) {
        std::vector<int64_t> order(active.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
        std::nth_element(order.begin(), order.begin() + top_k, order.end(), [&](int64_t p, int64_t q) {
            return mag[p] > mag[q] || (mag[p] == mag[q] && active[p] < active[q]);
        });
        std::vector<int64_t> kept;
        for (int64_t i = 0; i < top_k; ++i) kept.push_back(active[order[i]]);
        std::sort(kept.begin(), kept.end());
        active.swap(kept);
    }
    return run_op<gemv_sparse_x_fn>(ctx, S4J_OP_GEMV_SPARSE_X, wt->dtype, wt, x, sel, static_cast<const int64_t*>(active.data()),
                                    static_cast<int64_t>(active.size()), y);
    S4J_GUARD_END
}

}  // extern "C"
