/*
 * sparse4j: the one C ABI.
 *
 * Rules (see ARCHITECTURE.md):
 *  - every fallible function returns an s4j_status; s4j_last_error() gives a thread-local message
 *    naming what is wrong (the index and the value);
 *  - operands are plain descriptors; the caller owns every byte they point at and the library keeps
 *    no pointer after a call returns, except inside explicit handles (s4j_context);
 *  - entry points do O(1) checks on every call; O(nnz) structure checks live in s4j_*_validate.
 */
#ifndef SPARSE4J_H
#define SPARSE4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define S4J_VERSION_MAJOR 0
#define S4J_VERSION_MINOR 1
#define S4J_VERSION_PATCH 0
#define S4J_MAX_RANK 8

/* Status codes: a small closed set; "unsupported" is an ordinary answer, not a crash. */
enum s4j_status_code {
    S4J_OK = 0,
    S4J_INVALID_ARGUMENT = 1,  /* null pointer, bad enum value, negative size */
    S4J_SHAPE_MISMATCH = 2,    /* operand shapes or dtypes do not agree */
    S4J_INVALID_FORMAT = 3,    /* structure of a sparse operand is illegal */
    S4J_UNSUPPORTED = 4,       /* op/dtype/backend not built or not available here */
    S4J_OUT_OF_MEMORY = 5,
    S4J_CUDA_ERROR = 6,
    S4J_INTERNAL = 7
};
typedef int32_t s4j_status;

enum s4j_dtype_code {
    S4J_F32 = 0,
    S4J_F16 = 1,
    S4J_BF16 = 2,
    S4J_F64 = 3,
    S4J_I8 = 4,
    S4J_I32 = 5,
    S4J_I64 = 6
};
typedef int32_t s4j_dtype;

enum s4j_device_kind { S4J_DEVICE_CPU = 0, S4J_DEVICE_CUDA = 1 };

/* Backends an implementation can target; CPU tiers are ordered so that a cap compares with <=. */
enum s4j_backend_code {
    S4J_BACKEND_REFERENCE = 0, /* the scalar oracle */
    S4J_BACKEND_CPU_SCALAR = 1,
    S4J_BACKEND_CPU_AVX2 = 2,
    S4J_BACKEND_CPU_AVX512 = 3,
    S4J_BACKEND_CUDA = 4
};
typedef int32_t s4j_backend;

/* Operations of the dispatch table. */
enum s4j_op_code {
    S4J_OP_SPMM_CSR = 0,  /* C = op(A) * B, A CSR */
    S4J_OP_SPMV_CSR = 1,  /* y = op(A) * x, A CSR */
    S4J_OP_SDDMM_CSR = 2, /* out(i,j) = (A * B)(i,j) on the pattern's nonzeros */
    S4J_OP_GEMM = 3,      /* C = A * B, dense */
    S4J_OP_SPMM_BSR = 4,  /* C = A * B, A BSR */
    S4J_OP_GEMV_SPARSE_X = 5, /* y = W * x, W dense, x sparse (activation sparsity) */
    S4J_OP_COUNT = 6
};
typedef int32_t s4j_op;

/* A dense strided tensor. Strides are in elements, may be any sign-free layout (a transposed view
 * is a stride swap). device: S4J_DEVICE_*; device_index: the CUDA ordinal, 0 for CPU. */
typedef struct s4j_dense {
    void* data;
    s4j_dtype dtype;
    int32_t device;
    int32_t device_index;
    int32_t rank;
    int64_t shape[S4J_MAX_RANK];
    int64_t strides[S4J_MAX_RANK];
} s4j_dense;

/* Coordinate list. row_idx/col_idx have index_dtype (S4J_I32 or S4J_I64); values may be NULL for a
 * pattern-only matrix. */
typedef struct s4j_coo {
    int64_t rows;
    int64_t cols;
    int64_t nnz;
    void* row_idx;
    void* col_idx;
    void* values;
    s4j_dtype index_dtype;
    s4j_dtype value_dtype;
    int32_t device;
    int32_t device_index;
} s4j_coo;

/* Compressed sparse rows. row_ptr has rows+1 entries; col_idx and values have nnz.
 * max_row_nnz: the longest row's nonzero count, or 0 when not known. It only guides the choice of
 * kernel (rows much longer than the mean send CUDA SpMM to a load-balanced kernel); nothing indexes
 * by it. When it is set it must be right: s4j_csr_validate (and so every conversion that reads a
 * CSR) refuses a wrong one. Conversions that write a CSR set it; s4j_csr_max_row_nnz computes it. */
typedef struct s4j_csr {
    int64_t rows;
    int64_t cols;
    int64_t nnz;
    void* row_ptr;
    void* col_idx;
    void* values;
    s4j_dtype index_dtype;
    s4j_dtype value_dtype;
    int32_t device;
    int32_t device_index;
    int64_t max_row_nnz;
} s4j_csr;

