// O(1) operand checks used by every entry point, and the O(nnz) structure validators that the Java
// format constructors call once.
#include "internal.h"

#include <algorithm>
#include <limits>

namespace s4j {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

s4j_status check_sizes(const char* what, int64_t rows, int64_t cols, int64_t nnz, s4j_dtype index_dtype) {
    if (rows < 0) return fail(S4J_INVALID_FORMAT, "%s: negative row count %lld", what, (long long)rows);
    if (cols < 0) return fail(S4J_INVALID_FORMAT, "%s: negative column count %lld", what, (long long)cols);
    if (nnz < 0) return fail(S4J_INVALID_FORMAT, "%s: negative nnz %lld", what, (long long)nnz);
    if (!is_index_dtype(index_dtype))
        return fail(S4J_INVALID_FORMAT, "%s: index dtype must be i32 or i64, got %s", what, dtype_name(index_dtype));
    if (index_dtype == S4J_I32) {
        if (rows > kInt32Max) return fail(S4J_INVALID_FORMAT, "%s: %lld rows do not fit int32 indices", what, (long long)rows);
        if (cols > kInt32Max) return fail(S4J_INVALID_FORMAT, "%s: %lld columns do not fit int32 indices", what, (long long)cols);
        if (nnz > kInt32Max) return fail(S4J_INVALID_FORMAT, "%s: nnz %lld does not fit int32 indices", what, (long long)nnz);
    }
    return S4J_OK;
}

s4j_status check_arrays(const char* what, int64_t nnz, const void* idx_a, const void* idx_b, const void* values,
                        s4j_dtype value_dtype, int32_t device) {
    if (device != S4J_DEVICE_CPU && device != S4J_DEVICE_CUDA)
        return fail(S4J_INVALID_ARGUMENT, "%s: unknown device kind %d", what, device);
    if (nnz > 0 && (!idx_a || !idx_b)) return fail(S4J_INVALID_ARGUMENT, "%s: index array is null with nnz %lld", what, (long long)nnz);
    if (values && !is_float_dtype(value_dtype))
        return fail(S4J_INVALID_FORMAT, "%s: value dtype must be a float type, got %s", what, dtype_name(value_dtype));
    return S4J_OK;
}

template <typename I>
s4j_status validate_compressed(const char* what, const char* major, const char* minor, int64_t n_major,
                               int64_t n_minor, int64_t nnz, const I* ptr, const I* idx) {
    if (static_cast<int64_t>(ptr[0]) != 0)
        return fail(S4J_INVALID_FORMAT, "%s: %s_ptr[0] is %lld, must be 0", what, major, (long long)ptr[0]);
    for (int64_t r = 0; r < n_major; ++r) {
        int64_t begin = ptr[r], end = ptr[r + 1];
        if (end < begin)
            return fail(S4J_INVALID_FORMAT, "%s: %s_ptr not monotone at %s %lld: %lld then %lld", what, major, major,
                        (long long)r, (long long)begin, (long long)end);
        if (end > nnz)
            return fail(S4J_INVALID_FORMAT, "%s: %s_ptr[%lld] = %lld exceeds nnz %lld", what, major, (long long)(r + 1),
                        (long long)end, (long long)nnz);
        int64_t prev = -1;
        for (int64_t k = begin; k < end; ++k) {
            int64_t c = idx[k];
            if (c < 0 || c >= n_minor)
                return fail(S4J_INVALID_FORMAT, "%s: %s %lld: %s index %lld out of range [0, %lld) at position %lld", what,
                            major, (long long)r, minor, (long long)c, (long long)n_minor, (long long)k);
            if (c == prev)
                return fail(S4J_INVALID_FORMAT, "%s: %s %lld: duplicate %s index %lld at position %lld", what, major,
                            (long long)r, minor, (long long)c, (long long)k);
            if (c < prev)
                return fail(S4J_INVALID_FORMAT, "%s: %s %lld: %s indices not sorted at position %lld (%lld after %lld)",
                            what, major, (long long)r, minor, (long long)k, (long long)c, (long long)prev);
            prev = c;
        }
    }
    if (static_cast<int64_t>(ptr[n_major]) != nnz)
        return fail(S4J_INVALID_FORMAT, "%s: %s_ptr[%lld] = %lld but nnz is %lld", what, major, (long long)n_major,
                    (long long)ptr[n_major], (long long)nnz);
    return S4J_OK;
}

s4j_status require_host(const char* what, int32_t device) {
    if (device != S4J_DEVICE_CPU)
        return fail(S4J_UNSUPPORTED, "%s: structure validation reads host memory; copy the format to the host first", what);
    return S4J_OK;
}

}  // namespace

