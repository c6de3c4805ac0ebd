// CUDA BSR SpMM, dense GEMM (the glue the other ops and the conformance suite need on a CUDA
// context) and activation-sparse GEMV, for fp32, fp16, bf16 (fp32 accumulation) and fp64, any
// operand strides. These are the straightforward first versions: correct on every edge shape, one
// thread per output element for BSR and GEMM (tiled through shared memory for GEMM); the
// tensor-core paths come later.
#include <cooperative_groups.h>
#include <cub/cub.cuh>
#include <mma.h>

#include <cstdint>
#include <type_traits>

#include "../common/types.cuh"
#include "../common/util.cuh"

namespace s4j {
namespace cuda {
namespace {

unsigned blocks_for(int64_t threads, int per_block) { return static_cast<unsigned>((threads + per_block - 1) / per_block); }

struct strides2 {
    int64_t s0, s1;
};

// ---- BSR: one thread per output element; the block row's stored blocks in order --------------

template <typename T, typename I>
__global__ void bsr_kernel(int64_t rows, int64_t n, int64_t kdim, int64_t br, int64_t bc, const I* __restrict__ rp,
                           const I* __restrict__ ci, const T* __restrict__ val, const T* __restrict__ b, strides2 bs,
                           T* __restrict__ c, strides2 cs, float alpha, float beta) {
    using A = typename value_traits<T>::acc;
    const int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const int64_t i = static_cast<int64_t>(blockIdx.y) + static_cast<int64_t>(blockIdx.z) * 65535;
    if (j >= n || i >= rows) return;
    const int64_t block_row = i / br, r = i % br;
    A acc = A(0);
    for (int64_t p = rp[block_row]; p < rp[block_row + 1]; ++p) {
        const int64_t col0 = static_cast<int64_t>(ci[p]) * bc;
        const int64_t width = kdim - col0 < bc ? kdim - col0 : bc;  // a ragged last block column
        const T* v = val + p * br * bc + r * bc;
        for (int64_t q = 0; q < width; ++q) acc += to_acc(v[q]) * to_acc(b[(col0 + q) * bs.s0 + j * bs.s1]);
    }
    T* out = c + i * cs.s0 + j * cs.s1;
    A res = A(alpha) * acc;
    if (beta != 0.0f) res += A(beta) * to_acc(*out);
    *out = from_acc<T>(res);
}

// The grid's y and z together cover up to 65535 * 65535 rows.
dim3 row_grid(int64_t n, int64_t rows, int threads) {
    return dim3(blocks_for(n, threads), static_cast<unsigned>(rows < 65535 ? rows : 65535),
                static_cast<unsigned>((rows + 65534) / 65535));
}

template <typename T, typename I>
s4j_status bsr_typed(const exec_env& env, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const int64_t rows = c->shape[0], n = c->shape[1];
    if (rows == 0 || n == 0) return S4J_OK;
    if (n > int64_t{65535} * 128) return fail(S4J_UNSUPPORTED, "spmm_bsr (cuda): %lld output columns is more than this kernel covers", (long long)n);
    bsr_kernel<T, I><<<row_grid(n, rows, 128), 128, 0, stream_of(env)>>>(
        rows, n, a->cols, a->block_rows, a->block_cols, static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx),
        static_cast<const T*>(a->values), static_cast<const T*>(b->data), {b->strides[0], b->strides[1]}, static_cast<T*>(c->data),
        {c->strides[0], c->strides[1]}, alpha, beta);
    S4J_CUDA_LAUNCHED("bsr_kernel");
    return S4J_OK;
}

// ---- BSR on tensor cores: 16x16 fp16/bf16 blocks through WMMA (an alternative, forced by name) --
//
// A warp takes one block row and up to 64 output columns: for each stored block it loads the block
// (16x16, row-major) and the matching 16 rows of B as WMMA fragments and accumulates four 16x16
// fp32 tiles; the epilogue goes through shared memory to apply alpha and beta and to cut a ragged
// last block row. Declines anything but 16x16 blocks of fp16/bf16 whose B rows and values are
// 32-byte aligned with N and K multiples of 16.
constexpr int kWarp = 32;
constexpr int kWmmaWarps = 4;
constexpr int kWmmaCols = 64;

template <typename T>
__global__ void __launch_bounds__(kWarp * kWmmaWarps)
    bsr_wmma_kernel(int64_t rows, int64_t n, int64_t block_rows, const int32_t* __restrict__ rp, const int32_t* __restrict__ ci,
                    const T* __restrict__ val, const T* __restrict__ b, int64_t ldb, T* __restrict__ c, int64_t ldc, float alpha,
                    float beta) {
    namespace w = nvcuda::wmma;
    __shared__ float stage[kWmmaWarps][16][kWmmaCols];
    const int warp = threadIdx.x / kWarp, lane = threadIdx.x % kWarp;
    const int64_t br = static_cast<int64_t>(blockIdx.x) * kWmmaWarps + warp;
    const int64_t n0 = static_cast<int64_t>(blockIdx.y) * kWmmaCols;
    if (br >= block_rows) return;  // whole warps; no block-wide barrier follows
    const int tiles = static_cast<int>((n - n0 < kWmmaCols ? n - n0 : kWmmaCols) / 16);
    w::fragment<w::accumulator, 16, 16, 16, float> acc[4];
#pragma unroll
    for (int t = 0; t < 4; ++t) w::fill_fragment(acc[t], 0.0f);
    for (int32_t p = rp[br]; p < rp[br + 1]; ++p) {
        w::fragment<w::matrix_a, 16, 16, 16, T, w::row_major> fa;
        w::load_matrix_sync(fa, val + static_cast<int64_t>(p) * 256, 16);
        const T* brow = b + static_cast<int64_t>(ci[p]) * 16 * ldb + n0;
#pragma unroll
        for (int t = 0; t < 4; ++t) {
            if (t < tiles) {
                w::fragment<w::matrix_b, 16, 16, 16, T, w::row_major> fb;
                w::load_matrix_sync(fb, brow + t * 16, static_cast<unsigned>(ldb));
                w::mma_sync(acc[t], fa, fb, acc[t]);
            }
        }
    }
#pragma unroll
    for (int t = 0; t < 4; ++t)
        if (t < tiles) w::store_matrix_sync(&stage[warp][0][t * 16], acc[t], kWmmaCols, w::mem_row_major);
    __syncwarp();
    const int width = tiles * 16;
    for (int e = lane; e < 16 * width; e += kWarp) {
        const int r = e / width, col = e % width;
        const int64_t i = br * 16 + r;
        if (i >= rows) continue;  // a ragged last block row
        T* out = c + i * ldc + n0 + col;
        float v = alpha * stage[warp][r][col];
        if (beta != 0.0f) v += beta * to_acc(*out);
        *out = from_acc<T>(v);
    }
}

template <typename T>
s4j_status bsr_wmma_typed(const exec_env& env, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const int64_t rows = c->shape[0], n = c->shape[1], kdim = a->cols;
    auto aligned32 = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 32 == 0; };
    if (a->block_rows != 16 || a->block_cols != 16 || a->index_dtype != S4J_I32 || n % 16 != 0 || kdim % 16 != 0 ||
        (n > 1 && b->strides[1] != 1) || (n > 1 && c->strides[1] != 1) || (kdim > 1 && b->strides[0] % 16 != 0) ||
        !aligned32(b->data) || !aligned32(a->values))
        return kDeclined;
    if (rows == 0 || n == 0) return S4J_OK;
    const int64_t block_rows = (rows + 15) / 16;
    const int64_t col_tiles = (n + kWmmaCols - 1) / kWmmaCols;
    if (col_tiles > 65535 || (block_rows + kWmmaWarps - 1) / kWmmaWarps > 0x7fffffff) return kDeclined;
    dim3 grid(static_cast<unsigned>((block_rows + kWmmaWarps - 1) / kWmmaWarps), static_cast<unsigned>(col_tiles));
    bsr_wmma_kernel<T><<<grid, kWarp * kWmmaWarps, 0, stream_of(env)>>>(
        rows, n, block_rows, static_cast<const int32_t*>(a->row_ptr), static_cast<const int32_t*>(a->col_idx),
        static_cast<const T*>(a->values), static_cast<const T*>(b->data), b->strides[0], static_cast<T*>(c->data),
        rows > 1 ? c->strides[0] : n, alpha, beta);
    S4J_CUDA_LAUNCHED("bsr_wmma_kernel");
    return S4J_OK;
}

// ---- GEMM: 16x16 output tiles, A and B tiles staged through shared memory --------------------

constexpr int kTile = 16;

template <typename T>
__global__ void gemm_kernel(int64_t m, int64_t n, int64_t kdim, const T* __restrict__ a, strides2 as, const T* __restrict__ b,
                            strides2 bs, T* __restrict__ c, strides2 cs, float alpha, float beta) {
    using A = typename value_traits<T>::acc;
    __shared__ A ta[kTile][kTile + 1];
    __shared__ A tb[kTile][kTile + 1];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int64_t i = static_cast<int64_t>(blockIdx.y) * kTile + ty, j = static_cast<int64_t>(blockIdx.x) * kTile + tx;
    A acc = A(0);
    for (int64_t l0 = 0; l0 < kdim; l0 += kTile) {
        ta[ty][tx] = i < m && l0 + tx < kdim ? to_acc(a[i * as.s0 + (l0 + tx) * as.s1]) : A(0);
        tb[ty][tx] = l0 + ty < kdim && j < n ? to_acc(b[(l0 + ty) * bs.s0 + j * bs.s1]) : A(0);
        __syncthreads();
#pragma unroll
        for (int q = 0; q < kTile; ++q) acc += ta[ty][q] * tb[q][tx];
        __syncthreads();
    }
    if (i >= m || j >= n) return;
    T* out = c + i * cs.s0 + j * cs.s1;
    A res = A(alpha) * acc;
    if (beta != 0.0f) res += A(beta) * to_acc(*out);
    *out = from_acc<T>(res);
}

template <typename T>
s4j_status gemm_typed(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const int64_t m = c->shape[0], n = c->shape[1], kdim = a->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    if ((m + kTile - 1) / kTile > 65535) return fail(S4J_UNSUPPORTED, "gemm (cuda): %lld rows is more than this kernel covers", (long long)m);
    dim3 grid(blocks_for(n, kTile), blocks_for(m, kTile)), block(kTile, kTile);
    gemm_kernel<T><<<grid, block, 0, stream_of(env)>>>(m, n, kdim, static_cast<const T*>(a->data), {a->strides[0], a->strides[1]},
                                                       static_cast<const T*>(b->data), {b->strides[0], b->strides[1]},
                                                       static_cast<T*>(c->data), {c->strides[0], c->strides[1]}, alpha, beta);
    S4J_CUDA_LAUNCHED("gemm_kernel");
    return S4J_OK;
}

// ---- activation-sparse GEMV: select the active inputs on the device, then read their rows ----

// key[j]: |x_j| as ordered bits when active (NaN as +inf), 0 when not; idx[j] = j.
template <typename T>
__global__ void select_kernel(int64_t k, const T* __restrict__ x, int64_t xs, float threshold, uint32_t* __restrict__ key,
                              int64_t* __restrict__ idx, unsigned char* __restrict__ flag) {
    const int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (j >= k) return;
    float v = fabsf(static_cast<float>(to_acc(x[j * xs])));
    const bool active = v > threshold || isnan(v);
    if (isnan(v)) v = INFINITY;
    key[j] = active ? __float_as_uint(v) : 0u;  // non-negative floats order like their bits
    idx[j] = j;
    flag[j] = active ? 1 : 0;
}

// partial[split][i] = sum over this split's share of the active rows of Wt[j, i] * x_j (0 for a
// share past the active count, which the host does not know).
template <typename T>
__global__ void gemv_kernel(int64_t m, const T* __restrict__ wt, strides2 ws, const T* __restrict__ x, int64_t xs,
                            const int64_t* __restrict__ active, const int64_t* __restrict__ count_ptr, int64_t cap,
                            int64_t per_block, float* __restrict__ partial) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= m) return;
    int64_t count = *count_ptr;
    if (cap > 0 && count > cap) count = cap;
    const int64_t a0 = static_cast<int64_t>(blockIdx.y) * per_block;
    if (a0 >= count) return;  // past the active inputs: store_kernel reads no partial from here
    const int64_t a1 = a0 + per_block < count ? a0 + per_block : count;
    float acc = 0.0f;