/* Compressed sparse columns. col_ptr has cols+1 entries; row_idx and values have nnz. */
typedef struct s4j_csc {
    int64_t rows;
    int64_t cols;
    int64_t nnz;
    void* col_ptr;
    void* row_idx;
    void* values;
    s4j_dtype index_dtype;
    s4j_dtype value_dtype;
    int32_t device;
    int32_t device_index;
} s4j_csc;

/* Block sparse rows with block_rows x block_cols dense blocks stored row-major, one after another.
 * rows/cols are the matrix's; the last block row/column may be ragged (cut at rows/cols).
 * row_ptr has ceil(rows/block_rows)+1 entries; col_idx has nnzb; values nnzb*block_rows*block_cols. */
typedef struct s4j_bsr {
    int64_t rows;
    int64_t cols;
    int64_t block_rows;
    int64_t block_cols;
    int64_t nnzb;
    void* row_ptr;
    void* col_idx;
    void* values;
    s4j_dtype index_dtype;
    s4j_dtype value_dtype;
    int32_t device;
    int32_t device_index;
} s4j_bsr;

typedef struct s4j_context_t* s4j_context;

/* ---- errors and version ---------------------------------------------------------------------- */
const char* s4j_last_error(void);
const char* s4j_status_name(s4j_status status);
const char* s4j_version(void);

/* ---- capabilities ----------------------------------------------------------------------------- */
/* A human-readable report of what was found: CPU ISA tiers, CUDA devices or why there are none. */
const char* s4j_backends(void);
/* The best CPU tier this CPU can run (S4J_BACKEND_CPU_*). */
s4j_backend s4j_cpu_best_tier(void);
/* 1 when backend can run here, 0 otherwise. */
int32_t s4j_backend_available(s4j_backend backend);
const char* s4j_backend_name(s4j_backend backend);
/* Number of CUDA devices usable (0 when none or when CUDA support was not built). */
int32_t s4j_cuda_device_count(void);
/* Why there is no CUDA backend, or "" when there is one. */
const char* s4j_cuda_unavailable_reason(void);

/* ---- context ---------------------------------------------------------------------------------- */
/* device: S4J_DEVICE_CPU or S4J_DEVICE_CUDA; threads <= 0 means "all hardware threads". */
s4j_status s4j_context_create(s4j_context* out, int32_t device, int32_t device_index, int32_t threads);
s4j_status s4j_context_destroy(s4j_context ctx);
/* Cap the CPU tier used by this context (S4J_BACKEND_REFERENCE forces the scalar oracle). */
s4j_status s4j_context_set_backend_cap(s4j_context ctx, s4j_backend cap);
s4j_backend s4j_context_backend_cap(s4j_context ctx);
int32_t s4j_context_threads(s4j_context ctx);
/* The CUDA stream (a cudaStream_t) ops on a CUDA context are queued on; NULL is the default
 * stream. A CPU context has no stream: setting one is S4J_INVALID_ARGUMENT. */
s4j_status s4j_context_set_stream(s4j_context ctx, void* stream);
void* s4j_context_stream(s4j_context ctx);
/* Name of the implementation that ran the last op on this context ("" before any). */
const char* s4j_context_last_impl(s4j_context ctx);

/* Blocks the calling thread until every op queued on the context's stream has finished; on a CPU
 * context ops are synchronous and this returns at once. Errors of asynchronous CUDA work surface
 * here as S4J_CUDA_ERROR. */
s4j_status s4j_context_synchronize(s4j_context ctx);

/* ---- CUDA device memory and streams ----------------------------------------------------------- */
/* Device memory comes from each device's stream-ordered pool, which keeps freed memory for reuse, so
 * repeated allocations of similar sizes do not reach cudaMalloc. Allocation zero-fills and returns
 * once the memory is ready for use on any stream. Frees are ordered on the legacy default stream:
 * after all work already queued on blocking streams (streams made by s4j_cuda_stream_create are).
 * Without CUDA support every call here is S4J_UNSUPPORTED with the reason. */
s4j_status s4j_cuda_alloc(int32_t device_index, int64_t bytes, void** out);
s4j_status s4j_cuda_free(int32_t device_index, void* ptr);
/* Copies bytes between any two of host and device memory; returns when the copy is done. */
s4j_status s4j_cuda_memcpy(void* dst, const void* src, int64_t bytes);
/* Bytes the device's pool holds from the driver, and bytes of it handed out now. */
s4j_status s4j_cuda_pool_stats(int32_t device_index, int64_t* reserved, int64_t* used);
/* A blocking CUDA stream on the device (a cudaStream_t), and its release. */
s4j_status s4j_cuda_stream_create(int32_t device_index, void** out);
s4j_status s4j_cuda_stream_destroy(int32_t device_index, void* stream);