s4j_status check_dense(const s4j_dense* d, const char* what, int32_t rank) {
    if (!d) return fail(S4J_INVALID_ARGUMENT, "%s: descriptor is null", what);
    if (d->rank != rank) return fail(S4J_SHAPE_MISMATCH, "%s: rank %d, expected %d", what, d->rank, rank);
    if (dtype_size(d->dtype) == 0) return fail(S4J_INVALID_ARGUMENT, "%s: unknown dtype %d", what, d->dtype);
    int64_t elems = 1;
    for (int32_t i = 0; i < rank; ++i) {
        if (d->shape[i] < 0) return fail(S4J_INVALID_ARGUMENT, "%s: negative extent %lld in dimension %d", what, (long long)d->shape[i], i);
        if (d->strides[i] < 0) return fail(S4J_INVALID_ARGUMENT, "%s: negative stride %lld in dimension %d", what, (long long)d->strides[i], i);
        elems *= d->shape[i];
    }
    if (elems > 0 && !d->data) return fail(S4J_INVALID_ARGUMENT, "%s: data pointer is null", what);
    return S4J_OK;
}

s4j_status check_csr_header(const s4j_csr* a, const char* what) {
    if (!a) return fail(S4J_INVALID_ARGUMENT, "%s: descriptor is null", what);
    s4j_status st = check_sizes(what, a->rows, a->cols, a->nnz, a->index_dtype);
    if (st) return st;
    if (!a->row_ptr) return fail(S4J_INVALID_ARGUMENT, "%s: row_ptr is null", what);
    if (a->max_row_nnz < 0 || a->max_row_nnz > a->cols || a->max_row_nnz > a->nnz)
        return fail(S4J_INVALID_ARGUMENT, "%s: max_row_nnz %lld is out of range [0, min(cols %lld, nnz %lld)]", what,
                    (long long)a->max_row_nnz, (long long)a->cols, (long long)a->nnz);
    return check_arrays(what, a->nnz, a->col_idx, a->col_idx, a->values, a->value_dtype, a->device);
}

s4j_status check_csr_output(const s4j_csr* a, const char* what) {
    if (!a) return fail(S4J_INVALID_ARGUMENT, "%s: descriptor is null", what);
    s4j_csr unhinted = *a;
    unhinted.max_row_nnz = 0;
    return check_csr_header(&unhinted, what);
}

// The longest row of a host CSR whose header has been checked.
int64_t longest_row(const s4j_csr* a) {
    int64_t longest = 0;
    with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* rp = static_cast<const I*>(a->row_ptr);
        for (int64_t r = 0; r < a->rows; ++r) {
            const int64_t len = static_cast<int64_t>(rp[r + 1]) - static_cast<int64_t>(rp[r]);
            if (len > longest) longest = len;
        }
    });
    return longest;
}

void note_max_row_nnz(s4j_csr* a) { a->max_row_nnz = longest_row(a); }

s4j_status same_device(s4j_context ctx, const char* what, int32_t device, int32_t index) {
    int32_t want = s4j_context_backend_cap(ctx) == S4J_BACKEND_CUDA ? S4J_DEVICE_CUDA : S4J_DEVICE_CPU;
    if (device != want)
        return fail(S4J_SHAPE_MISMATCH, "%s lives on %s but the context runs on %s", what,
                    device == S4J_DEVICE_CUDA ? "a CUDA device" : "the host", want == S4J_DEVICE_CUDA ? "a CUDA device" : "the host");
    if (want == S4J_DEVICE_CUDA && index != context_env(ctx).device_index)
        return fail(S4J_SHAPE_MISMATCH, "%s lives on CUDA device %d but the context runs on CUDA device %d", what, index,
                    context_env(ctx).device_index);
    return S4J_OK;
}

s4j_status same_dtype(const char* what, s4j_dtype want, s4j_dtype got) {
    if (want != got) return fail(S4J_SHAPE_MISMATCH, "%s has dtype %s, expected %s", what, dtype_name(got), dtype_name(want));
    return S4J_OK;
}