#pragma unroll 4
    for (int64_t a = a0; a < a1; ++a) {
        const int64_t j = active[a];
        acc += static_cast<float>(to_acc(wt[j * ws.s0 + i * ws.s1])) * static_cast<float>(to_acc(x[j * xs]));
    }
    partial[static_cast<int64_t>(blockIdx.y) * m + i] = acc;
}

// The fp64 variant accumulates in fp64 (no fp64 atomics needed: one block per output column group).
__global__ void gemv_kernel_f64(int64_t m, const double* __restrict__ wt, strides2 ws, const double* __restrict__ x, int64_t xs,
                                const int64_t* __restrict__ active, const int64_t* __restrict__ count_ptr, int64_t cap,
                                double* __restrict__ y, int64_t ys) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= m) return;
    int64_t count = *count_ptr;
    if (cap > 0 && count > cap) count = cap;
    double acc = 0.0;
    for (int64_t a = 0; a < count; ++a) {
        const int64_t j = active[a];
        acc += wt[j * ws.s0 + i * ws.s1] * x[j * xs];
    }
    y[i * ys] = acc;
}

// y[i] = the partial sums of the splits that had active inputs, added in split order.
template <typename T>
__global__ void store_kernel(int64_t m, const int64_t* __restrict__ count_ptr, int64_t cap, int64_t per_block,
                             const float* __restrict__ partial, T* __restrict__ y, int64_t ys) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= m) return;
    int64_t count = *count_ptr;
    if (cap > 0 && count > cap) count = cap;
    const int64_t splits = (count + per_block - 1) / per_block;
    y[i * ys] = from_acc<T>(static_cast<typename value_traits<T>::acc>(ordered_partial_sum(partial, m, i, splits)));
}

