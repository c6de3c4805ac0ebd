// Format conversions on host memory. The caller allocates every output; size queries come first.
// Values are copied as raw elements (the dtype of input and output must agree); NULL values mean a
// pattern-only matrix and stay NULL.
#include "internal.h"

#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

namespace s4j {
namespace {

s4j_status need_host(const char* what, int32_t device) {
    if (device != S4J_DEVICE_CPU) return fail(S4J_UNSUPPORTED, "%s: conversions run on host memory only", what);
    return S4J_OK;
}

s4j_status same_values(const char* what, const void* in_values, s4j_dtype in_dtype, const void* out_values,
                       s4j_dtype out_dtype) {
    if ((in_values == nullptr) != (out_values == nullptr))
        return fail(S4J_INVALID_ARGUMENT, "%s: input and output must both have values or both be patterns", what);
    if (in_values && in_dtype != out_dtype)
        return fail(S4J_SHAPE_MISMATCH, "%s: value dtype %s in, %s out", what, dtype_name(in_dtype), dtype_name(out_dtype));
    return S4J_OK;
}

s4j_status same_index(const char* what, s4j_dtype in, s4j_dtype out) {
    if (!is_index_dtype(in) || in != out)
        return fail(S4J_SHAPE_MISMATCH, "%s: index dtype %s in, %s out", what, dtype_name(in), dtype_name(out));
    return S4J_OK;
}

inline void copy_value(void* dst, int64_t di, const void* src, int64_t si, size_t size) {
    if (!dst) return;
    std::memcpy(static_cast<char*>(dst) + di * size, static_cast<const char*>(src) + si * size, size);
}

s4j_status check_dense2(const s4j_dense* d, const char* what) {
    S4J_TRY(check_dense(d, what, 2));
    S4J_TRY(need_host(what, d->device));
    if (!is_float_dtype(d->dtype)) return fail(S4J_INVALID_ARGUMENT, "%s: dtype %s is not a float type", what, dtype_name(d->dtype));
    return S4J_OK;
}

}  // namespace
}  // namespace s4j

using namespace s4j;

extern "C" {

s4j_status s4j_dense_count_nonzero(const s4j_dense* d, int64_t* nnz) {
    S4J_GUARD_BEGIN
    S4J_TRY(check_dense2(d, "dense"));
    if (!nnz) return fail(S4J_INVALID_ARGUMENT, "dense: nnz output pointer is null");
    int64_t count = 0;
    for (int64_t i = 0; i < d->shape[0]; ++i)
        for (int64_t j = 0; j < d->shape[1]; ++j)
            if (load_any(d->data, d->dtype, i * d->strides[0] + j * d->strides[1]) != 0.0) ++count;
    *nnz = count;
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_dense_to_csr(const s4j_dense* d, s4j_csr* csr) {
    S4J_GUARD_BEGIN
    S4J_TRY(check_dense2(d, "dense"));
    S4J_TRY(check_csr_output(csr, "dense->CSR output"));
    if (csr->rows != d->shape[0] || csr->cols != d->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "dense->CSR: dense is %lldx%lld, CSR is %lldx%lld", (long long)d->shape[0],
                    (long long)d->shape[1], (long long)csr->rows, (long long)csr->cols);
    if (!csr->values || csr->value_dtype != d->dtype)
        return fail(S4J_SHAPE_MISMATCH, "dense->CSR: output values must exist with dtype %s", dtype_name(d->dtype));
    s4j_status st = S4J_OK;
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        I* rp = static_cast<I*>(csr->row_ptr);
        I* ci = static_cast<I*>(csr->col_idx);
        size_t vs = dtype_size(d->dtype);
        int64_t k = 0;
        rp[0] = 0;
        for (int64_t i = 0; i < d->shape[0]; ++i) {
            for (int64_t j = 0; j < d->shape[1]; ++j) {
                int64_t off = i * d->strides[0] + j * d->strides[1];
                if (load_any(d->data, d->dtype, off) == 0.0) continue;
                if (k >= csr->nnz) {
                    st = fail(S4J_SHAPE_MISMATCH, "dense->CSR: more than nnz %lld nonzeros (row %lld)", (long long)csr->nnz, (long long)i);
                    return;
                }
                ci[k] = static_cast<I>(j);
                copy_value(csr->values, k, d->data, off, vs);
                ++k;
            }
            rp[i + 1] = static_cast<I>(k);
        }
        if (k != csr->nnz) st = fail(S4J_SHAPE_MISMATCH, "dense->CSR: found %lld nonzeros, CSR holds %lld", (long long)k, (long long)csr->nnz);
    });
    if (st == S4J_OK) note_max_row_nnz(csr);
    return st;
    S4J_GUARD_END
}