span dense_span(const s4j_dense* d) {
    int64_t last = 0;
    for (int32_t i = 0; i < d->rank; ++i) {
        if (d->shape[i] == 0) return span{0, 0};
        last += (d->shape[i] - 1) * d->strides[i];
    }
    uintptr_t lo = reinterpret_cast<uintptr_t>(d->data);
    return span{lo, lo + static_cast<uintptr_t>(last + 1) * dtype_size(d->dtype)};
}

span array_span(const void* p, int64_t count, s4j_dtype dtype) {
    uintptr_t lo = reinterpret_cast<uintptr_t>(p);
    return p && count > 0 ? span{lo, lo + static_cast<uintptr_t>(count) * dtype_size(dtype)} : span{0, 0};
}

s4j_status check_disjoint(const char* what, const char* out_name, span out, std::initializer_list<named_span> inputs) {
    if (out.lo == out.hi) return S4J_OK;
    for (const named_span& in : inputs) {
        if (in.s.lo < out.hi && out.lo < in.s.hi)
            return fail(S4J_INVALID_ARGUMENT, "%s: %s overlaps %s in memory; write into a separate tensor", what, out_name, in.name);
    }
    return S4J_OK;
}

s4j_status check_no_self_overlap(const s4j_dense* d, const char* what) {
    // Sort dimensions by stride: each stride must step past everything the smaller ones cover.
    int32_t order[S4J_MAX_RANK];
    for (int32_t i = 0; i < d->rank; ++i) order[i] = i;
    for (int32_t i = 1; i < d->rank; ++i)  // insertion sort: rank <= 8
        for (int32_t j = i; j > 0 && d->strides[order[j]] < d->strides[order[j - 1]]; --j) std::swap(order[j], order[j - 1]);
    int64_t covered = 1;
    for (int32_t r = 0; r < d->rank; ++r) {
        int32_t i = order[r];
        if (d->shape[i] <= 1) continue;
        if (d->strides[i] < covered)
            return fail(S4J_INVALID_ARGUMENT, "%s: elements overlap (stride %lld in dimension %d); an output needs distinct elements",
                        what, (long long)d->strides[i], i);
        covered = d->strides[i] * d->shape[i];
    }
    return S4J_OK;
}

s4j_status check_block_size(const char* what, int64_t br, int64_t bc, int64_t nnzb, s4j_dtype value_dtype) {
    int64_t bsize, elems, bytes;
    size_t vs = dtype_size(value_dtype) ? dtype_size(value_dtype) : 1;
    if (__builtin_mul_overflow(br, bc, &bsize) || __builtin_mul_overflow(nnzb, bsize, &elems) ||
        __builtin_mul_overflow(elems, static_cast<int64_t>(vs), &bytes))
        return fail(S4J_INVALID_FORMAT, "%s: %lld blocks of %lldx%lld values overflow 64-bit sizes", what, (long long)nnzb,
                    (long long)br, (long long)bc);
    return S4J_OK;
}

}  // namespace s4j

using s4j::fail;

extern "C" {

s4j_status s4j_csr_validate(const s4j_csr* a) {
    s4j_status st = s4j::check_csr_header(a, "CSR");
    if (st) return st;
    if ((st = s4j::require_host("CSR", a->device))) return st;
    s4j::with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        st = s4j::validate_compressed<I>("CSR", "row", "column", a->rows, a->cols, a->nnz,
                                         static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx));
    });
    if (st || a->max_row_nnz == 0) return st;
    const int64_t longest = s4j::longest_row(a);
    if (a->max_row_nnz != longest)
        return fail(S4J_INVALID_FORMAT, "CSR: max_row_nnz is %lld but the longest row has %lld nonzeros", (long long)a->max_row_nnz,
                    (long long)longest);
    return S4J_OK;
}

s4j_status s4j_csr_max_row_nnz(const s4j_csr* a, int64_t* max_row_nnz) {
    if (!max_row_nnz) return fail(S4J_INVALID_ARGUMENT, "CSR max_row_nnz: output pointer is null");
    s4j_status st = s4j::check_csr_output(a, "CSR");  // the hint being computed is not read
    if (st) return st;
    if ((st = s4j::require_host("CSR", a->device))) return st;
    *max_row_nnz = s4j::longest_row(a);
    return S4J_OK;
}