// Ascending order of the chosen indices, so every backend sums in the same order.
__global__ void clamp_keys_kernel(int64_t cap, const int64_t* __restrict__ count_ptr, int64_t k, int64_t* __restrict__ idx) {
    const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t < cap && t >= *count_ptr) idx[t] = k;  // beyond the active count: sorts last, never read
}

// The active rows are split across blocks in y, kGemvRowsPerSplit each, so that enough blocks run
// and each thread's chain of loads stays short (the time of a sparse GEMV is load latency, not
// bandwidth). The host does not know the active count, so the grid assumes all of them (at most
// top_k) could be active; blocks past the count leave at once and write nothing.
constexpr int64_t kGemvRowsPerSplit = 16;

int64_t gemv_splits(int64_t k, const gemv_select& sel) {
    const int64_t max_active = sel.top_k > 0 && sel.top_k < k ? sel.top_k : k;
    return (max_active + kGemvRowsPerSplit - 1) / kGemvRowsPerSplit;
}

// The active inputs of x (|x_j| > threshold, NaN counts; then the top_k largest when top_k > 0),
// ascending, into `active`, and their count into *count, all on the device: the host never reads x.
template <typename T>
s4j_status select_active(Workspace& ws, cudaStream_t s, const s4j_dense* x, const gemv_select& sel, int64_t k, int64_t** active_out,
                         int64_t** count_out) {
    uint32_t *key, *key_sorted;
    int64_t *idx, *idx_sorted, *active, *count;
    unsigned char* flag;
    S4J_TRY(ws.take(k, &key));
    S4J_TRY(ws.take(k, &key_sorted));
    S4J_TRY(ws.take(k, &idx));
    S4J_TRY(ws.take(k, &idx_sorted));
    S4J_TRY(ws.take(k, &active));
    S4J_TRY(ws.take(1, &count));
    S4J_TRY(ws.take(k, &flag));
    S4J_CUDA_TRY(cudaMemsetAsync(count, 0, sizeof(int64_t), s));
    const T* xv = static_cast<const T*>(x->data);
    const int64_t xs = x->strides[0];
    if (k > 0) {
        select_kernel<T><<<blocks_for(k, 256), 256, 0, s>>>(k, xv, xs, sel.threshold, key, idx, flag);
        S4J_CUDA_LAUNCHED("select_kernel");
        size_t bytes = 0;
        S4J_CUDA_TRY(cub::DeviceSelect::Flagged(nullptr, bytes, idx, flag, active, count, k, s));
        char* tmp;
        S4J_TRY(ws.take(static_cast<int64_t>(bytes), &tmp));
        S4J_CUDA_TRY(cub::DeviceSelect::Flagged(tmp, bytes, idx, flag, active, count, k, s));
        if (sel.top_k > 0 && sel.top_k < k) {
            // Largest magnitudes first; the stable sort keeps the lower index first among equals.
            // Inactive inputs have key 0 and sort behind every active one. Then the first top_k
            // (or fewer, when fewer are active) go back to ascending index order.
            bytes = 0;
            S4J_CUDA_TRY(cub::DeviceRadixSort::SortPairsDescending(nullptr, bytes, key, key_sorted, idx, idx_sorted, k, 0, 32, s));
            S4J_TRY(ws.take(static_cast<int64_t>(bytes), &tmp));
            S4J_CUDA_TRY(cub::DeviceRadixSort::SortPairsDescending(tmp, bytes, key, key_sorted, idx, idx_sorted, k, 0, 32, s));
            clamp_keys_kernel<<<blocks_for(sel.top_k, 256), 256, 0, s>>>(sel.top_k, count, k, idx_sorted);
            S4J_CUDA_LAUNCHED("clamp_keys_kernel");
            bytes = 0;
            S4J_CUDA_TRY(cub::DeviceRadixSort::SortKeys(nullptr, bytes, idx_sorted, active, sel.top_k, 0, 64, s));
            S4J_TRY(ws.take(static_cast<int64_t>(bytes), &tmp));
            S4J_CUDA_TRY(cub::DeviceRadixSort::SortKeys(tmp, bytes, idx_sorted, active, sel.top_k, 0, 64, s));
        }
    }
    *active_out = active;
    *count_out = count;
    return S4J_OK;
}

