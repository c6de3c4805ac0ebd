// ISA-neutral drivers of the CPU kernels: they bring operands to fp32 with unit column stride
// (converting fp16/bf16 and strided operands once into scratch memory), transpose A for Aᵀ·B,
// split rows by nnz across the context's threads, run one tier's inner loops, and write back.
// Each driver is registered once per tier: scalar, avx2, avx512.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <type_traits>

#include "../../native/src/internal.h"
#include "../../native/src/parallel.h"
#include "kernels.h"

namespace s4j {
namespace cpu {
namespace {

// Aligned scratch memory owned by one call; freed on return.
class Scratch {
public:
    ~Scratch() {
        for (int i = 0; i < n_; ++i) std::free(blocks_[i]);
    }
    template <typename T>
    T* take(int64_t count) {
        if (n_ == kMax || count < 0 || static_cast<uint64_t>(count) > (SIZE_MAX - 64) / sizeof(T)) return nullptr;
        size_t bytes = static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(T);
        void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (p) blocks_[n_++] = p;
        return static_cast<T*>(p);
    }

private:
    static constexpr int kMax = 16;
    void* blocks_[kMax] = {};
    int n_ = 0;
};

// A rank-2 operand as fp32 rows with unit column stride: the tensor itself when it already is
// one, else a converted copy.
struct F32Matrix {
    const float* data;
    int64_t ld;
};

bool as_f32(const s4j_dense* d, Scratch& s, F32Matrix* out) {
    int64_t rows = d->shape[0], cols = d->shape[1];
    if (d->dtype == S4J_F32 && (d->strides[1] == 1 || cols <= 1)) {
        *out = {static_cast<const float*>(d->data), rows <= 1 ? std::max<int64_t>(cols, 1) : d->strides[0]};
        return true;
    }
    float* buf = s.take<float>(rows * cols);
    if (!buf) return false;
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            buf[i * cols + j] = static_cast<float>(load_any(d->data, d->dtype, i * d->strides[0] + j * d->strides[1]));
    *out = {buf, std::max<int64_t>(cols, 1)};
    return true;
}

const float* values_f32(const void* v, s4j_dtype dt, int64_t n, Scratch& s) {
    if (dt == S4J_F32) return static_cast<const float*>(v);
    float* buf = s.take<float>(n);
    if (!buf) return nullptr;
    for (int64_t i = 0; i < n; ++i) buf[i] = static_cast<float>(load_any(v, dt, i));
    return buf;
}

// Aᵀ as CSR with fp32 values (a counting sort; rows come out with sorted columns).
template <typename I>
bool transposed_f32(const s4j_csr* a, const float* vals, Scratch& s, I** rp_out, I** ci_out, float** v_out) {
    I* trp = s.take<I>(a->cols + 1);
    I* tci = s.take<I>(a->nnz);
    float* tv = s.take<float>(a->nnz);
    I* next = s.take<I>(a->cols);
    if (!trp || !tci || !tv || !next) return false;
    s4j::transpose_csr(a->rows, a->cols, a->nnz, static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx), trp, tci, next,
                  [&](int64_t src, int64_t dst) { tv[dst] = vals[src]; });
    *rp_out = trp;
    *ci_out = tci;
    *v_out = tv;
    return true;
}

// The fp32 buffer a kernel writes: the output itself when it is fp32 with unit column stride,
// else scratch (holding the old values when beta needs them) copied back by finish().
struct Output {
    float* data;
    int64_t ld;
    bool direct;
};

bool open_output(const s4j_dense* c, float beta, Scratch& s, Output* out) {
    bool matrix = c->rank == 2;
    int64_t m = c->shape[0], n = matrix ? c->shape[1] : 1;
    bool direct = c->dtype == S4J_F32 && (matrix ? (c->strides[1] == 1 || n == 1) : (c->strides[0] == 1 || m == 1));
    if (direct) {
        *out = {static_cast<float*>(c->data), matrix ? (m <= 1 ? n : c->strides[0]) : 1, true};
        return true;
    }
    float* buf = s.take<float>(m * n);
    if (!buf) return false;
    if (beta != 0.0f) {
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j)
                buf[i * n + j] = static_cast<float>(load_any(c->data, c->dtype, i * c->strides[0] + (matrix ? j * c->strides[1] : 0)));
    }
    *out = {buf, n, false};
    return true;
}

void finish(const Output& o, s4j_dense* c) {
    if (o.direct) return;
    int64_t m = c->shape[0], n = c->rank == 2 ? c->shape[1] : 1;
    int64_t col_stride = c->rank == 2 ? c->strides[1] : 0;
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) store_any(c->data, c->dtype, i * c->strides[0] + j * col_stride, o.data[i * n + j]);
}

