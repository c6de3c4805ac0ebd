// The contract between the ISA-neutral kernel drivers (cpu-simd/common/*.cc) and the per-ISA
// inner loops (cpu-simd/avx2, cpu-simd/avx512). Only plain structs and function pointers cross
// it: ISA files define everything in anonymous namespaces and instantiate no shared template, so
// no AVX-512 code can leak into paths that run on older CPUs.
#pragma once

#include <cstdint>

namespace s4j {
namespace cpu {

// C[r, :] = alpha * sum_k A[r, k] * B[k, :] (+ beta * C[r, :]) in fp32, for the rows of one
// row range and the columns of one column block. Task t covers row range t / col_blocks and
// column block t % col_blocks.
struct spmm_job {
    const void* row_ptr;
    const void* col_idx;
    int32_t index64;  // 1: int64 indices, 0: int32
    const float* values;
    const float* b;  // K x n, row stride ldb, unit column stride
    int64_t ldb;
    float* c;  // M x n, row stride ldc, unit column stride
    int64_t ldc;
    float alpha;
    float beta;
    int64_t n;
    const int64_t* row_bounds;  // row_parts + 1 entries
    int64_t col_block;
    int64_t col_blocks;
    // Panels of B rows (0: none). With panels, each task sweeps its rows once per panel of
    // panel_rows rows of B, so the B rows it reads stay in the core's L2; cursor (m entries per
    // column block, since blocks of one row run concurrently) remembers where each row's entries
    // for the next panel start.
    int64_t k;
    int64_t panel_rows;
    int64_t* cursor;
    int64_t m;
    int64_t row_block;  // rows swept per panel pass (their C tiles stay in L2)
    // 0: B is used in place. Else B was packed by column block: block i holds rows of width
    // w_i = min(col_block, n - i * col_block) contiguously, starting at b + i * b_block_stride.
    int64_t b_block_stride;
};

// y[r] = alpha * sum_k A[r, k] * x[col] (+ beta * y[r]) in fp32, x and y contiguous.
struct spmv_job {
    const void* row_ptr;
    const void* col_idx;
    int32_t index64;
    const float* values;
    const float* x;
    float* y;
    float alpha;
    float beta;
    const int64_t* row_bounds;
};

// out[k] = alpha * dot(A[r, :], Bt[col_k, :]) for the nonzeros k of the rows of one range.
struct sddmm_job {
    const void* row_ptr;
    const void* col_idx;
    int32_t index64;
    const float* a;   // M x K, row stride lda
    int64_t lda;
    const float* bt;  // N x K (B transposed), row stride ldbt
    int64_t ldbt;
    int64_t k;
    float alpha;
    float* out;  // nnz, fp32
    const int64_t* row_bounds;
};

// C = alpha * A * B (+ beta * C) for A in BSR (fp32 values), over ranges of block rows and
// column blocks like spmm_job. Ragged edge blocks are cut at rows / cols.
struct bsr_job {
    const void* row_ptr;
    const void* col_idx;
    int32_t index64;
    const float* values;  // nnzb * br * bc
    int64_t br;
    int64_t bc;
    int64_t rows;
    int64_t cols;
    const float* b;
    int64_t ldb;
    float* c;
    int64_t ldc;
    float alpha;
    float beta;
    int64_t n;
    const int64_t* row_bounds;  // over block rows
    int64_t col_block;
    int64_t col_blocks;
};

// y[i] = sum_p xa[p] * wt[active[p], i] for the outputs of one chunk of y. The weight stays in
// its storage type (fp32, fp16 or bf16) and is widened to fp32 as it is loaded, so a call reads
// only the active rows, in their stored size.
enum weight_type : int32_t { kWeightF32 = 0, kWeightF16 = 1, kWeightBF16 = 2 };

struct gemv_job {
    const void* wt;  // K x m, row stride ldw (elements), of weight_type wtype
    int32_t wtype;
    int64_t ldw;
    const int64_t* active;
    const float* xa;  // the active inputs' values
    int64_t count;
    float* y;
    int64_t m;
    int64_t chunk;  // outputs per task
};

struct isa_kernels {
    const char* name;  // "scalar", "avx2", "avx512"
    void (*spmm_task)(const void* job, int64_t task);
    void (*spmv_task)(const void* job, int64_t task);
    void (*sddmm_task)(const void* job, int64_t task);
    void (*bsr_task)(const void* job, int64_t task);
    void (*gemv_task)(const void* job, int64_t task);
};

extern const isa_kernels scalar_kernels;
extern const isa_kernels avx2_kernels;
extern const isa_kernels avx512_kernels;

}  // namespace cpu
}  // namespace s4j