template <typename T>
s4j_status gemv_typed(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, s4j_dense* y) {
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    const int64_t k = wt->shape[0], m = wt->shape[1];
    if (m == 0) return S4J_OK;
    const int64_t splits = gemv_splits(k, sel);
    if (!std::is_same<T, double>::value && splits > 65535)  // the fp64 kernel does not split
        return fail(S4J_UNSUPPORTED, "gemv_sparse_x (cuda): %lld inputs is more than this kernel covers", (long long)k);
    int64_t *active, *count;
    S4J_TRY(select_active<T>(ws, s, x, sel, k, &active, &count));
    const T* xv = static_cast<const T*>(x->data);
    const int64_t xs = x->strides[0];
    const int64_t cap = sel.top_k > 0 ? sel.top_k : 0;
    const strides2 wstr{wt->strides[0], wt->strides[1]};
    if constexpr (std::is_same<T, double>::value) {
        gemv_kernel_f64<<<blocks_for(m, 256), 256, 0, s>>>(m, static_cast<const double*>(wt->data), wstr, xv, xs, active, count, cap,
                                                           static_cast<double*>(y->data), y->strides[0]);
        S4J_CUDA_LAUNCHED("gemv_kernel_f64");
        return S4J_OK;
    } else {
        const int64_t per_block = kGemvRowsPerSplit;
        float* partial;
        S4J_TRY(ws.take((splits > 0 ? splits : 1) * m, &partial));
        if (splits > 0) {
            dim3 grid(blocks_for(m, 256), static_cast<unsigned>(splits));
            gemv_kernel<T><<<grid, 256, 0, s>>>(m, static_cast<const T*>(wt->data), wstr, xv, xs, active, count, cap, per_block, partial);
            S4J_CUDA_LAUNCHED("gemv_kernel");
        }
        store_kernel<T><<<blocks_for(m, 256), 256, 0, s>>>(m, count, cap, per_block, partial, static_cast<T*>(y->data), y->strides[0]);
        S4J_CUDA_LAUNCHED("store_kernel");
        return S4J_OK;
    }
}