int64_t row_parts(const exec_env& env, int64_t rows) {
    int64_t parts = static_cast<int64_t>(std::max(1, env.threads)) * 4;  // slack for uneven rows
    return std::max<int64_t>(1, std::min(parts, rows));
}

s4j_status oom(const char* what) { return fail(S4J_OUT_OF_MEMORY, "%s: out of memory for scratch buffers", what); }

// The CSR operand the kernels see: maybe transposed, fp32 values.
struct Sparse {
    const void* row_ptr;
    const void* col_idx;
    const float* values;
    int64_t rows;
};

template <typename I>
bool prepare_sparse(const s4j_csr* a, int32_t trans, Scratch& s, Sparse* out) {
    const float* vals = values_f32(a->values, a->value_dtype, a->nnz, s);
    if (!vals) return false;
    if (!trans) {
        *out = {a->row_ptr, a->col_idx, vals, a->rows};
        return true;
    }
    I *rp, *ci;
    float* v;
    if (!transposed_f32<I>(a, vals, s, &rp, &ci, &v)) return false;
    *out = {rp, ci, v, a->cols};
    return true;
}

// B copied into column blocks, each block's rows contiguous (see spmm_job::b_block_stride).
struct pack_job {
    const float* src;
    int64_t ld;
    float* dst;
    int64_t k, n, col_block, block_stride, chunk_rows, chunks;
};

void pack_task(const void* arg, int64_t task) {
    const pack_job& p = *static_cast<const pack_job*>(arg);
    const int64_t block = task / p.chunks, r0 = task % p.chunks * p.chunk_rows;
    const int64_t r1 = std::min(p.k, r0 + p.chunk_rows);
    const int64_t c0 = block * p.col_block, w = std::min(p.col_block, p.n - c0);
    float* dst = p.dst + block * p.block_stride;
    for (int64_t r = r0; r < r1; ++r) std::copy(p.src + r * p.ld + c0, p.src + r * p.ld + c0 + w, dst + r * w);
}

template <const isa_kernels* K>
s4j_status spmv(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                s4j_dense* y);

// A rank-2 operand with one column seen as a vector.
s4j_dense column(const s4j_dense* d) {
    s4j_dense v = *d;
    v.rank = 1;
    return v;
}