s4j_status s4j_csr_to_dense(const s4j_csr* csr, s4j_dense* d) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_csr_validate(csr));  // conversions index through the structure: it must be sound (header included)
    S4J_TRY(check_dense2(d, "CSR->dense output"));
    S4J_TRY(need_host("CSR", csr->device));
    if (csr->rows != d->shape[0] || csr->cols != d->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "CSR->dense: CSR is %lldx%lld, dense is %lldx%lld", (long long)csr->rows,
                    (long long)csr->cols, (long long)d->shape[0], (long long)d->shape[1]);
    if (csr->values && csr->value_dtype != d->dtype)
        return fail(S4J_SHAPE_MISMATCH, "CSR->dense: value dtype %s, dense dtype %s", dtype_name(csr->value_dtype), dtype_name(d->dtype));
    size_t vs = dtype_size(d->dtype);
    for (int64_t i = 0; i < d->shape[0]; ++i)
        for (int64_t j = 0; j < d->shape[1]; ++j) store_any(d->data, d->dtype, i * d->strides[0] + j * d->strides[1], 0.0);
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(csr->row_ptr);
        const I* ci = static_cast<const I*>(csr->col_idx);
        for (int64_t i = 0; i < csr->rows; ++i)
            for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
                int64_t off = i * d->strides[0] + static_cast<int64_t>(ci[k]) * d->strides[1];
                if (csr->values) copy_value(d->data, off, csr->values, k, vs);
                else store_any(d->data, d->dtype, off, 1.0);
            }
    });
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_bsr_to_dense(const s4j_bsr* b, s4j_dense* d) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_bsr_validate(b));
    S4J_TRY(check_dense2(d, "BSR->dense output"));
    S4J_TRY(need_host("BSR", b->device));
    if (b->rows != d->shape[0] || b->cols != d->shape[1])
        return fail(S4J_SHAPE_MISMATCH, "BSR->dense: BSR is %lldx%lld, dense is %lldx%lld", (long long)b->rows,
                    (long long)b->cols, (long long)d->shape[0], (long long)d->shape[1]);
    if (!b->values || b->value_dtype != d->dtype)
        return fail(S4J_SHAPE_MISMATCH, "BSR->dense: BSR values must exist with dtype %s", dtype_name(d->dtype));
    if (!is_index_dtype(b->index_dtype)) return fail(S4J_INVALID_FORMAT, "BSR: index dtype must be i32 or i64");
    size_t vs = dtype_size(d->dtype);
    for (int64_t i = 0; i < d->shape[0]; ++i)
        for (int64_t j = 0; j < d->shape[1]; ++j) store_any(d->data, d->dtype, i * d->strides[0] + j * d->strides[1], 0.0);
    int64_t br = b->block_rows, bc = b->block_cols, bsize = br * bc;
    int64_t brows = (b->rows + br - 1) / br;
    with_index_type(b->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(b->row_ptr);
        const I* ci = static_cast<const I*>(b->col_idx);
        for (int64_t bi = 0; bi < brows; ++bi)
            for (int64_t k = rp[bi]; k < rp[bi + 1]; ++k)
                for (int64_t r = 0; r < br && bi * br + r < b->rows; ++r)
                    for (int64_t c = 0; c < bc && ci[k] * bc + c < b->cols; ++c) {
                        int64_t off = (bi * br + r) * d->strides[0] + (ci[k] * bc + c) * d->strides[1];
                        copy_value(d->data, off, b->values, k * bsize + r * bc + c, vs);
                    }
    });
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_coo_sort(s4j_coo* a) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_coo_validate(a));
    if (a->nnz < 2) return S4J_OK;
    std::vector<int64_t> perm;
    try {
        perm.resize(static_cast<size_t>(a->nnz));
    } catch (const std::bad_alloc&) {
        return fail(S4J_OUT_OF_MEMORY, "COO sort: cannot allocate a permutation of %lld entries", (long long)a->nnz);
    }
    std::iota(perm.begin(), perm.end(), 0);
    s4j_status st = S4J_OK;
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        I* r = static_cast<I*>(a->row_idx);
        I* c = static_cast<I*>(a->col_idx);
        if (s4j_coo_is_canonical(a) == 1) return;
        std::stable_sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) {
            return r[x] < r[y] || (r[x] == r[y] && c[x] < c[y]);
        });
        try {
            std::vector<I> tmp(perm.size());
            for (size_t k = 0; k < perm.size(); ++k) tmp[k] = r[perm[k]];
            std::copy(tmp.begin(), tmp.end(), r);
            for (size_t k = 0; k < perm.size(); ++k) tmp[k] = c[perm[k]];
            std::copy(tmp.begin(), tmp.end(), c);
            if (a->values) {
                size_t vs = dtype_size(a->value_dtype);
                std::vector<char> vals(perm.size() * vs);
                for (size_t k = 0; k < perm.size(); ++k) copy_value(vals.data(), k, a->values, perm[k], vs);
                std::memcpy(a->values, vals.data(), vals.size());
            }
        } catch (const std::bad_alloc&) {
            st = fail(S4J_OUT_OF_MEMORY, "COO sort: out of memory for %lld entries", (long long)a->nnz);
        }
    });
    return st;
    S4J_GUARD_END
}