// The same GEMV with each thread covering 16 bytes of a row of Wt (an alternative, forced by name to
// compare): fewer, wider loads. Declines a Wt whose rows are not 16-byte vectors.
template <typename T>
struct alignas(16) wvec {
    static constexpr int n = 16 / sizeof(T);
    T v[n];
};

template <typename T>
__global__ void gemv_vec_kernel(int64_t m, const T* __restrict__ wt, int64_t ldw, const T* __restrict__ x, int64_t xs,
                                const int64_t* __restrict__ active, const int64_t* __restrict__ count_ptr, int64_t cap,
                                int64_t per_block, float* __restrict__ partial) {
    constexpr int E = wvec<T>::n;
    const int64_t i = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) * E;
    if (i >= m) return;
    int64_t count = *count_ptr;
    if (cap > 0 && count > cap) count = cap;
    const int64_t a0 = static_cast<int64_t>(blockIdx.y) * per_block;
    if (a0 >= count) return;  // past the active inputs
    const int64_t a1 = a0 + per_block < count ? a0 + per_block : count;
    float acc[E];
#pragma unroll
    for (int e = 0; e < E; ++e) acc[e] = 0.0f;
    for (int64_t a = a0; a < a1; ++a) {
        const int64_t j = active[a];
        const float xj = static_cast<float>(to_acc(x[j * xs]));
        uint4 raw = *reinterpret_cast<const uint4*>(wt + j * ldw + i);
        wvec<T> w;
        memcpy(&w, &raw, 16);
#pragma unroll
        for (int e = 0; e < E; ++e) acc[e] += static_cast<float>(to_acc(w.v[e])) * xj;
    }
    float* out = partial + static_cast<int64_t>(blockIdx.y) * m + i;
#pragma unroll
    for (int e = 0; e < E; ++e) out[e] = acc[e];
}

template <typename T>
s4j_status gemv_vec_typed(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, s4j_dense* y) {
    constexpr int E = wvec<T>::n;
    const int64_t k = wt->shape[0], m = wt->shape[1];
    if (std::is_same<T, double>::value || m % E != 0 || (m > 1 && wt->strides[1] != 1) || (k > 1 && wt->strides[0] % E != 0) ||
        reinterpret_cast<uintptr_t>(wt->data) % 16 != 0)
        return kDeclined;
    const int64_t splits = gemv_splits(k, sel);
    if (splits > 65535) return kDeclined;
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    if (m == 0) return S4J_OK;
    int64_t *active, *count;
    S4J_TRY(select_active<T>(ws, s, x, sel, k, &active, &count));
    const int64_t cap = sel.top_k > 0 ? sel.top_k : 0;
    const int64_t per_block = kGemvRowsPerSplit;
    float* partial;
    S4J_TRY(ws.take((splits > 0 ? splits : 1) * m, &partial));
    if (splits > 0) {
        dim3 grid(blocks_for(m / E, 128), static_cast<unsigned>(splits));
        gemv_vec_kernel<T><<<grid, 128, 0, s>>>(m, static_cast<const T*>(wt->data), k > 1 ? wt->strides[0] : m,
                                                static_cast<const T*>(x->data), x->strides[0], active, count, cap, per_block, partial);
        S4J_CUDA_LAUNCHED("gemv_vec_kernel");
    }
    store_kernel<T><<<blocks_for(m, 256), 256, 0, s>>>(m, count, cap, per_block, partial, static_cast<T*>(y->data), y->strides[0]);
    S4J_CUDA_LAUNCHED("store_kernel");
    return S4J_OK;
}

// ---- activation-sparse GEMV in one pass: each block selects its own active inputs ------------
//
// With a threshold (no top-k), whether input j is active depends on x_j alone, so no global
// selection is needed: a block owns 256 bytes of outputs (kFusedTile) and a contiguous range of inputs, finds the
// active ones of its range itself (a ballot-free scan: each thread tests kFusedScan / threads
// consecutive inputs, a block prefix sum orders them in shared memory, ascending), and reads 16
// bytes of each active row of Wᵀ per lane, four rows in flight per lane. Lane groups take every
// GROUPS-th active row and add their sums in group order at the end, so results are deterministic.
// Input ranges split across blocks (enough blocks to keep loads in flight on every SM) leave fp32
// partial sums that gemv_sum_kernel adds in range order; with one range the block writes y itself.
// This replaces the flag, compaction, GEMV and sum launches of the two-step path with one or two.
constexpr int kFusedThreads = 256;
template <typename T>
constexpr int kFusedTile = 256 / sizeof(T);  // outputs per block: 256 bytes of each active row of Wᵀ
constexpr int kFusedScan = 2048;  // inputs scanned per pass
constexpr int kFusedDepth = 4;    // active rows a lane loads before using them
constexpr int kFusedCluster = 8;  // ranges of a tile on compute capability 9.0: one cluster