template <const isa_kernels* K>
s4j_status spmm(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                s4j_dense* c) {
    int64_t m = c->shape[0], n = c->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    if (n == 1) {  // one column (batch-1 decoding): the SpMV kernel gathers x instead of broadcasting A
        s4j_dense x = column(b), y = column(c);
        return spmv<K>(env, trans, alpha, a, &x, beta, &y);
    }
    Scratch s;
    Sparse sp;
    bool ok = a->index_dtype == S4J_I64 ? prepare_sparse<int64_t>(a, trans, s, &sp) : prepare_sparse<int32_t>(a, trans, s, &sp);
    if (!ok) return oom("spmm");
    F32Matrix bm;
    if (!as_f32(b, s, &bm)) return oom("spmm");
    Output out;
    if (!open_output(c, beta, s, &out)) return oom("spmm");
    int64_t parts = row_parts(env, m);
    int64_t* bounds = s.take<int64_t>(parts + 1);
    if (!bounds) return oom("spmm");
    if (a->index_dtype == S4J_I64) balanced_splits(static_cast<const int64_t*>(sp.row_ptr), m, parts, 1, bounds);
    else balanced_splits(static_cast<const int32_t*>(sp.row_ptr), m, parts, 1, bounds);
    int64_t col_block = n <= 256 ? n : 128;
    int64_t kdim = b->shape[0];
    // Panels of B rows sized so that a row has about 16 entries in each (fewer, and the per-panel
    // C update and loop exit dominate; more, and the panel leaves L1), at least 32 rows and at most
    // about 1 MiB. Rows are swept in blocks whose C tiles (about 128 KiB) stay in L2. (Measured on
    // 4096x4096 at N = 128, one AVX-512 core: 70% sparse went from 4.1 to 3.3 ns a nonzero with
    // 64-row panels, 256-row blocks and the prefetch of the rows' next entries.)
    const int64_t row_bytes = col_block * 4;
    const double per_row = static_cast<double>(a->nnz) / static_cast<double>(m);
    const double want = per_row > 0 ? 16.0 * static_cast<double>(kdim) / per_row : static_cast<double>(kdim);
    int64_t panel_rows = 32;
    while (panel_rows < want && panel_rows * row_bytes < (1 << 20)) panel_rows *= 2;
    // A narrow B (small N) sits in L2 whole: panels would only add their per-row cost (N = 8,
    // 4096x4096 at 70%: 1.7x slower with 64-row panels).
    if (kdim * row_bytes <= (512 << 10)) panel_rows = kdim;
    const int64_t row_block = std::max<int64_t>(16, (128 << 10) / row_bytes);
    int64_t col_blocks = (n + col_block - 1) / col_block;
    int64_t* cursor = nullptr;
    if (panel_rows < kdim) {
        cursor = s.take<int64_t>(m * col_blocks);
        if (!cursor) return oom("spmm");
    }
    // B is packed by column block when it has several (a block's rows are then contiguous, rather
    // than a stride apart that maps a panel onto a few L1 sets) or when its rows are not aligned
    // for full-vector loads. (4096x4096 at 70%, N = 512: 9.0 -> 5.9 ns a nonzero.)
    const float* bdata = bm.data;
    int64_t block_stride = 0;
    const bool misaligned = reinterpret_cast<uintptr_t>(bm.data) % 64 != 0 || (kdim > 1 && bm.ld % 16 != 0);
    if (kdim * n >= 4096 && (col_blocks > 1 || misaligned)) {
        block_stride = kdim * col_block;
        float* packed = s.take<float>(block_stride * col_blocks);
        if (!packed) return oom("spmm");
        const int64_t chunk_rows = 256, chunks = (kdim + chunk_rows - 1) / chunk_rows;
        pack_job pj{bm.data, bm.ld, packed, kdim, n, col_block, block_stride, chunk_rows, chunks};
        parallel_for(env.threads, chunks * col_blocks, pack_task, &pj);
        bdata = packed;
    }
    spmm_job job{sp.row_ptr, sp.col_idx, a->index_dtype == S4J_I64, sp.values, bdata, bm.ld, out.data, out.ld,
                 alpha, beta, n, bounds, col_block, col_blocks, kdim, panel_rows, cursor, m, row_block, block_stride};
    parallel_for(env.threads, parts * job.col_blocks, K->spmm_task, &job);
    finish(out, c);
    return S4J_OK;
}

// A rank-1 operand as contiguous fp32.
const float* vector_f32(const s4j_dense* v, Scratch& s) {
    if (v->dtype == S4J_F32 && (v->strides[0] == 1 || v->shape[0] <= 1)) return static_cast<const float*>(v->data);
    float* buf = s.take<float>(v->shape[0]);
    if (!buf) return nullptr;
    for (int64_t i = 0; i < v->shape[0]; ++i) buf[i] = static_cast<float>(load_any(v->data, v->dtype, i * v->strides[0]));
    return buf;
}

template <const isa_kernels* K>
s4j_status spmv(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                s4j_dense* y) {
    int64_t m = y->shape[0];
    if (m == 0) return S4J_OK;
    Scratch s;
    Sparse sp;
    bool ok = a->index_dtype == S4J_I64 ? prepare_sparse<int64_t>(a, trans, s, &sp) : prepare_sparse<int32_t>(a, trans, s, &sp);
    if (!ok) return oom("spmv");
    const float* xv = vector_f32(x, s);
    if (!xv) return oom("spmv");
    Output yo;
    if (!open_output(y, beta, s, &yo)) return oom("spmv");
    int64_t parts = row_parts(env, m);
    int64_t* bounds = s.take<int64_t>(parts + 1);
    if (!bounds) return oom("spmv");
    if (a->index_dtype == S4J_I64) balanced_splits(static_cast<const int64_t*>(sp.row_ptr), m, parts, 1, bounds);
    else balanced_splits(static_cast<const int32_t*>(sp.row_ptr), m, parts, 1, bounds);
    spmv_job job{sp.row_ptr, sp.col_idx, a->index_dtype == S4J_I64, sp.values, xv, yo.data, alpha, beta, bounds};
    parallel_for(env.threads, parts, K->spmv_task, &job);
    finish(yo, y);
    return S4J_OK;
}

