// The scalar oracle for the SpMM family: short, obviously correct, slow. fp64 accumulation; every
// float dtype in and out; any strides. Other kernels are tested against these.
#include "../src/internal.h"

#include <type_traits>
#include <vector>

namespace s4j {
namespace {

template <typename T>
const T* as(const void* p) { return static_cast<const T*>(p); }

// y = alpha * acc + beta * y, where beta == 0 ignores y (it may hold NaN garbage).
inline double blend(float alpha, double acc, float beta, double old) {
    return beta == 0.0f ? alpha * acc : alpha * acc + beta * old;
}

template <typename T, typename I>
void spmm(int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const I* rp = as<I>(a->row_ptr);
    const I* ci = as<I>(a->col_idx);
    const T* av = as<T>(a->values);
    const T* bv = as<T>(b->data);
    T* cv = static_cast<T*>(c->data);
    int64_t m = c->shape[0], n = c->shape[1];
    std::vector<double> acc(static_cast<size_t>(m * n), 0.0);
    for (int64_t i = 0; i < a->rows; ++i)
        for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
            int64_t col = ci[k];
            double aik = load(av, k);
            int64_t out_row = trans ? col : i, in_row = trans ? i : col;
            for (int64_t j = 0; j < n; ++j)
                acc[out_row * n + j] += aik * load(bv, in_row * b->strides[0] + j * b->strides[1]);
        }
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
            int64_t off = i * c->strides[0] + j * c->strides[1];
            double old = beta == 0.0f ? 0.0 : load(cv, off);
            store(cv, off, blend(alpha, acc[i * n + j], beta, old));
        }
}

template <typename T, typename I>
void sddmm(float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p, s4j_csr* out) {
    const I* rp = as<I>(p->row_ptr);
    const I* ci = as<I>(p->col_idx);
    const T* av = as<T>(a->data);
    const T* bv = as<T>(b->data);
    T* ov = static_cast<T*>(out->values);
    int64_t kdim = a->shape[1];
    for (int64_t i = 0; i < p->rows; ++i)
        for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
            int64_t j = ci[k];
            double acc = 0.0;
            for (int64_t l = 0; l < kdim; ++l)
                acc += load(av, i * a->strides[0] + l * a->strides[1]) * load(bv, l * b->strides[0] + j * b->strides[1]);
            store(ov, k, alpha * acc);
        }
}

// Views a rank-1 tensor as an n x 1 matrix so SpMV reuses the SpMM oracle.
s4j_dense as_column(const s4j_dense* v) {
    s4j_dense d = *v;
    d.rank = 2;
    d.shape[1] = 1;
    d.strides[1] = 1;
    return d;
}

s4j_status ref_spmm(const exec_env&, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                    s4j_dense* c) {
    with_float_type(a->value_dtype, [&](auto* vt) {
        with_index_type(a->index_dtype, [&](auto* it) {
            spmm<std::remove_pointer_t<decltype(vt)>, std::remove_pointer_t<decltype(it)>>(trans, alpha, a, b, beta, c);
        });
    });
    return S4J_OK;
}

s4j_status ref_spmv(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                    s4j_dense* y) {
    s4j_dense xm = as_column(x), ym = as_column(y);
    return ref_spmm(env, trans, alpha, a, &xm, beta, &ym);
}

s4j_status ref_sddmm(const exec_env&, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p, s4j_csr* out) {
    with_float_type(a->dtype, [&](auto* vt) {
        with_index_type(p->index_dtype, [&](auto* it) {
            sddmm<std::remove_pointer_t<decltype(vt)>, std::remove_pointer_t<decltype(it)>>(alpha, a, b, p, out);
        });
    });
    return S4J_OK;
}

S4J_REGISTER("ref:spmm_csr", S4J_OP_SPMM_CSR, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_spmm);
S4J_REGISTER("ref:spmv_csr", S4J_OP_SPMV_CSR, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_spmv);
S4J_REGISTER("ref:sddmm_csr", S4J_OP_SDDMM_CSR, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_sddmm);

}  // namespace
}  // namespace s4j

namespace s4j {
namespace {

template <typename T, typename I>
void spmm_bsr(float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const I* rp = static_cast<const I*>(a->row_ptr);
    const I* ci = static_cast<const I*>(a->col_idx);
    const T* av = static_cast<const T*>(a->values);
    const T* bv = static_cast<const T*>(b->data);
    T* cv = static_cast<T*>(c->data);
    int64_t br = a->block_rows, bc = a->block_cols, bsize = br * bc, n = c->shape[1];
    int64_t brows = (a->rows + br - 1) / br;
    std::vector<double> acc(static_cast<size_t>(a->rows * n), 0.0);
    for (int64_t bi = 0; bi < brows; ++bi)
        for (int64_t k = rp[bi]; k < rp[bi + 1]; ++k)
            for (int64_t r = 0; r < br && bi * br + r < a->rows; ++r)
                for (int64_t q = 0; q < bc && ci[k] * bc + q < a->cols; ++q) {
                    double v = load(av, k * bsize + r * bc + q);
                    int64_t in_row = ci[k] * bc + q, out_row = bi * br + r;
                    for (int64_t j = 0; j < n; ++j) acc[out_row * n + j] += v * load(bv, in_row * b->strides[0] + j * b->strides[1]);
                }
    for (int64_t i = 0; i < a->rows; ++i)
        for (int64_t j = 0; j < n; ++j) {
            int64_t off = i * c->strides[0] + j * c->strides[1];
            double old = beta == 0.0f ? 0.0 : load(cv, off);
            store(cv, off, blend(alpha, acc[i * n + j], beta, old));
        }
}

s4j_status ref_spmm_bsr(const exec_env&, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    with_float_type(a->value_dtype, [&](auto* vt) {
        with_index_type(a->index_dtype, [&](auto* it) {
            spmm_bsr<std::remove_pointer_t<decltype(vt)>, std::remove_pointer_t<decltype(it)>>(alpha, a, b, beta, c);
        });
    });
    return S4J_OK;
}

template <typename T>
void gemv_sparse_x(const s4j_dense* wt, const s4j_dense* x, const int64_t* active, int64_t count, s4j_dense* y) {
    const T* w = static_cast<const T*>(wt->data);
    const T* xv = static_cast<const T*>(x->data);
    T* yv = static_cast<T*>(y->data);
    for (int64_t i = 0; i < y->shape[0]; ++i) {
        double acc = 0.0;
        for (int64_t p = 0; p < count; ++p) {
            int64_t j = active[p];
            acc += load(w, j * wt->strides[0] + i * wt->strides[1]) * load(xv, j * x->strides[0]);
        }
        store(yv, i * y->strides[0], acc);
    }
}

s4j_status ref_gemv_sparse_x(const exec_env&, const s4j_dense* wt, const s4j_dense* x, const gemv_select&, const int64_t* active, int64_t count,
                             s4j_dense* y) {
    with_float_type(wt->dtype, [&](auto* vt) { gemv_sparse_x<std::remove_pointer_t<decltype(vt)>>(wt, x, active, count, y); });
    return S4J_OK;
}

S4J_REGISTER("ref:spmm_bsr", S4J_OP_SPMM_BSR, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_spmm_bsr);
S4J_REGISTER("ref:gemv_sparse_x", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_gemv_sparse_x);

}  // namespace
}  // namespace s4j