/* ---- dispatch --------------------------------------------------------------------------------- */
/* Can this op run on this context for this dtype? S4J_OK with *impl_name set, or the status and a
 * last-error message saying why not. */
s4j_status s4j_op_query(s4j_context ctx, s4j_op op, s4j_dtype dtype, const char** impl_name);
/* The registered implementations for an op, one per line, best first, as "name backend dtypes". */
const char* s4j_op_implementations(s4j_op op);
/* Runs op on this context only with the implementation called name (as s4j_op_implementations
 * lists it), for comparing implementations; NULL or "" goes back to the best eligible one. An
 * unknown name is S4J_INVALID_ARGUMENT; a call the forced implementation cannot take (other
 * device, dtype, operands) is S4J_UNSUPPORTED saying why. */
s4j_status s4j_context_force_impl(s4j_context ctx, s4j_op op, const char* name);

/* ---- structure validation (O(nnz), run once when a format is built) ---------------------------- */
s4j_status s4j_coo_validate(const s4j_coo* coo);
s4j_status s4j_csr_validate(const s4j_csr* csr);
s4j_status s4j_csc_validate(const s4j_csc* csc);
s4j_status s4j_bsr_validate(const s4j_bsr* bsr);
/* The longest row's nonzero count of a host CSR, read from row_ptr (O(rows)); for max_row_nnz. */
s4j_status s4j_csr_max_row_nnz(const s4j_csr* csr, int64_t* max_row_nnz);
/* 1 when COO entries are sorted by (row, col) with no duplicates, 0 otherwise; negative on error. */
int32_t s4j_coo_is_canonical(const s4j_coo* coo);

/* ---- conversions (the caller allocates; size queries first) ----------------------------------- */
/* Count nonzeros of a rank-2 dense tensor. */
s4j_status s4j_dense_count_nonzero(const s4j_dense* dense, int64_t* nnz);
/* Dense -> CSR; csr arrays must hold rows+1 / nnz entries with nnz from s4j_dense_count_nonzero. */
s4j_status s4j_dense_to_csr(const s4j_dense* dense, s4j_csr* csr);
/* Sparse -> dense (dense is overwritten, zeros included). */
s4j_status s4j_csr_to_dense(const s4j_csr* csr, s4j_dense* dense);
s4j_status s4j_bsr_to_dense(const s4j_bsr* bsr, s4j_dense* dense);
/* Sort COO in place by (row, col), stable for equal keys. */
s4j_status s4j_coo_sort(s4j_coo* coo);
/* On sorted COO: add duplicates together in place; *new_nnz is the count kept. Pattern-only
 * matrices simply drop duplicates. */
s4j_status s4j_coo_sum_duplicates(s4j_coo* coo, int64_t* new_nnz);
/* Sorted, duplicate-free COO -> CSR (row_ptr built, col_idx and values copied). */
s4j_status s4j_coo_to_csr(const s4j_coo* coo, s4j_csr* csr);
s4j_status s4j_csr_to_coo(const s4j_csr* csr, s4j_coo* coo);
/* CSR (m x n) -> CSR of the transpose (n x m). Same arrays read as CSC (m x n). */
s4j_status s4j_csr_transpose(const s4j_csr* csr, s4j_csr* out);
/* Count nonzero blocks of CSR with the block shape given in bsr (block_rows, block_cols). */
s4j_status s4j_csr_count_blocks(const s4j_csr* csr, int64_t block_rows, int64_t block_cols, int64_t* nnzb);
s4j_status s4j_csr_to_bsr(const s4j_csr* csr, s4j_bsr* bsr);
/* BSR -> CSR keeping every stored entry of its blocks, zeros dropped; nnz query first. */
s4j_status s4j_bsr_count_nonzero(const s4j_bsr* bsr, int64_t* nnz);
s4j_status s4j_bsr_to_csr(const s4j_bsr* bsr, s4j_csr* csr);
/* For symmetric/skew-symmetric MatrixMarket input: count and write the mirrored entries. */
s4j_status s4j_coo_count_offdiagonal(const s4j_coo* coo, int64_t* count);
/* Writes coo's nnz entries followed by the mirrored off-diagonal ones (negated when skew != 0). */
s4j_status s4j_coo_expand_symmetric(const s4j_coo* coo, int32_t skew, s4j_coo* out);
/* Converts between value dtypes (any float <-> any float, rounding to nearest even). */
s4j_status s4j_convert_values(const void* src, s4j_dtype src_dtype, void* dst, s4j_dtype dst_dtype, int64_t count);

/* ---- operations ------------------------------------------------------------------------------- */
/* C = alpha * op(A) * B + beta * C; op(A) = A (trans_a = 0) or A^T (trans_a = 1).
 * A's values, B and C share one float dtype (F32, F16, BF16, F64). */