s4j_status s4j_coo_sum_duplicates(s4j_coo* a, int64_t* new_nnz) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_coo_validate(a));
    if (!new_nnz) return fail(S4J_INVALID_ARGUMENT, "COO sum duplicates: new_nnz pointer is null");
    s4j_status st = S4J_OK;
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        I* r = static_cast<I*>(a->row_idx);
        I* c = static_cast<I*>(a->col_idx);
        int64_t out = 0;
        for (int64_t k = 0; k < a->nnz; ++k) {
            if (k > 0 && (r[k] < r[k - 1] || (r[k] == r[k - 1] && c[k] < c[k - 1]))) {
                st = fail(S4J_INVALID_FORMAT, "COO sum duplicates: entries not sorted at position %lld", (long long)k);
                return;
            }
            if (out > 0 && r[out - 1] == r[k] && c[out - 1] == c[k]) {
                if (a->values) {
                    // Sum in fp64 per run of duplicates would need a buffer; adding pairwise in fp64 and
                    // storing keeps fp32/fp64 exact enough and matches what a user expects of fp16.
                    double v = load_any(a->values, a->value_dtype, out - 1) + load_any(a->values, a->value_dtype, k);
                    store_any(a->values, a->value_dtype, out - 1, v);
                }
                continue;
            }
            r[out] = r[k];
            c[out] = c[k];
            copy_value(a->values, out, a->values, k, dtype_size(a->value_dtype));
            ++out;
        }
        *new_nnz = out;
    });
    if (st == S4J_OK) a->nnz = *new_nnz;
    return st;
    S4J_GUARD_END
}