template <const isa_kernels* K>
s4j_status sddmm(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p,
                 s4j_csr* out) {
    if (p->nnz == 0) return S4J_OK;
    Scratch s;
    F32Matrix am;
    if (!as_f32(a, s, &am)) return oom("sddmm");
    // B is read by columns: its transpose, K-contiguous, makes every product a dot of two rows.
    s4j_dense bt = *b;
    std::swap(bt.shape[0], bt.shape[1]);
    std::swap(bt.strides[0], bt.strides[1]);
    F32Matrix btm;
    if (!as_f32(&bt, s, &btm)) return oom("sddmm");
    int64_t nnz = p->nnz, m = p->rows;
    bool direct = out->value_dtype == S4J_F32;
    float* ov = direct ? static_cast<float*>(out->values) : s.take<float>(nnz);
    if (!ov) return oom("sddmm");
    int64_t parts = row_parts(env, m);
    int64_t* bounds = s.take<int64_t>(parts + 1);
    if (!bounds) return oom("sddmm");
    int64_t kdim = a->shape[1];
    if (p->index_dtype == S4J_I64) balanced_splits(static_cast<const int64_t*>(p->row_ptr), m, parts, 0, bounds);
    else balanced_splits(static_cast<const int32_t*>(p->row_ptr), m, parts, 0, bounds);
    sddmm_job job{p->row_ptr, p->col_idx, p->index_dtype == S4J_I64, am.data, am.ld, btm.data, btm.ld, kdim, alpha, ov, bounds};
    parallel_for(env.threads, parts, K->sddmm_task, &job);
    if (!direct)
        for (int64_t k = 0; k < nnz; ++k) store_any(out->values, out->value_dtype, k, ov[k]);
    return S4J_OK;
}

template <const isa_kernels* K>
s4j_status spmm_bsr(const exec_env& env, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    int64_t m = c->shape[0], n = c->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    Scratch s;
    int64_t bsize = a->block_rows * a->block_cols;
    const float* vals = values_f32(a->values, a->value_dtype, a->nnzb * bsize, s);
    if (!vals) return oom("spmm_bsr");
    F32Matrix bm;
    if (!as_f32(b, s, &bm)) return oom("spmm_bsr");
    Output out;
    if (!open_output(c, beta, s, &out)) return oom("spmm_bsr");
    int64_t brows = (a->rows + a->block_rows - 1) / a->block_rows;
    int64_t parts = row_parts(env, brows);
    int64_t* bounds = s.take<int64_t>(parts + 1);
    if (!bounds) return oom("spmm_bsr");
    if (a->index_dtype == S4J_I64) balanced_splits(static_cast<const int64_t*>(a->row_ptr), brows, parts, 1, bounds);
    else balanced_splits(static_cast<const int32_t*>(a->row_ptr), brows, parts, 1, bounds);
    int64_t col_block = n <= 256 ? n : 128;
    bsr_job job{a->row_ptr, a->col_idx, a->index_dtype == S4J_I64, vals, a->block_rows, a->block_cols, a->rows, a->cols,
                bm.data, bm.ld, out.data, out.ld, alpha, beta, n, bounds, col_block, (n + col_block - 1) / col_block};
    parallel_for(env.threads, parts * job.col_blocks, K->bsr_task, &job);
    finish(out, c);
    return S4J_OK;
}