s4j_status s4j_spmm_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a,
                        const s4j_dense* b, float beta, s4j_dense* c);
/* y = alpha * op(A) * x + beta * y, x and y rank-1. */
s4j_status s4j_spmv_csr(s4j_context ctx, int32_t trans_a, float alpha, const s4j_csr* a,
                        const s4j_dense* x, float beta, s4j_dense* y);
/* out.values[k] = alpha * sum_l A(i,l) * B(l,j) for the k-th nonzero (i,j) of pattern;
 * out shares pattern's structure (same rows/cols/nnz, row_ptr, col_idx), its values are written. */
s4j_status s4j_sddmm_csr(s4j_context ctx, float alpha, const s4j_dense* a, const s4j_dense* b,
                         const s4j_csr* pattern, s4j_csr* out);
/* C = alpha * A * B + beta * C with A in BSR; A's values, B and C share one float dtype. */
s4j_status s4j_spmm_bsr(s4j_context ctx, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c);

/* ---- SpMM plans: a CSR prepared once for many products C = alpha * A * B + beta * C ----------
 * A plan reads A once and may build a second representation of it on A's device; it keeps A's
 * descriptor (not a copy of its arrays), so A must stay alive and unchanged while the plan lives.
 * On a CUDA context of compute capability 8.0 or newer with at least 100 KiB of shared memory a
 * block (not 8.6 or 8.9), an fp16/bf16 A is split into a 2:4 part (at most two nonzeros in every
 * four consecutive columns of a row), which runs on sparse tensor cores, plus a CSR remainder or a
 * second 2:4 layer holding the rest of each group; other dtypes, devices and CPU contexts run
 * s4j_spmm_csr. The split multiplies B by the zeros it stores, so Inf/NaN in B spreads as in a
 * dense product, and with a remainder C is rounded to its dtype twice. strategy: S4J_PLAN_AUTO splits when the split is expected to be faster (at least
 * 2% density) and uses it for B with at least 128 columns; S4J_PLAN_SPLIT splits whenever the
 * device can and always uses the split; S4J_PLAN_CSR never splits. */
typedef struct s4j_spmm_plan_t* s4j_spmm_plan;
enum {
    S4J_PLAN_AUTO = 0,
    S4J_PLAN_SPLIT = 1,
    S4J_PLAN_CSR = 2
};
s4j_status s4j_spmm_plan_create(s4j_context ctx, const s4j_csr* a, int32_t strategy, s4j_spmm_plan* out);
/* C = alpha * A * B + beta * C with the plan's A; B and C as for s4j_spmm_csr (trans_a = 0), on
 * the context the plan was made on (its device; the stream may differ). A split runs its 2:4 part
 * first and then adds the remainder; should the remainder's kernel fail after the 2:4 part ran,
 * the call returns that error and C holds a partial product. */
s4j_status s4j_spmm_plan_execute(s4j_context ctx, s4j_spmm_plan plan, float alpha, const s4j_dense* b, float beta,
                                 s4j_dense* c);
/* Frees what the plan built (waiting for the device's queued work first); null is a no-op. */
s4j_status s4j_spmm_plan_destroy(s4j_spmm_plan plan);
/* "split24" (a 2:4 part and a CSR remainder), "split24x2" (two 2:4 layers, used when the
 * remainder would hold more than about 0.5% of A's positions: the second layer takes the third and
 * fourth nonzeros of each group of four) or "csr". */
const char* s4j_spmm_plan_kind(s4j_spmm_plan plan);
/* Nonzeros of the split's CSR remainder (0 for a "csr" plan), and the device bytes the plan holds. */
int64_t s4j_spmm_plan_remainder_nnz(s4j_spmm_plan plan);
int64_t s4j_spmm_plan_device_bytes(s4j_spmm_plan plan);

/* Activation-sparse GEMV: y = W * x where most of x is zero, so only the active inputs are read.
 * The weight comes transposed, wt = W^T (K x M, rows contiguous: row j is column j of W), so each
 * active input reads one contiguous row and the cost falls with the fraction of active inputs.
 * The active inputs are those with |x_j| > threshold; when top_k > 0, only the top_k largest |x_j|
 * among them (ties broken by the lower index). x and y are rank-1 of wt's dtype. */
s4j_status s4j_gemv_sparse_x(s4j_context ctx, const s4j_dense* wt, const s4j_dense* x, float threshold, int64_t top_k,
                             s4j_dense* y);

/* C = alpha * A * B + beta * C, dense rank-2. */
s4j_status s4j_gemm(s4j_context ctx, float alpha, const s4j_dense* a, const s4j_dense* b, float beta,
                    s4j_dense* c);

#ifdef __cplusplus
}
#endif

#endif /* SPARSE4J_H */