s4j_status s4j_csc_validate(const s4j_csc* a) {
    if (!a) return fail(S4J_INVALID_ARGUMENT, "CSC: descriptor is null");
    s4j_status st = s4j::check_sizes("CSC", a->rows, a->cols, a->nnz, a->index_dtype);
    if (st) return st;
    if (!a->col_ptr) return fail(S4J_INVALID_ARGUMENT, "CSC: col_ptr is null");
    if ((st = s4j::check_arrays("CSC", a->nnz, a->row_idx, a->row_idx, a->values, a->value_dtype, a->device))) return st;
    if ((st = s4j::require_host("CSC", a->device))) return st;
    s4j::with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        st = s4j::validate_compressed<I>("CSC", "col", "row", a->cols, a->rows, a->nnz,
                                         static_cast<const I*>(a->col_ptr), static_cast<const I*>(a->row_idx));
    });
    return st;
}

s4j_status s4j_coo_validate(const s4j_coo* a) {
    if (!a) return fail(S4J_INVALID_ARGUMENT, "COO: descriptor is null");
    s4j_status st = s4j::check_sizes("COO", a->rows, a->cols, a->nnz, a->index_dtype);
    if (st) return st;
    if ((st = s4j::check_arrays("COO", a->nnz, a->row_idx, a->col_idx, a->values, a->value_dtype, a->device))) return st;
    if ((st = s4j::require_host("COO", a->device))) return st;
    s4j::with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        const I* r = static_cast<const I*>(a->row_idx);
        const I* c = static_cast<const I*>(a->col_idx);
        for (int64_t k = 0; k < a->nnz; ++k) {
            if (r[k] < 0 || r[k] >= a->rows) {
                st = fail(S4J_INVALID_FORMAT, "COO: entry %lld: row index %lld out of range [0, %lld)", (long long)k,
                          (long long)r[k], (long long)a->rows);
                return;
            }
            if (c[k] < 0 || c[k] >= a->cols) {
                st = fail(S4J_INVALID_FORMAT, "COO: entry %lld (row %lld): column index %lld out of range [0, %lld)",
                          (long long)k, (long long)r[k], (long long)c[k], (long long)a->cols);
                return;
            }
        }
    });
    return st;
}

int32_t s4j_coo_is_canonical(const s4j_coo* a) {
    if (!a) { fail(S4J_INVALID_ARGUMENT, "COO: descriptor is null"); return -1; }
    int32_t result = 1;
    if (!s4j::with_index_type(a->index_dtype, [&](auto* tag) {
            using I = std::remove_pointer_t<decltype(tag)>;
            const I* r = static_cast<const I*>(a->row_idx);
            const I* c = static_cast<const I*>(a->col_idx);
            for (int64_t k = 1; k < a->nnz; ++k) {
                if (r[k] < r[k - 1] || (r[k] == r[k - 1] && c[k] <= c[k - 1])) { result = 0; return; }
            }
        })) {
        fail(S4J_INVALID_FORMAT, "COO: index dtype must be i32 or i64");
        return -1;
    }
    return result;
}

s4j_status s4j_bsr_validate(const s4j_bsr* a) {
    if (!a) return fail(S4J_INVALID_ARGUMENT, "BSR: descriptor is null");
    if (a->block_rows <= 0 || a->block_cols <= 0)
        return fail(S4J_INVALID_FORMAT, "BSR: block shape %lldx%lld must be positive", (long long)a->block_rows,
                    (long long)a->block_cols);
    s4j_status st = s4j::check_sizes("BSR", a->rows, a->cols, a->nnzb, a->index_dtype);
    if (st) return st;
    if ((st = s4j::check_block_size("BSR", a->block_rows, a->block_cols, a->nnzb, a->value_dtype))) return st;
    if (!a->row_ptr) return fail(S4J_INVALID_ARGUMENT, "BSR: row_ptr is null");
    if ((st = s4j::check_arrays("BSR", a->nnzb, a->col_idx, a->col_idx, a->values, a->value_dtype, a->device))) return st;
    if ((st = s4j::require_host("BSR", a->device))) return st;
    int64_t brows = (a->rows + a->block_rows - 1) / a->block_rows;
    int64_t bcols = (a->cols + a->block_cols - 1) / a->block_cols;
    s4j::with_index_type(a->index_dtype, [&](auto* tag) {
        using I = std::remove_pointer_t<decltype(tag)>;
        st = s4j::validate_compressed<I>("BSR", "block row", "block column", brows, bcols, a->nnzb,
                                         static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx));
    });
    return st;
}

}  // extern "C"