// Weights with contiguous rows, read in their storage type (fp32, fp16, bf16): converting them per
// call would read all of them, which is what activation sparsity is meant to avoid.
template <const isa_kernels* K>
s4j_status gemv_sparse_x(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select&, const int64_t* active, int64_t count,
                         s4j_dense* y) {
    if (wt->strides[1] != 1 && wt->shape[1] > 1) return kDeclined;
    int32_t wtype = wt->dtype == S4J_F16 ? kWeightF16 : wt->dtype == S4J_BF16 ? kWeightBF16 : kWeightF32;
    int64_t m = y->shape[0];
    if (m == 0) return S4J_OK;
    Scratch s;
    float* xa = s.take<float>(count);
    Output yo;
    if (!xa || !open_output(y, 0.0f, s, &yo)) return oom("gemv_sparse_x");
    for (int64_t p = 0; p < count; ++p) xa[p] = static_cast<float>(load_any(x->data, x->dtype, active[p] * x->strides[0]));
    // Chunks of whole cache lines, at least two per thread.
    int64_t parts = std::max<int64_t>(1, std::min<int64_t>(static_cast<int64_t>(std::max(1, env.threads)) * 2, (m + 63) / 64));
    int64_t chunk = ((m + parts - 1) / parts + 15) / 16 * 16;
    gemv_job job{wt->data, wtype, wt->shape[1] > 1 ? wt->strides[0] : std::max<int64_t>(1, wt->strides[0]),
                 active, xa, count, yo.data, m, chunk};
    parallel_for(env.threads, (m + chunk - 1) / chunk, K->gemv_task, &job);
    finish(yo, y);
    return S4J_OK;
}

constexpr uint32_t kKernelDtypes = dtype_bit(S4J_F32) | dtype_bit(S4J_F16) | dtype_bit(S4J_BF16);

S4J_REGISTER("scalar:spmm_csr", S4J_OP_SPMM_CSR, S4J_BACKEND_CPU_SCALAR, kKernelDtypes, spmm<&scalar_kernels>);
S4J_REGISTER("scalar:spmv_csr", S4J_OP_SPMV_CSR, S4J_BACKEND_CPU_SCALAR, kKernelDtypes, spmv<&scalar_kernels>);
S4J_REGISTER("scalar:sddmm_csr", S4J_OP_SDDMM_CSR, S4J_BACKEND_CPU_SCALAR, kKernelDtypes, sddmm<&scalar_kernels>);
S4J_REGISTER("avx2:spmm_csr", S4J_OP_SPMM_CSR, S4J_BACKEND_CPU_AVX2, kKernelDtypes, spmm<&avx2_kernels>);
S4J_REGISTER("avx2:spmv_csr", S4J_OP_SPMV_CSR, S4J_BACKEND_CPU_AVX2, kKernelDtypes, spmv<&avx2_kernels>);
S4J_REGISTER("avx2:sddmm_csr", S4J_OP_SDDMM_CSR, S4J_BACKEND_CPU_AVX2, kKernelDtypes, sddmm<&avx2_kernels>);
S4J_REGISTER("avx512:spmm_csr", S4J_OP_SPMM_CSR, S4J_BACKEND_CPU_AVX512, kKernelDtypes, spmm<&avx512_kernels>);
S4J_REGISTER("avx512:spmv_csr", S4J_OP_SPMV_CSR, S4J_BACKEND_CPU_AVX512, kKernelDtypes, spmv<&avx512_kernels>);
S4J_REGISTER("avx512:sddmm_csr", S4J_OP_SDDMM_CSR, S4J_BACKEND_CPU_AVX512, kKernelDtypes, sddmm<&avx512_kernels>);
S4J_REGISTER("scalar:spmm_bsr", S4J_OP_SPMM_BSR, S4J_BACKEND_CPU_SCALAR, kKernelDtypes, spmm_bsr<&scalar_kernels>);
S4J_REGISTER("avx2:spmm_bsr", S4J_OP_SPMM_BSR, S4J_BACKEND_CPU_AVX2, kKernelDtypes, spmm_bsr<&avx2_kernels>);
S4J_REGISTER("avx512:spmm_bsr", S4J_OP_SPMM_BSR, S4J_BACKEND_CPU_AVX512, kKernelDtypes, spmm_bsr<&avx512_kernels>);
S4J_REGISTER("scalar:gemv_sparse_x", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CPU_SCALAR, kKernelDtypes, gemv_sparse_x<&scalar_kernels>);
S4J_REGISTER("avx2:gemv_sparse_x", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CPU_AVX2, kKernelDtypes, gemv_sparse_x<&avx2_kernels>);
S4J_REGISTER("avx512:gemv_sparse_x", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CPU_AVX512, kKernelDtypes, gemv_sparse_x<&avx512_kernels>);

}  // namespace
}  // namespace cpu
}  // namespace s4j