// CLUSTER (compute capability 9.0): the grid's ranges of one tile form a thread-block cluster, and
// the cluster's first block adds the others' sums from their shared memory in range order and writes
// y, so one launch does what the partial sums and gemv_sum_kernel do elsewhere.
template <typename T, bool CLUSTER>
__global__ void __launch_bounds__(kFusedThreads)
    gemv_fused_kernel(int64_t k, int64_t m, int64_t k_per_split, const T* __restrict__ wt, int64_t ldw, const T* __restrict__ x,
                      int64_t xs, float threshold, float* __restrict__ partial, T* __restrict__ y, int64_t ys) {
    constexpr int E = wvec<T>::n;                       // outputs per lane
    constexpr int TILE = kFusedTile<T>;
    constexpr int LANES = TILE / E;                     // lanes per row of Wᵀ: 16
    constexpr int GROUPS = kFusedThreads / LANES;       // rows of Wᵀ read at once by the block
    constexpr int PER = kFusedScan / kFusedThreads;     // inputs a thread tests per pass
    constexpr int WARPS = kFusedThreads / 32;
    __shared__ int s_idx[kFusedScan];                   // active inputs of the pass, offsets from its start
    __shared__ float s_x[kFusedScan];                   // and their values
    __shared__ int s_base[WARPS + 1];                   // warp offsets of the prefix sum, then the total
    __shared__ float s_red[GROUPS][TILE];
    const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
    const int g = tid / LANES, l = tid % LANES;
    const int64_t i = static_cast<int64_t>(blockIdx.x) * TILE + static_cast<int64_t>(l) * E;  // this lane's first output
    const bool live = i < m;
    const int64_t kbeg = static_cast<int64_t>(blockIdx.y) * k_per_split;
    const int64_t kend = kbeg + k_per_split < k ? kbeg + k_per_split : k;
    float acc[E];
#pragma unroll
    for (int e = 0; e < E; ++e) acc[e] = 0.0f;
    for (int64_t p0 = kbeg; p0 < kend; p0 += kFusedScan) {
        const int64_t p1 = p0 + kFusedScan < kend ? p0 + kFusedScan : kend;
        float v[PER];
        unsigned mask = 0;
#pragma unroll
        for (int e = 0; e < PER; ++e) {
            const int64_t j = p0 + static_cast<int64_t>(tid) * PER + e;
            v[e] = j < p1 ? static_cast<float>(to_acc(x[j * xs])) : 0.0f;
            const float a = fabsf(v[e]);
            if (j < p1 && (a > threshold || isnan(a))) mask |= 1u << e;  // NaN counts, as on every backend
        }
        const int cnt = __popc(mask);
        int incl = cnt;  // inclusive prefix sum over the warp, then over the warps
#pragma unroll
        for (int off = 1; off < 32; off <<= 1) {
            const int t = __shfl_up_sync(0xffffffffu, incl, off);
            if (lane >= off) incl += t;
        }
        if (lane == 31) s_base[warp] = incl;
        __syncthreads();
        if (tid == 0) {
            int run = 0;
            for (int w = 0; w < WARPS; ++w) {
                const int c = s_base[w];
                s_base[w] = run;
                run += c;
            }
            s_base[WARPS] = run;
        }
        __syncthreads();
        int pos = s_base[warp] + incl - cnt;
#pragma unroll
        for (int e = 0; e < PER; ++e) {
            if (mask >> e & 1u) {
                s_idx[pos] = tid * PER + e;
                s_x[pos] = v[e];
                ++pos;
            }
        }
        __syncthreads();
        const int total = s_base[WARPS];
        if (live) {
            const T* col = wt + p0 * ldw + i;
            for (int a = g; a < total; a += kFusedDepth * GROUPS) {
                wvec<T> w[kFusedDepth];
                float xv[kFusedDepth];
#pragma unroll
                for (int u = 0; u < kFusedDepth; ++u) {  // all loads first, so they are in flight together
                    const int b = a + u * GROUPS;
                    xv[u] = 0.0f;
                    if (b < total) {
                        uint4 raw = *reinterpret_cast<const uint4*>(col + static_cast<int64_t>(s_idx[b]) * ldw);
                        memcpy(&w[u], &raw, 16);
                        xv[u] = s_x[b];
                    } else {
                        memset(&w[u], 0, 16);
                    }
                }
#pragma unroll
                for (int u = 0; u < kFusedDepth; ++u)
#pragma unroll
                    for (int e = 0; e < E; ++e) acc[e] += static_cast<float>(to_acc(w[u].v[e])) * xv[u];
            }
        }
        __syncthreads();  // the lists are refilled by the next pass
    }
#pragma unroll
    for (int e = 0; e < E; ++e) s_red[g][l * E + e] = acc[e];
    __syncthreads();
    if constexpr (CLUSTER) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
        namespace cg = cooperative_groups;
        cg::cluster_group cluster = cg::this_cluster();
        // Group 0's row of s_red takes the block's sums (every lane reads its column first).
        float sum = 0.0f;
        if (tid < TILE)
            for (int q = 0; q < GROUPS; ++q) sum += s_red[q][tid];
        __syncthreads();
        if (tid < TILE) s_red[0][tid] = sum;
        cluster.sync();  // every block's sums are in place
        const int64_t o = static_cast<int64_t>(blockIdx.x) * TILE + tid;
        if (cluster.block_rank() == 0 && tid < TILE && o < m) {
            // Every remote read first (one round trip instead of one a block), then the sum in range order.
            const unsigned nb = cluster.num_blocks();
            float part[kFusedCluster];
#pragma unroll
            for (unsigned r = 0; r < kFusedCluster; ++r) part[r] = r < nb ? cluster.map_shared_rank(&s_red[0][0], r)[tid] : 0.0f;
            float total = 0.0f;
#pragma unroll
            for (unsigned r = 0; r < kFusedCluster; ++r)
                if (r < nb) total += part[r];
            y[o * ys] = from_acc<T>(total);
        }
        cluster.sync();  // the other blocks keep their shared memory until it has been read
#else
        __trap();  // launched with clusters only on compute capability 9.0
#endif
        return;
    }
    if (tid < TILE) {
        const int64_t o = static_cast<int64_t>(blockIdx.x) * TILE + tid;
        if (o < m) {
            float sum = 0.0f;
            for (int q = 0; q < GROUPS; ++q) sum += s_red[q][tid];
            if (partial != nullptr)
                partial[static_cast<int64_t>(blockIdx.y) * m + o] = sum;
            else
                y[o * ys] = from_acc<T>(sum);
        }
    }
}