s4j_status s4j_coo_to_csr(const s4j_coo* a, s4j_csr* csr) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_coo_validate(a));
    S4J_TRY(check_csr_output(csr, "COO->CSR output"));
    S4J_TRY(same_index("COO->CSR", a->index_dtype, csr->index_dtype));
    S4J_TRY(same_values("COO->CSR", a->values, a->value_dtype, csr->values, csr->value_dtype));
    if (a->rows != csr->rows || a->cols != csr->cols || a->nnz != csr->nnz)
        return fail(S4J_SHAPE_MISMATCH, "COO->CSR: COO is %lldx%lld nnz %lld, CSR is %lldx%lld nnz %lld", (long long)a->rows,
                    (long long)a->cols, (long long)a->nnz, (long long)csr->rows, (long long)csr->cols, (long long)csr->nnz);
    int32_t canon = s4j_coo_is_canonical(a);
    if (canon != 1) return fail(S4J_INVALID_FORMAT, "COO->CSR: entries must be sorted by (row, column) without duplicates; sort and sum duplicates first");
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* r = static_cast<const I*>(a->row_idx);
        I* rp = static_cast<I*>(csr->row_ptr);
        std::fill(rp, rp + csr->rows + 1, I(0));
        for (int64_t k = 0; k < a->nnz; ++k) ++rp[r[k] + 1];
        for (int64_t i = 0; i < csr->rows; ++i) rp[i + 1] += rp[i];
        if (a->nnz) std::memcpy(csr->col_idx, a->col_idx, static_cast<size_t>(a->nnz) * sizeof(I));
        if (a->values && a->nnz) std::memcpy(csr->values, a->values, static_cast<size_t>(a->nnz) * dtype_size(a->value_dtype));
    });
    note_max_row_nnz(csr);
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_csr_to_coo(const s4j_csr* csr, s4j_coo* a) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_csr_validate(csr));  // conversions index through the structure: it must be sound (header included)
    S4J_TRY(need_host("CSR", csr->device));
    if (!a) return fail(S4J_INVALID_ARGUMENT, "CSR->COO: output descriptor is null");
    S4J_TRY(same_index("CSR->COO", csr->index_dtype, a->index_dtype));
    S4J_TRY(same_values("CSR->COO", csr->values, csr->value_dtype, a->values, a->value_dtype));
    if (a->rows != csr->rows || a->cols != csr->cols || a->nnz != csr->nnz)
        return fail(S4J_SHAPE_MISMATCH, "CSR->COO: shapes or nnz differ");
    if (a->nnz > 0 && (!a->row_idx || !a->col_idx)) return fail(S4J_INVALID_ARGUMENT, "CSR->COO: output index arrays are null");
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(csr->row_ptr);
        I* r = static_cast<I*>(a->row_idx);
        for (int64_t i = 0; i < csr->rows; ++i)
            for (int64_t k = rp[i]; k < rp[i + 1]; ++k) r[k] = static_cast<I>(i);
        if (a->nnz) std::memcpy(a->col_idx, csr->col_idx, static_cast<size_t>(a->nnz) * sizeof(I));
        if (a->values && a->nnz) std::memcpy(a->values, csr->values, static_cast<size_t>(a->nnz) * dtype_size(a->value_dtype));
    });
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_csr_transpose(const s4j_csr* csr, s4j_csr* out) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_csr_validate(csr));  // conversions index through the structure: it must be sound (header included)
    S4J_TRY(check_csr_output(out, "CSR transpose output"));
    S4J_TRY(need_host("CSR", csr->device));
    S4J_TRY(same_index("CSR transpose", csr->index_dtype, out->index_dtype));
    S4J_TRY(same_values("CSR transpose", csr->values, csr->value_dtype, out->values, out->value_dtype));
    if (out->rows != csr->cols || out->cols != csr->rows || out->nnz != csr->nnz)
        return fail(S4J_SHAPE_MISMATCH, "CSR transpose: output must be %lldx%lld with nnz %lld", (long long)csr->cols,
                    (long long)csr->rows, (long long)csr->nnz);
    size_t vs = csr->values ? dtype_size(csr->value_dtype) : 0;
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        std::vector<I> next(static_cast<size_t>(out->rows));
        transpose_csr(csr->rows, csr->cols, csr->nnz, static_cast<const I*>(csr->row_ptr), static_cast<const I*>(csr->col_idx),
                      static_cast<I*>(out->row_ptr), static_cast<I*>(out->col_idx), next.data(),
                      [&](int64_t src, int64_t dst) { copy_value(out->values, dst, csr->values, src, vs); });
    });
    note_max_row_nnz(out);
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_csr_count_blocks(const s4j_csr* csr, int64_t br, int64_t bc, int64_t* nnzb) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_csr_validate(csr));  // conversions index through the structure: it must be sound (header included)
    S4J_TRY(need_host("CSR", csr->device));
    if (br <= 0 || bc <= 0) return fail(S4J_INVALID_ARGUMENT, "CSR->BSR: block shape %lldx%lld must be positive", (long long)br, (long long)bc);
    if (!nnzb) return fail(S4J_INVALID_ARGUMENT, "CSR->BSR: nnzb pointer is null");
    S4J_TRY(check_block_size("CSR->BSR", br, bc, 1, csr->value_dtype));
    int64_t bcols = (csr->cols + bc - 1) / bc;
    int64_t count = 0;
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(csr->row_ptr);
        const I* ci = static_cast<const I*>(csr->col_idx);
        std::vector<int64_t> seen(static_cast<size_t>(bcols), -1);
        for (int64_t i = 0; i < csr->rows; ++i) {
            int64_t bi = i / br;
            for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
                int64_t bj = ci[k] / bc;
                if (seen[bj] != bi) { seen[bj] = bi; ++count; }
            }
        }
    });
    *nnzb = count;
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_csr_to_bsr(const s4j_csr* csr, s4j_bsr* b) {
    S4J_GUARD_BEGIN
    S4J_TRY(check_csr_header(csr, "CSR"));
    S4J_TRY(need_host("CSR", csr->device));
    if (!b) return fail(S4J_INVALID_ARGUMENT, "CSR->BSR: output descriptor is null");
    S4J_TRY(same_index("CSR->BSR", csr->index_dtype, b->index_dtype));
    if (!csr->values || !b->values || csr->value_dtype != b->value_dtype)
        return fail(S4J_SHAPE_MISMATCH, "CSR->BSR: both need values of one dtype");
    int64_t br = b->block_rows, bc = b->block_cols;
    int64_t expect = 0;
    S4J_TRY(s4j_csr_count_blocks(csr, br, bc, &expect));
    if (b->rows != csr->rows || b->cols != csr->cols || b->nnzb != expect)
        return fail(S4J_SHAPE_MISMATCH, "CSR->BSR: output must be %lldx%lld with %lld blocks", (long long)csr->rows,
                    (long long)csr->cols, (long long)expect);
    if (!b->row_ptr || (expect > 0 && !b->col_idx)) return fail(S4J_INVALID_ARGUMENT, "CSR->BSR: output index arrays are null");
    S4J_TRY(check_block_size("CSR->BSR", br, bc, expect, b->value_dtype));
    int64_t brows = (csr->rows + br - 1) / br, bcols = (csr->cols + bc - 1) / bc, bsize = br * bc;
    size_t vs = dtype_size(b->value_dtype);
    std::memset(b->values, 0, static_cast<size_t>(b->nnzb * bsize) * vs);  // all float dtypes: 0 bits == +0
    with_index_type(csr->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(csr->row_ptr);
        const I* ci = static_cast<const I*>(csr->col_idx);
        I* brp = static_cast<I*>(b->row_ptr);
        I* bci = static_cast<I*>(b->col_idx);
        std::vector<int64_t> slot(static_cast<size_t>(bcols), -1);
        std::vector<int64_t> used;
        int64_t nb = 0;
        brp[0] = 0;
        for (int64_t bi = 0; bi < brows; ++bi) {
            used.clear();
            int64_t r_end = std::min(csr->rows, (bi + 1) * br);
            for (int64_t i = bi * br; i < r_end; ++i)
                for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
                    int64_t bj = ci[k] / bc;
                    if (slot[bj] < 0) { slot[bj] = 0; used.push_back(bj); }
                }
            std::sort(used.begin(), used.end());
            for (int64_t bj : used) { slot[bj] = nb; bci[nb] = static_cast<I>(bj); ++nb; }
            for (int64_t i = bi * br; i < r_end; ++i)
                for (int64_t k = rp[i]; k < rp[i + 1]; ++k) {
                    int64_t bj = ci[k] / bc;
                    int64_t dst = slot[bj] * bsize + (i - bi * br) * bc + (ci[k] - bj * bc);
                    copy_value(b->values, dst, csr->values, k, vs);
                }
            for (int64_t bj : used) slot[bj] = -1;
            brp[bi + 1] = static_cast<I>(nb);
        }
    });
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_bsr_count_nonzero(const s4j_bsr* b, int64_t* nnz) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_bsr_validate(b));
    if (!nnz) return fail(S4J_INVALID_ARGUMENT, "BSR: nnz pointer is null");
    if (!b->values) return fail(S4J_INVALID_ARGUMENT, "BSR: values are null");
    int64_t br = b->block_rows, bc = b->block_cols, bsize = br * bc;
    int64_t brows = (b->rows + br - 1) / br;
    int64_t count = 0;
    with_index_type(b->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(b->row_ptr);
        const I* ci = static_cast<const I*>(b->col_idx);
        for (int64_t bi = 0; bi < brows; ++bi)
            for (int64_t k = rp[bi]; k < rp[bi + 1]; ++k)
                for (int64_t r = 0; r < br && bi * br + r < b->rows; ++r)
                    for (int64_t c = 0; c < bc && ci[k] * bc + c < b->cols; ++c)
                        if (load_any(b->values, b->value_dtype, k * bsize + r * bc + c) != 0.0) ++count;
    });
    *nnz = count;
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_bsr_to_csr(const s4j_bsr* b, s4j_csr* csr) {
    S4J_GUARD_BEGIN
    int64_t expect = 0;
    S4J_TRY(s4j_bsr_count_nonzero(b, &expect));
    S4J_TRY(check_csr_output(csr, "BSR->CSR output"));
    S4J_TRY(same_index("BSR->CSR", b->index_dtype, csr->index_dtype));
    if (!csr->values || csr->value_dtype != b->value_dtype) return fail(S4J_SHAPE_MISMATCH, "BSR->CSR: output values must have dtype %s", dtype_name(b->value_dtype));
    if (csr->rows != b->rows || csr->cols != b->cols || csr->nnz != expect)
        return fail(S4J_SHAPE_MISMATCH, "BSR->CSR: output must be %lldx%lld with nnz %lld", (long long)b->rows, (long long)b->cols, (long long)expect);
    int64_t br = b->block_rows, bc = b->block_cols, bsize = br * bc;
    size_t vs = dtype_size(b->value_dtype);
    with_index_type(b->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(b->row_ptr);
        const I* ci = static_cast<const I*>(b->col_idx);
        I* crp = static_cast<I*>(csr->row_ptr);
        I* cci = static_cast<I*>(csr->col_idx);
        int64_t k_out = 0;
        crp[0] = 0;
        for (int64_t i = 0; i < b->rows; ++i) {
            int64_t bi = i / br, r = i - bi * br;
            for (int64_t k = rp[bi]; k < rp[bi + 1]; ++k)  // block columns are sorted, so columns come out sorted
                for (int64_t c = 0; c < bc && ci[k] * bc + c < b->cols; ++c) {
                    int64_t src = k * bsize + r * bc + c;
                    if (load_any(b->values, b->value_dtype, src) == 0.0) continue;
                    cci[k_out] = static_cast<I>(ci[k] * bc + c);
                    copy_value(csr->values, k_out, b->values, src, vs);
                    ++k_out;
                }
            crp[i + 1] = static_cast<I>(k_out);
        }
    });
    note_max_row_nnz(csr);
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_coo_count_offdiagonal(const s4j_coo* a, int64_t* count) {
    S4J_GUARD_BEGIN
    S4J_TRY(s4j_coo_validate(a));
    if (!count) return fail(S4J_INVALID_ARGUMENT, "COO: count pointer is null");
    int64_t n = 0;
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* r = static_cast<const I*>(a->row_idx);
        const I* c = static_cast<const I*>(a->col_idx);
        for (int64_t k = 0; k < a->nnz; ++k) n += r[k] != c[k];
    });
    *count = n;
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_coo_expand_symmetric(const s4j_coo* a, int32_t skew, s4j_coo* out) {
    S4J_GUARD_BEGIN
    int64_t off = 0;
    S4J_TRY(s4j_coo_count_offdiagonal(a, &off));
    if (!out) return fail(S4J_INVALID_ARGUMENT, "COO expand: output descriptor is null");
    S4J_TRY(same_index("COO expand", a->index_dtype, out->index_dtype));
    S4J_TRY(same_values("COO expand", a->values, a->value_dtype, out->values, out->value_dtype));
    if (a->rows != a->cols) return fail(S4J_SHAPE_MISMATCH, "COO expand: a symmetric matrix must be square, got %lldx%lld", (long long)a->rows, (long long)a->cols);
    if (out->rows != a->rows || out->cols != a->cols || out->nnz != a->nnz + off)
        return fail(S4J_SHAPE_MISMATCH, "COO expand: output must be %lldx%lld with nnz %lld", (long long)a->rows, (long long)a->cols, (long long)(a->nnz + off));
    if (out->index_dtype == S4J_I32 && out->nnz > 2147483647LL)
        return fail(S4J_INVALID_FORMAT, "COO expand: %lld entries do not fit int32 indices; use i64", (long long)out->nnz);
    if (out->nnz > 0 && (!out->row_idx || !out->col_idx)) return fail(S4J_INVALID_ARGUMENT, "COO expand: output index arrays are null");
    size_t vs = a->values ? dtype_size(a->value_dtype) : 0;
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* r = static_cast<const I*>(a->row_idx);
        const I* c = static_cast<const I*>(a->col_idx);
        I* orow = static_cast<I*>(out->row_idx);
        I* ocol = static_cast<I*>(out->col_idx);
        int64_t m = a->nnz;
        for (int64_t k = 0; k < a->nnz; ++k) {
            orow[k] = r[k];
            ocol[k] = c[k];
            copy_value(out->values, k, a->values, k, vs);
            if (r[k] == c[k]) continue;
            orow[m] = c[k];
            ocol[m] = r[k];
            if (out->values) {
                double v = load_any(a->values, a->value_dtype, k);
                store_any(out->values, out->value_dtype, m, skew ? -v : v);
            }
            ++m;
        }
    });
    return S4J_OK;
    S4J_GUARD_END
}

s4j_status s4j_convert_values(const void* src, s4j_dtype sd, void* dst, s4j_dtype dd, int64_t count) {
    S4J_GUARD_BEGIN
    if (!is_float_dtype(sd) || !is_float_dtype(dd))
        return fail(S4J_INVALID_ARGUMENT, "convert values: %s -> %s is not a float conversion", dtype_name(sd), dtype_name(dd));
    if (count < 0) return fail(S4J_INVALID_ARGUMENT, "convert values: negative count %lld", (long long)count);
    if (count > 0 && (!src || !dst)) return fail(S4J_INVALID_ARGUMENT, "convert values: null pointer");
    for (int64_t i = 0; i < count; ++i) store_any(dst, dd, i, load_any(src, sd, i));
    return S4J_OK;
    S4J_GUARD_END
}

}  // extern "C"