// y[i] = the input ranges' partial sums, added in range order.
template <typename T>
__global__ void gemv_sum_kernel(int64_t m, int64_t splits, const float* __restrict__ partial, T* __restrict__ y, int64_t ys) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= m) return;
    y[i * ys] = from_acc<T>(ordered_partial_sum(partial, m, i, splits));
}

// clusters: false keeps the partial sums and the sum kernel on every GPU (a forced alternative).
template <typename T>
s4j_status gemv_fused_typed(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, s4j_dense* y,
                            bool clusters) {
    constexpr int E = wvec<T>::n;
    const int64_t k = wt->shape[0], m = wt->shape[1];
    if (sel.top_k > 0 && sel.top_k < k) return kDeclined;  // top-k needs the global selection
    if (m % E != 0 || (m > 1 && wt->strides[1] != 1) || (k > 1 && wt->strides[0] % E != 0) ||
        reinterpret_cast<uintptr_t>(wt->data) % 16 != 0)
        return kDeclined;
    if (m == 0) return S4J_OK;
    const int64_t tiles = (m + kFusedTile<T> - 1) / kFusedTile<T>;
    if (tiles > 0x7fffffff) return kDeclined;
    // Input ranges: about four blocks per SM in all, each range at least 512 inputs.
    int64_t splits = (4 * static_cast<int64_t>(sm_count()) + tiles - 1) / tiles;
    const int64_t max_splits = k / 512 > 1 ? k / 512 : 1;
    if (splits > max_splits) splits = max_splits;
    if (splits > 65535) splits = 65535;
    cudaStream_t s = stream_of(env);
    T* yv = static_cast<T*>(y->data);
    if (splits > 1 && clusters) {
        // One cluster of ranges per tile: at most kFusedCluster ranges (the portable cluster size).
        // Where clusters cannot run, the ranges leave partial sums for gemv_sum_kernel instead.
        static DeviceFlags failed;
        const int64_t ranges = splits < kFusedCluster ? splits : kFusedCluster;
        const int64_t per = (k + ranges - 1) / ranges;
        const int64_t ldw = k > 1 ? wt->strides[0] : m;
        const s4j_status st = launch_clustered(failed, env.device_index, "launch of gemv_fused_kernel (cluster)", gemv_fused_kernel<T, true>,
                                               dim3(static_cast<unsigned>(tiles), static_cast<unsigned>(ranges)), dim3(kFusedThreads), 0, s,
                                               static_cast<unsigned>(ranges), k, m, per, static_cast<const T*>(wt->data), ldw,
                                               static_cast<const T*>(x->data), x->strides[0], sel.threshold, static_cast<float*>(nullptr), yv,
                                               y->strides[0]);
        if (st != kDeclined) return st;
    }
    const int64_t k_per_split = k > 0 ? (k + splits - 1) / splits : 1;
    const int64_t used = k > 0 ? (k + k_per_split - 1) / k_per_split : 1;
    Workspace ws(s);
    float* partial = nullptr;
    if (used > 1) S4J_TRY(ws.take(used * m, &partial));
    dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(used));
    gemv_fused_kernel<T, false><<<grid, kFusedThreads, 0, s>>>(k, m, k_per_split, static_cast<const T*>(wt->data), k > 1 ? wt->strides[0] : m,
                                                        static_cast<const T*>(x->data), x->strides[0], sel.threshold, partial, yv,
                                                        y->strides[0]);
    S4J_CUDA_LAUNCHED("gemv_fused_kernel");
    if (used > 1) {
        gemv_sum_kernel<T><<<blocks_for(m, 256), 256, 0, s>>>(m, used, partial, yv, y->strides[0]);
        S4J_CUDA_LAUNCHED("gemv_sum_kernel");
    }
    return S4J_OK;
}

// ---- entry points -------------------------------------------------------------------------------

s4j_status bsr_cuda(const exec_env& env, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    S4J_TRY(use_device(env.device_index));
    s4j_status st = S4J_UNSUPPORTED;
    bool ok = with_device_type(a->value_dtype, [&](auto* vt) {
        using T = std::remove_pointer_t<decltype(vt)>;
        st = a->index_dtype == S4J_I64 ? bsr_typed<T, int64_t>(env, alpha, a, b, beta, c) : bsr_typed<T, int32_t>(env, alpha, a, b, beta, c);
    });
    return ok ? st : fail(S4J_UNSUPPORTED, "spmm_bsr (cuda): value dtype %s", dtype_name(a->value_dtype));
}

s4j_status bsr_wmma_cuda(const exec_env& env, float alpha, const s4j_bsr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    S4J_TRY(use_device(env.device_index));
    if (a->value_dtype == S4J_F16) return bsr_wmma_typed<__half>(env, alpha, a, b, beta, c);
    if (a->value_dtype == S4J_BF16) return bsr_wmma_typed<__nv_bfloat16>(env, alpha, a, b, beta, c);
    return kDeclined;
}

s4j_status gemm_cuda(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, float beta, s4j_dense* c) {
    S4J_TRY(use_device(env.device_index));
    s4j_status st = S4J_UNSUPPORTED;
    bool ok = with_device_type(a->dtype, [&](auto* vt) { st = gemm_typed<std::remove_pointer_t<decltype(vt)>>(env, alpha, a, b, beta, c); });
    return ok ? st : fail(S4J_UNSUPPORTED, "gemm (cuda): dtype %s", dtype_name(a->dtype));
}

s4j_status gemv_cuda(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, const int64_t*, int64_t,
                     s4j_dense* y) {
    S4J_TRY(use_device(env.device_index));
    s4j_status st = S4J_UNSUPPORTED;
    bool ok = with_device_type(wt->dtype, [&](auto* vt) { st = gemv_typed<std::remove_pointer_t<decltype(vt)>>(env, wt, x, sel, y); });
    return ok ? st : fail(S4J_UNSUPPORTED, "gemv_sparse_x (cuda): dtype %s", dtype_name(wt->dtype));
}

s4j_status gemv_vec_cuda(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, const int64_t*, int64_t,
                         s4j_dense* y) {
    S4J_TRY(use_device(env.device_index));
    s4j_status st = S4J_UNSUPPORTED;
    bool ok = with_device_type(wt->dtype, [&](auto* vt) { st = gemv_vec_typed<std::remove_pointer_t<decltype(vt)>>(env, wt, x, sel, y); });
    return ok ? st : fail(S4J_UNSUPPORTED, "gemv_sparse_x (cuda): dtype %s", dtype_name(wt->dtype));
}

s4j_status gemv_fused_any(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, s4j_dense* y,
                          bool clusters) {
    S4J_TRY(use_device(env.device_index));
    switch (wt->dtype) {
        case S4J_F32: return gemv_fused_typed<float>(env, wt, x, sel, y, clusters);
        case S4J_F16: return gemv_fused_typed<__half>(env, wt, x, sel, y, clusters);
        case S4J_BF16: return gemv_fused_typed<__nv_bfloat16>(env, wt, x, sel, y, clusters);
        default: return kDeclined;  // fp64 accumulates in fp64 on the two-step kernel
    }
}

s4j_status gemv_fused_cuda(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, const int64_t*, int64_t,
                           s4j_dense* y) {
    return gemv_fused_any(env, wt, x, sel, y, true);
}

// The same without clusters: input ranges leave partial sums that gemv_sum_kernel adds.
s4j_status gemv_fused_ranges_cuda(const exec_env& env, const s4j_dense* wt, const s4j_dense* x, const gemv_select& sel, const int64_t*,
                                  int64_t, s4j_dense* y) {
    return gemv_fused_any(env, wt, x, sel, y, false);
}

}  // namespace

// Order is preference: the first implementation that does not decline runs. The tensor-core kernel
// takes 16x16 fp16/bf16 blocks and declines the rest.
S4J_REGISTER("cuda:spmm_bsr_wmma", S4J_OP_SPMM_BSR, S4J_BACKEND_CUDA, dtype_bit(S4J_F16) | dtype_bit(S4J_BF16), bsr_wmma_cuda);
S4J_REGISTER("cuda:spmm_bsr", S4J_OP_SPMM_BSR, S4J_BACKEND_CUDA, kFloatDtypes, bsr_cuda);
S4J_REGISTER("cuda:gemm", S4J_OP_GEMM, S4J_BACKEND_CUDA, kFloatDtypes, gemm_cuda);
// GEMV: one pass selecting per block where a threshold alone decides (no top-k), then 16 bytes of Wᵀ
// per thread where the layout allows (both decline fp64 and unaligned rows).
S4J_REGISTER("cuda:gemv_sparse_x_fused", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CUDA, kFloatDtypes, gemv_fused_cuda);
S4J_REGISTER("cuda:gemv_sparse_x_vec", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CUDA, kFloatDtypes, gemv_vec_cuda);
S4J_REGISTER("cuda:gemv_sparse_x", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CUDA, kFloatDtypes, gemv_cuda);
S4J_REGISTER("cuda:gemv_sparse_x_fused_ranges", S4J_OP_GEMV_SPARSE_X, S4J_BACKEND_CUDA, kFloatDtypes, gemv_fused_ranges_cuda);

}  // namespace cuda
}  // namespace s4j
