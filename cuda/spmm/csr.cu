// CUDA CSR SpMM, SpMV and SDDMM for fp32, fp16, bf16 (fp32 accumulation) and fp64, int32 or int64
// indices, any operand strides.
//
// SpMM has three kernels. Wide outputs (N >= 64) of matrices dense enough that a B row is used
// several times per 128 rows take the row-block kernel: B is copied chunk by chunk into shared
// memory and each chunk serves every row of the block. Wide outputs of sparser matrices with short,
// even rows take a warp per row. Everything else takes the merge-path kernel: equal shares of
// (nonzeros + rows) per warp, lanes grouped to fit N, partial rows fixed up in order. Aᵀ·B
// transposes A on the device first (a stable radix sort by column keeps rows ordered).
#include <cub/cub.cuh>

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "../common/async.cuh"
#include "../common/types.cuh"
#include "../common/util.cuh"

namespace s4j {
namespace cuda {
namespace {

constexpr int kWarp = 32;
constexpr int kWarpsPerBlock = 4;

// 16 bytes of T: what a lane loads at once on the vector path.
template <typename T>
struct alignas(16) vec16 {
    static constexpr int n = 16 / sizeof(T);
    T v[n];
};

template <typename T>
__device__ __forceinline__ vec16<T> load16(const T* p) {
    uint4 raw = *reinterpret_cast<const uint4*>(p);
    vec16<T> out;
    memcpy(&out, &raw, 16);
    return out;
}

template <typename T>
__device__ __forceinline__ void store16(T* p, const vec16<T>& v) {
    uint4 raw;
    memcpy(&raw, &v, 16);
    *reinterpret_cast<uint4*>(p) = raw;
}

struct dense_view {
    int64_t s0, s1;  // strides in elements
};

// Sums the lane groups' accumulators of the merge-path kernel: every lane ends with its columns' total.
template <typename A, int E>
__device__ __forceinline__ void merge_reduce(A (&acc)[E], int lanes) {
    for (int off = lanes; off < kWarp; off <<= 1) {
#pragma unroll
        for (int e = 0; e < E; ++e) acc[e] += __shfl_xor_sync(0xffffffffu, acc[e], off);
    }
}

// Group 0 stores the partial sums of its columns into a warp's slot row (n entries).
template <typename A, bool VEC, int E>
__device__ __forceinline__ void merge_park(const A (&acc)[E], int g, int64_t col0, int lanes, int64_t n, A* slot) {
    if (g != 0) return;
#pragma unroll
    for (int e = 0; e < E; ++e) {
        const int64_t j = VEC ? col0 + e : col0 + static_cast<int64_t>(e) * lanes;
        if (j < n) slot[j] = acc[e];
    }
}

// Group 0 writes C's row: alpha · acc + beta · C (C is not read when beta is 0).
template <typename T, bool VEC, int E>
__device__ __forceinline__ void merge_finish(const typename value_traits<T>::acc (&acc)[E], int g, int64_t col0, int lanes,
                                             int64_t n, T* crow, int64_t cs1, float alpha, float beta) {
    using A = typename value_traits<T>::acc;
    if (g != 0) return;
    if (VEC) {
        if (col0 >= n) return;
        vec16<T> out, old;
        if (beta != 0.0f) old = load16(crow + col0);
#pragma unroll
        for (int e = 0; e < E; ++e) {
            A v = A(alpha) * acc[e];
            if (beta != 0.0f) v += A(beta) * to_acc(old.v[e]);
            out.v[e] = from_acc<T>(v);
        }
        store16(crow + col0, out);
    } else {
#pragma unroll
        for (int e = 0; e < E; ++e) {
            const int64_t j = col0 + static_cast<int64_t>(e) * lanes;
            if (j >= n) continue;
            A v = A(alpha) * acc[e];
            if (beta != 0.0f) v += A(beta) * to_acc(crow[j * cs1]);
            crow[j * cs1] = from_acc<T>(v);
        }
    }
}

// ---- SpMM: merge-path work split ---------------------------------------------------------------
//
// The work is a path of items: row by row, the row's nonzeros, then the row's end marker (so an
// empty row costs one item). Nonzero k of row r is item k + r, the end marker of row r is item
// rp[r+1] + r, and there are nnz + m items. Each warp takes the same number of items (ipw), so a
// power-law row is shared by several warps instead of stalling one. A row whose items all fall in
// one warp is written by it; a row that spans warps leaves fp32 (fp64) partial sums in two slots
// per warp (head: the row this warp ends but did not begin; tail: the row it begins and does not
// end), and the fix-up kernel adds them in warp order, so results do not depend on timing.

// The row holding item d: the smallest r with rp[r+1] + r >= d (m when d is past the end).
template <typename I>
__host__ __device__ inline int64_t row_at_item(const I* rp, int64_t m, int64_t d) {
    int64_t lo = 0, hi = m;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (static_cast<int64_t>(rp[mid + 1]) + mid >= d) hi = mid; else lo = mid + 1;
    }
    return lo;
}

// The warps holding row r's first item and its end marker.
template <typename I>
__host__ __device__ inline void row_warps(const I* rp, int64_t r, int64_t ipw, int64_t* w0, int64_t* w1) {
    *w0 = (static_cast<int64_t>(rp[r]) + r) / ipw;
    *w1 = (static_cast<int64_t>(rp[r + 1]) + r) / ipw;
}

// One warp's share of one column tile. `lanes` lanes (a power of two) cover the tile's columns for
// one nonzero (16 bytes each on the vector path, 4 scalars `lanes` apart otherwise); the
// 32 / lanes groups of lanes take different nonzeros of the same row and are summed when the row
// ends, so a narrow B still keeps every lane busy.
template <typename T, typename I, bool VEC>
__global__ void __launch_bounds__(kWarp* kWarpsPerBlock)
    spmm_merge_kernel(int64_t m, int64_t n, int64_t items, int64_t ipw, int lanes, const I* __restrict__ rp,
                      const I* __restrict__ ci, const T* __restrict__ val, const T* __restrict__ b, dense_view bs,
                      T* __restrict__ c, dense_view cs, float alpha, float beta,
                      typename value_traits<T>::acc* __restrict__ head, typename value_traits<T>::acc* __restrict__ tail) {
    using A = typename value_traits<T>::acc;
    constexpr int E = VEC ? vec16<T>::n : 4;
    const int lane = threadIdx.x % kWarp;
    const int64_t w = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarp;
    const int64_t d0 = w * ipw;
    if (d0 >= items) return;  // whole warps leave together
    const int64_t d1 = d0 + ipw < items ? d0 + ipw : items;
    const int groups = kWarp / lanes;
    const int g = lane / lanes, li = lane % lanes;
    const int64_t tile = static_cast<int64_t>(lanes) * E;
    const int64_t col0 = static_cast<int64_t>(blockIdx.y) * tile + (VEC ? li * E : li);

    A acc[E];
#pragma unroll
    for (int e = 0; e < E; ++e) acc[e] = A(0);

    int64_t r = row_at_item(rp, m, d0);
    int64_t k = d0 - r;
    int64_t item = d0;
    bool mid_row = false;
    while (item < d1) {
        const int64_t row_end = rp[r + 1];
        const int64_t kstop = row_end < k + (d1 - item) ? row_end : k + (d1 - item);
        for (int64_t kk = k; kk < kstop; kk += kWarp) {
            const int cnt = kstop - kk < kWarp ? static_cast<int>(kstop - kk) : kWarp;
            int64_t my_col = 0;
            A my_val = A(0);
            if (lane < cnt) {
                my_col = static_cast<int64_t>(ci[kk + lane]);
                my_val = to_acc(val[kk + lane]);
            }
            for (int base = 0; base < cnt; base += groups) {
                const int t = base + g;
                const int64_t col = __shfl_sync(0xffffffffu, my_col, t & (kWarp - 1));
                const A a = __shfl_sync(0xffffffffu, my_val, t & (kWarp - 1));
                if (t >= cnt) continue;
                const T* brow = b + col * bs.s0;
                if (VEC) {
                    if (col0 < n) {
                        vec16<T> x = load16(brow + col0);
#pragma unroll
                        for (int e = 0; e < E; ++e) acc[e] += a * to_acc(x.v[e]);
                    }
                } else {
#pragma unroll
                    for (int e = 0; e < E; ++e) {
                        const int64_t j = col0 + static_cast<int64_t>(e) * lanes;
                        if (j < n) acc[e] += a * to_acc(brow[j * bs.s1]);
                    }
                }
            }
        }
        item += kstop - k;
        k = kstop;
        if (item >= d1) {  // the warp's share ends inside row r, before its end marker
            mid_row = true;
            break;
        }
        // `item` is row r's end marker.
        merge_reduce<A, E>(acc, lanes);
        if (static_cast<int64_t>(rp[r]) + r >= d0) {
            merge_finish<T, VEC, E>(acc, g, col0, lanes, n, c + r * cs.s0, cs.s1, alpha, beta);
        } else {
            merge_park<A, VEC, E>(acc, g, col0, lanes, n, head + w * n);
        }
#pragma unroll
        for (int e = 0; e < E; ++e) acc[e] = A(0);
        ++r;
        ++item;
    }
    if (mid_row) {
        merge_reduce<A, E>(acc, lanes);
        const bool begun_here = static_cast<int64_t>(rp[r]) + r >= d0;
        merge_park<A, VEC, E>(acc, g, col0, lanes, n, (begun_here ? tail : head) + w * n);
    }
}

// Rows that span warps: C[r] = alpha · (tail of the first warp + heads of the later ones) + beta · C[r].
template <typename T, typename I>
__global__ void spmm_fixup_kernel(int64_t m, int64_t n, int64_t ipw, const I* __restrict__ rp, T* __restrict__ c, dense_view cs,
                                  float alpha, float beta, const typename value_traits<T>::acc* __restrict__ head,
                                  const typename value_traits<T>::acc* __restrict__ tail) {
    using A = typename value_traits<T>::acc;
    const int64_t r = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const int lane = threadIdx.x % kWarp;
    if (r >= m) return;
    int64_t w0, w1;
    row_warps(rp, r, ipw, &w0, &w1);
    if (w0 == w1) return;
    for (int64_t j = lane; j < n; j += kWarp) {
        A sum = tail[w0 * n + j];
        for (int64_t w = w0 + 1; w <= w1; ++w) sum += head[w * n + j];
        T* out = c + r * cs.s0 + j * cs.s1;
        A v = A(alpha) * sum;
        if (beta != 0.0f) v += A(beta) * to_acc(*out);
        *out = from_acc<T>(v);
    }
}

int key_bits(int64_t max_value) {
    int bits = 1;
    while (bits < 63 && (int64_t{1} << bits) <= max_value) ++bits;
    return bits;
}

// ---- Aᵀ on the device -------------------------------------------------------------------------

// row_of[k]: the row of entry k; perm[k] = k (the payload the sort by column carries).
template <typename I>
__global__ void row_of_entry_kernel(int64_t m, const I* __restrict__ rp, I* __restrict__ row_of, I* __restrict__ perm) {
    const int64_t w = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const int lane = threadIdx.x % kWarp;
    if (w >= m) return;
    for (int64_t k = static_cast<int64_t>(rp[w]) + lane; k < rp[w + 1]; k += kWarp) {
        row_of[k] = static_cast<I>(w);
        perm[k] = static_cast<I>(k);
    }
}

template <typename I, typename T>
__global__ void gather_kernel(int64_t nnz, const I* __restrict__ perm, const I* __restrict__ row_of,
                              const T* __restrict__ val, I* __restrict__ out_ci, T* __restrict__ out_val) {
    const int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (k >= nnz) return;
    const I src = perm[k];
    out_ci[k] = row_of[src];
    out_val[k] = val[src];
}

// out_rp[j] = first position of column j in the column-sorted keys (a binary search per column).
template <typename I>
__global__ void ptr_from_sorted_kernel(int64_t cols, int64_t nnz, const I* __restrict__ keys, I* __restrict__ out_rp) {
    const int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (j > cols) return;
    int64_t lo = 0, hi = nnz;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (static_cast<int64_t>(keys[mid]) < j) lo = mid + 1; else hi = mid;
    }
    out_rp[j] = static_cast<I>(lo);
}

unsigned blocks_for(int64_t threads, int per_block) { return static_cast<unsigned>((threads + per_block - 1) / per_block); }

template <typename I, typename T>
s4j_status transpose(Workspace& ws, cudaStream_t s, const s4j_csr* a, s4j_csr* t) {
    const int64_t m = a->rows, cols = a->cols, nnz = a->nnz;
    I *row_of, *keys_sorted, *perm, *perm_sorted, *out_rp, *out_ci;
    T* out_val;
    S4J_TRY(ws.take(nnz, &row_of));
    S4J_TRY(ws.take(nnz, &keys_sorted));
    S4J_TRY(ws.take(nnz, &perm));
    S4J_TRY(ws.take(nnz, &perm_sorted));
    S4J_TRY(ws.take(cols + 1, &out_rp));
    S4J_TRY(ws.take(nnz, &out_ci));
    S4J_TRY(ws.take(nnz, &out_val));
    if (nnz > 0) {
        row_of_entry_kernel<I><<<blocks_for(m * kWarp, 256), 256, 0, s>>>(m, static_cast<const I*>(a->row_ptr), row_of, perm);
        S4J_CUDA_LAUNCHED("row_of_entry_kernel");
        const I* keys = static_cast<const I*>(a->col_idx);
        size_t bytes = 0;
        S4J_CUDA_TRY(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keys, keys_sorted, perm, perm_sorted, nnz, 0,
                                                     key_bits(cols), s));
        char* tmp;
        S4J_TRY(ws.take(static_cast<int64_t>(bytes), &tmp));
        S4J_CUDA_TRY(cub::DeviceRadixSort::SortPairs(tmp, bytes, keys, keys_sorted, perm, perm_sorted, nnz, 0,
                                                     key_bits(cols), s));
        gather_kernel<I, T><<<blocks_for(nnz, 256), 256, 0, s>>>(nnz, perm_sorted, row_of, static_cast<const T*>(a->values),
                                                                 out_ci, out_val);
        S4J_CUDA_LAUNCHED("gather_kernel");
    }
    ptr_from_sorted_kernel<I><<<blocks_for(cols + 1, 256), 256, 0, s>>>(cols, nnz, keys_sorted, out_rp);
    S4J_CUDA_LAUNCHED("ptr_from_sorted_kernel");
    *t = *a;
    t->max_row_nnz = 0;  // A's longest row says nothing of Aᵀ's
    t->rows = cols;
    t->cols = m;
    t->row_ptr = out_rp;
    t->col_idx = out_ci;
    t->values = out_val;
    return S4J_OK;
}

// op(A): A itself, or its transpose built in the workspace (then *out points at t).
template <typename I, typename T>
s4j_status op_a(Workspace& ws, cudaStream_t s, int32_t trans, const s4j_csr* a, s4j_csr* t, const s4j_csr** out) {
    *out = a;
    if (!trans) return S4J_OK;
    S4J_TRY((transpose<I, T>(ws, s, a, t)));
    *out = t;
    return S4J_OK;
}

template <typename T>
bool aligned16(const void* p) {
    return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

// B and C rows that a lane can read and write 16 bytes at a time: unit column stride, 16-byte
// aligned rows, N a multiple of the vector.
template <typename T>
bool vec_layout(const s4j_dense* b, const s4j_dense* c, int64_t m, int64_t n) {
    return rows_vec16<T>(b, b->shape[0], n) && rows_vec16<T>(c, m, n);
}


template <typename T, typename I>
s4j_status spmv_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a0, const s4j_dense* x, float beta,
                      s4j_dense* y, bool vec_only = false);

template <typename T, typename I>
s4j_status merge_spmm(Workspace& ws, cudaStream_t s, float alpha, const s4j_csr* a, const s4j_dense* b, float beta, s4j_dense* c);

// A rank-2 operand with one column seen as a vector.
s4j_dense column(const s4j_dense* d) {
    s4j_dense v = *d;
    v.rank = 1;
    return v;
}

template <typename T, typename I>
s4j_status spmm_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a0, const s4j_dense* b, float beta,
                      s4j_dense* c) {
    const int64_t m = c->shape[0], n = c->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    if (n == 1) {  // one column (batch-1 decoding): the SpMV kernel
        s4j_dense x = column(b), y = column(c);
        return spmv_typed<T, I>(env, trans, alpha, a0, &x, beta, &y);
    }
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    s4j_csr at;
    const s4j_csr* a = a0;
    S4J_TRY((op_a<I, T>(ws, s, trans, a0, &at, &a)));
    return merge_spmm<T, I>(ws, s, alpha, a, b, beta, c);
}

// C = alpha · A · B + beta · C by the merge-path kernel (any N, any layout; N = 1 is an SpMV).
template <typename T, typename I>
s4j_status merge_spmm(Workspace& ws, cudaStream_t s, float alpha, const s4j_csr* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const int64_t m = c->shape[0], n = c->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    const I* rp = static_cast<const I*>(a->row_ptr);
    constexpr int E = vec16<T>::n;
    const dense_view bs{b->strides[0], b->strides[1]}, cs{c->strides[0], c->strides[1]};
    const bool vec = vec_layout<T>(b, c, m, n);
    // Lanes per nonzero: enough to cover N (up to the whole warp), the rest of the warp takes other
    // nonzeros of the row. Column tiles cover what one warp does not.
    const int64_t per_lane = vec ? E : 4;
    int lanes = 1;
    while (lanes < kWarp && lanes * per_lane < n) lanes *= 2;
    const int64_t tile = lanes * per_lane;
    const int64_t tiles = (n + tile - 1) / tile;
    if (tiles > 65535) return fail(S4J_UNSUPPORTED, "spmm (cuda): %lld output columns is more than this kernel covers", (long long)n);
    // Items per warp: about 64 warps per SM over all column tiles, at least 32 items each. The
    // partial-sum slots (two rows of N per warp) stay small because the warp count is bounded.
    const int64_t items = a->nnz + m;
    const int64_t target = static_cast<int64_t>(sm_count()) * 64 / tiles + 1;
    int64_t ipw = (items + target - 1) / target;
    if (ipw < 32) ipw = 32;
    const int64_t warps = (items + ipw - 1) / ipw;
    if ((warps + kWarpsPerBlock - 1) / kWarpsPerBlock > 0x7fffffff)
        return fail(S4J_UNSUPPORTED, "spmm (cuda): %lld nonzeros is more than this kernel covers", (long long)a->nnz);
    using Acc = typename value_traits<T>::acc;
    Acc *head, *tail;
    S4J_TRY(ws.take(warps * n, &head));
    S4J_TRY(ws.take(warps * n, &tail));
    dim3 grid(blocks_for(warps, kWarpsPerBlock), static_cast<unsigned>(tiles));
    const T* bv = static_cast<const T*>(b->data);
    T* cv = static_cast<T*>(c->data);
    const I* ci = static_cast<const I*>(a->col_idx);
    const T* av = static_cast<const T*>(a->values);
    if (vec)
        spmm_merge_kernel<T, I, true><<<grid, kWarp * kWarpsPerBlock, 0, s>>>(m, n, items, ipw, lanes, rp, ci, av, bv, bs, cv, cs,
                                                                             alpha, beta, head, tail);
    else
        spmm_merge_kernel<T, I, false><<<grid, kWarp * kWarpsPerBlock, 0, s>>>(m, n, items, ipw, lanes, rp, ci, av, bv, bs, cv, cs,
                                                                              alpha, beta, head, tail);
    S4J_CUDA_LAUNCHED("spmm_merge_kernel");
    if (warps > 1) {
        spmm_fixup_kernel<T, I><<<blocks_for(m * kWarp, 256), 256, 0, s>>>(m, n, ipw, rp, cv, cs, alpha, beta, head, tail);
        S4J_CUDA_LAUNCHED("spmm_fixup_kernel");
    }
    return S4J_OK;
}

// ---- SpMM: a warp per row, for short rows (below the row-block kernel's density) ---------------
//
// With a few nonzeros a row (density .01 and below at K = 8192), the merge-path kernel's warps walk
// their nonzeros one B row at a time, each a trip to L2. Here a warp owns one row of A and 32 · 2
// 16-byte vectors of C's row (256 fp32 or 512 fp16/bf16 columns), reads the row's (column, value)
// pairs 32 at a time, and loads the B rows of kRowsGroup nonzeros before using them, so eight loads
// per lane are in flight. No partial sums cross warps: C is written once, with alpha and beta.
// Rows must be short and even: the matrix's row-length hint (max_row_nnz) must be known and not far
// above the mean, or one warp would carry a long row alone (the merge-path kernel shares those).
constexpr int kRowsWarps = 8;      // rows (one a warp) per block
constexpr int kRowsVecs = 2;       // 16-byte vectors of C per lane
constexpr int kRowsGroup = 4;      // nonzeros whose B rows are loaded together
constexpr int kRowsMaxMean = 128;  // longest mean row length taken

template <typename T, typename I>
__global__ void __launch_bounds__(kRowsWarps* kWarp)
    spmm_rows_kernel(int64_t m, int64_t n, const I* __restrict__ rp, const I* __restrict__ ci, const T* __restrict__ val,
                     const T* __restrict__ b, int64_t ldb, T* __restrict__ c, int64_t ldc, float alpha, float beta) {
    constexpr int E = vec16<T>::n;
    const int lane = threadIdx.x % kWarp;
    const int64_t r = static_cast<int64_t>(blockIdx.x) * kRowsWarps + threadIdx.x / kWarp;
    if (r >= m) return;
    const int64_t beg = rp[r], end = rp[r + 1];  // 64-bit: base + 32 may pass 2^31 - 1 with int32 indices
    if (beg == end && beta == 1.0f) return;     // C's row stays as it is (a plan's remainder adds this way)
    const int64_t tile0 = static_cast<int64_t>(blockIdx.y) * (kWarp * kRowsVecs * E);
    int64_t col[kRowsVecs];  // this lane's vectors: coalesced across the warp, one B row per vector index
    bool in[kRowsVecs];
#pragma unroll
    for (int v = 0; v < kRowsVecs; ++v) {
        col[v] = tile0 + static_cast<int64_t>(v * kWarp + lane) * E;
        in[v] = col[v] < n;
    }
    float acc[kRowsVecs][E];
#pragma unroll
    for (int v = 0; v < kRowsVecs; ++v)
#pragma unroll
        for (int e = 0; e < E; ++e) acc[v][e] = 0.0f;
    for (int64_t base = beg; base < end; base += kWarp) {
        const int64_t p = base + lane;
        const I kc = p < end ? ci[p] : I(0);
        const float av = p < end ? to_acc(val[p]) : 0.0f;
        const int cnt = end - base < kWarp ? static_cast<int>(end - base) : kWarp;
        for (int t = 0; t < cnt; t += kRowsGroup) {
            vec16<T> x[kRowsGroup][kRowsVecs];
            float a[kRowsGroup];
#pragma unroll
            for (int u = 0; u < kRowsGroup; ++u) {  // every load of the group first, then the products
                const int src = (t + u) & (kWarp - 1);
                const I k = __shfl_sync(0xffffffffu, kc, src);
                a[u] = __shfl_sync(0xffffffffu, av, src);
                const bool live = t + u < cnt;
                if (!live) a[u] = 0.0f;
#pragma unroll
                for (int v = 0; v < kRowsVecs; ++v) {
                    if (live && in[v]) x[u][v] = load16(b + static_cast<int64_t>(k) * ldb + col[v]);
                    else memset(&x[u][v], 0, sizeof(x[u][v]));
                }
            }
#pragma unroll
            for (int u = 0; u < kRowsGroup; ++u)
#pragma unroll
                for (int v = 0; v < kRowsVecs; ++v)
#pragma unroll
                    for (int e = 0; e < E; ++e) acc[v][e] += a[u] * to_acc(x[u][v].v[e]);
        }
    }
#pragma unroll
    for (int v = 0; v < kRowsVecs; ++v) {
        if (!in[v]) continue;
        T* out = c + r * ldc + col[v];
        vec16<T> o, old;
        if (beta != 0.0f) old = load16(out);
#pragma unroll
        for (int e = 0; e < E; ++e) {
            float y = alpha * acc[v][e];
            if (beta != 0.0f) y += beta * to_acc(old.v[e]);
            o.v[e] = from_acc<T>(y);
        }
        store16(out, o);
    }
}

template <typename T, typename I>
s4j_status spmm_rows_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                           s4j_dense* c) {
    const int64_t m = c->shape[0], n = c->shape[1];
    if (m == 0 || n == 0) return S4J_OK;
    // Aᵀ's row lengths are A's column counts, which the hint does not give.
    if (trans || n < 64 || !vec_layout<T>(b, c, m, n) || a->max_row_nnz <= 0) return kDeclined;
    const double mean = static_cast<double>(a->nnz) / static_cast<double>(m);
    if (mean > kRowsMaxMean || static_cast<double>(a->max_row_nnz) > 4.0 * mean + kWarp) return kDeclined;
    constexpr int64_t cols = kWarp * kRowsVecs * vec16<T>::n;
    const int64_t row_blocks = (m + kRowsWarps - 1) / kRowsWarps, col_tiles = (n + cols - 1) / cols;
    if (row_blocks > 0x7fffffff || col_tiles > 65535) return kDeclined;
    cudaStream_t s = stream_of(env);
    dim3 grid(static_cast<unsigned>(row_blocks), static_cast<unsigned>(col_tiles));
    spmm_rows_kernel<T, I><<<grid, kRowsWarps * kWarp, 0, s>>>(m, n, static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx),
                                                               static_cast<const T*>(a->values), static_cast<const T*>(b->data),
                                                               b->strides[0], static_cast<T*>(c->data), m > 1 ? c->strides[0] : n, alpha,
                                                               beta);
    S4J_CUDA_LAUNCHED("spmm_rows_kernel");
    return S4J_OK;
}

// ---- SpMM: row blocks with B chunks in shared memory (the default for wide N) ------------------
//
// A warp's loads of B rows go to L2 for every nonzero on the merge-path kernel: at N = 256 fp32 that
// is 1 KiB per nonzero, and L2 bandwidth is the limit. Here a block owns 128 rows of A (8 or 16 a
// warp, rb_shape) and 128 output columns (4 a lane, fp32 accumulators in registers). It sweeps its K
// range in chunks of kChunkK rows of B: each chunk's 128 columns are copied once into shared memory
// (cp.async, double-buffered, so the next chunk streams in while this one is used), and every row of
// the block multiplies its nonzeros in the chunk against it. A B row brought from L2 then serves every
// row of the block that uses it, and each nonzero costs one shared-memory read per lane. Rows keep
// a cursor into their sorted column indices, so a chunk visits only the nonzeros it holds.
//
// Shared-memory traffic bounds this kernel (two shuffles and a 16-byte read per lane and nonzero),
// and its latency the sparser cases. For fp32, two blocks of 16 warps of 8 rows per SM (64 registers
// a thread), taking a row's nonzeros in a chunk four at a time (predicated, so four reads are in
// flight), hid it best; fp16/bf16 rows, with half the bytes per read, ran faster on the H100 as 8
// warps of 16 rows (128 registers) with a plain loop (rb_shape). K is split across blocks, with fp32
// partial sums that a second kernel adds in split order (deterministic), by the count that fills
// whole waves of resident blocks.
//
// It declines (the merge-path kernel runs) where it cannot win or cannot run: fp64, fewer than 64
// output columns, B or C rows that are not whole 16-byte vectors, A so sparse that a B row copied
// into a block would serve only a few of its nonzeros, and rows so uneven (by the matrix's row-length
// hint) that one warp would hold every chunk's barrier (rowblock_takes).
constexpr int kRbRows = 128;       // rows of A per block
constexpr int kRbCols = kWarp * 4;  // output columns per block
constexpr int kChunkK = 64;         // rows of B per shared-memory chunk
constexpr int kRbGroup = 4;         // nonzeros of a row taken at once on the grouped loop

// Warps per block and whether a row's nonzeros in a chunk go in predicated groups of kRbGroup.
template <typename T>
struct rb_shape {
    static constexpr int warps = 16;
    static constexpr bool grouped = true;
};
template <>
struct rb_shape<__half> {
    static constexpr int warps = 8;
    static constexpr bool grouped = false;
};
template <>
struct rb_shape<__nv_bfloat16> : rb_shape<__half> {};

// Four consecutive values of T (16 bytes of fp32, 8 of fp16/bf16).
template <typename T>
struct alignas(4 * sizeof(T)) quad {
    T v[4];
};

// Copies rows [k0, k0 + kChunkK) ∩ [k0, kend) of B, columns [c0, c0 + kRbCols) ∩ [c0, n), into a chunk
// buffer (kChunkK rows of kRbCols values), 16 bytes per copy.
template <typename T>
__device__ __forceinline__ void rb_load_chunk(T* buf, const T* __restrict__ b, int64_t ldb, int64_t k0, int64_t kend, int64_t c0,
                                              int64_t n) {
    constexpr int per_row = kRbCols * sizeof(T) / 16;  // 16-byte pieces per chunk row
    constexpr int E = 16 / sizeof(T);
    for (int t = threadIdx.x; t < kChunkK * per_row; t += rb_shape<T>::warps * kWarp) {
        const int rr = t / per_row, pc = t % per_row;
        const int64_t k = k0 + rr, col = c0 + static_cast<int64_t>(pc) * E;
        if (k < kend && col < n) cp_async16(buf + rr * kRbCols + pc * E, b + k * ldb + col);
    }
}

// Row q's window: lane t gets the row's entry at cursor + t, its column as an offset from the chunk's
// first row k0 (32 bits for either index type; INT_MAX beyond the row or past 2^31) and its value.
// Lane q holds row q's cursor and end; the cursor is never before k0.
template <typename T, typename I>
__device__ __forceinline__ void rb_window(int q, I cur, I end, const I* __restrict__ ci, const T* __restrict__ val, int64_t k0,
                                          int& wc, float& wv) {
    // Unsigned positions: cursor + lane may pass 2^31 - 1 when nnz is within a warp of it, but not
    // 2^32 (cursor and end are non-negative).
    using U = std::make_unsigned_t<I>;
    const U p = static_cast<U>(__shfl_sync(0xffffffffu, cur, q)) + static_cast<U>(threadIdx.x % kWarp);
    const U e = static_cast<U>(__shfl_sync(0xffffffffu, end, q));
    if constexpr (sizeof(I) == 4) {  // columns and k0 are below 2^31
        wc = p < e ? static_cast<int>(ci[p]) - static_cast<int>(k0) : 0x7fffffff;
    } else {
        const int64_t off = p < e ? static_cast<int64_t>(ci[p]) - k0 : int64_t{0x7fffffff};
        wc = off < 0x7fffffff ? static_cast<int>(off) : 0x7fffffff;
    }
    wv = p < e ? to_acc(val[p]) : 0.0f;
}

// Writes four columns of C: alpha · sum + beta · C (C is not read when beta is 0).
template <typename T>
__device__ __forceinline__ void rb_store(T* out, const float (&sum)[4], float alpha, float beta) {
    quad<T> o, old;
    if (beta != 0.0f) old = *reinterpret_cast<const quad<T>*>(out);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
        float v = alpha * sum[j];
        if (beta != 0.0f) v += beta * to_acc(old.v[j]);
        o.v[j] = from_acc<T>(v);
    }
    *reinterpret_cast<quad<T>*>(out) = o;
}

// acc += the cnt window entries (lane t: B row offset wo in quads, value wv) times their chunk rows.
template <typename T, bool GROUPED>
__device__ __forceinline__ void rb_row_chunk(float (&acc)[4], int cnt, int wo, float wv, const quad<T>* __restrict__ tile) {
    if constexpr (GROUPED) {
        for (int t = 0; t < cnt; t += kRbGroup) {
#pragma unroll
            for (int u = 0; u < kRbGroup; ++u) {
                if (t + u < cnt) {
                    const int o = __shfl_sync(0xffffffffu, wo, t + u);
                    const float a = __shfl_sync(0xffffffffu, wv, t + u);
                    const quad<T> x = tile[o];
#pragma unroll
                    for (int j = 0; j < 4; ++j) acc[j] += a * to_acc(x.v[j]);
                }
            }
        }
    } else {
#pragma unroll 4
        for (int t = 0; t < cnt; ++t) {
            const int o = __shfl_sync(0xffffffffu, wo, t);
            const float a = __shfl_sync(0xffffffffu, wv, t);
            const quad<T> x = tile[o];
#pragma unroll
            for (int j = 0; j < 4; ++j) acc[j] += a * to_acc(x.v[j]);
        }
    }
}

// part == nullptr: C = alpha · A[rows, K range] · B + beta · C. Otherwise the block writes its fp32
// sums to part[split][row][col] (split = blockIdx.z) for rb_reduce_kernel.
template <typename T, typename I>
__global__ void __launch_bounds__(rb_shape<T>::warps* kWarp, 2)
    spmm_rowblock_kernel(int64_t m, int64_t n, int64_t kdim, int64_t k_per_split, const I* __restrict__ rp, const I* __restrict__ ci,
                         const T* __restrict__ val, const T* __restrict__ b, int64_t ldb, T* __restrict__ c, int64_t ldc, float alpha,
                         float beta, float* __restrict__ part) {
    constexpr int kRbRowsPerWarp = kRbRows / rb_shape<T>::warps;
    extern __shared__ __align__(16) unsigned char rb_smem[];
    T* const chunk0 = reinterpret_cast<T*>(rb_smem);  // buffer i starts at chunk0 + i · kChunkK · kRbCols
    const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
    const int64_t c0 = static_cast<int64_t>(blockIdx.y) * kRbCols;
    const int64_t col = c0 + lane * 4;
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kRbRows + warp * kRbRowsPerWarp;
    const int64_t kbeg = static_cast<int64_t>(blockIdx.z) * k_per_split;
    const int64_t kend = kbeg + k_per_split < kdim ? kbeg + k_per_split : kdim;

    // Lane q holds row q's cursor (its first nonzero at a column >= kbeg, found by a binary search)
    // and its end; the warp reads them with shuffles.
    I my_cur = 0, my_end = 0;
    {
        const int64_t r = row0 + lane;
        if (lane < kRbRowsPerWarp && r < m) {
            I lo = rp[r], hi = rp[r + 1];
            my_end = hi;
            if (kbeg > 0) {
                while (lo < hi) {
                    const I mid = lo + (hi - lo) / 2;
                    if (static_cast<int64_t>(ci[mid]) < kbeg) lo = mid + 1; else hi = mid;
                }
            }
            my_cur = lo;
        }
    }
    float acc[kRbRowsPerWarp][4];
#pragma unroll
    for (int q = 0; q < kRbRowsPerWarp; ++q)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[q][e] = 0.0f;

    const int64_t chunks = (kend - kbeg + kChunkK - 1) / kChunkK;
    if (chunks > 0) rb_load_chunk<T>(chunk0, b, ldb, kbeg, kend, c0, n);
    cp_async_commit();
    for (int64_t ch = 0; ch < chunks; ++ch) {
        const int64_t k0 = kbeg + ch * kChunkK;
        const int klen = static_cast<int>((k0 + kChunkK < kend ? k0 + kChunkK : kend) - k0);
        // Each row's next 32 (column, value) pairs, one per lane, all rows' loads in flight at once.
        int wcol[kRbRowsPerWarp];
        float wval[kRbRowsPerWarp];
#pragma unroll
        for (int q = 0; q < kRbRowsPerWarp; ++q) rb_window<T, I>(q, my_cur, my_end, ci, val, k0, wcol[q], wval[q]);
        if (ch + 1 < chunks) {
            rb_load_chunk<T>(chunk0 + ((ch + 1) & 1) * (kChunkK * kRbCols), b, ldb, k0 + kChunkK, kend, c0, n);
            cp_async_commit();
            cp_async_wait<1>();
        } else {
            cp_async_wait<0>();
        }
        __syncthreads();
        const quad<T>* tile = reinterpret_cast<const quad<T>*>(chunk0 + (ch & 1) * (kChunkK * kRbCols)) + lane;
#pragma unroll
        for (int q = 0; q < kRbRowsPerWarp; ++q) {
            // Columns are sorted, so the window's entries inside this chunk are a prefix of it.
            int wc = wcol[q];
            float wv = wval[q];
            for (;;) {
                const bool in = wc < klen;
                const int cnt = __popc(__ballot_sync(0xffffffffu, in));
                const int wo = in ? wc * kWarp : 0;  // the entry's B row in the chunk, in quads
                rb_row_chunk<T, rb_shape<T>::grouped>(acc[q], cnt, wo, wv, tile);
                if (lane == q) my_cur += cnt;
                if (cnt < kWarp) break;
                // The whole window fell inside the chunk: the row may have more there (dense rows).
                rb_window<T, I>(q, my_cur, my_end, ci, val, k0, wc, wv);
            }
        }
        __syncthreads();  // the buffer just read is the one the next iteration's copies fill
    }
    if (col >= n) return;
#pragma unroll
    for (int q = 0; q < kRbRowsPerWarp; ++q) {
        const int64_t r = row0 + q;
        if (r >= m) continue;
        if (part != nullptr)
            *reinterpret_cast<float4*>(part + (static_cast<int64_t>(blockIdx.z) * m + r) * n + col) =
                make_float4(acc[q][0], acc[q][1], acc[q][2], acc[q][3]);
        else
            rb_store(c + r * ldc + col, acc[q], alpha, beta);
    }
}

// C = alpha · (the splits' partial sums, added in split order) + beta · C; 4 columns a thread.
template <typename T>
__global__ void rb_reduce_kernel(int64_t m, int64_t n, int64_t splits, const float* __restrict__ part, T* __restrict__ c, int64_t ldc,
                                 float alpha, float beta) {
    const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const int64_t quads = n / 4;
    if (t >= m * quads) return;
    const int64_t r = t / quads, col = (t % quads) * 4;
    float4 s = *reinterpret_cast<const float4*>(part + r * n + col);
    for (int64_t k = 1; k < splits; ++k) {
        const float4 v = *reinterpret_cast<const float4*>(part + (k * m + r) * n + col);
        s.x += v.x;
        s.y += v.y;
        s.z += v.z;
        s.w += v.w;
    }
    const float sum[4] = {s.x, s.y, s.z, s.w};
    rb_store(c + r * ldc + col, sum, alpha, beta);
}

// Whether the row-block kernel takes these operands. max_row_nnz: the longest row of op(A), 0 when
// not known.
template <typename T>
bool rowblock_takes(int64_t m, int64_t n, int64_t kdim, int64_t nnz, int64_t max_row_nnz, const s4j_dense* b, const s4j_dense* c) {
    constexpr int64_t E = 16 / sizeof(T);
    if (n < 64 || n % E != 0 || kdim == 0 || m == 0) return false;
    if (b->strides[1] != 1 || c->strides[1] != 1 || b->strides[0] % E != 0 || (m > 1 && c->strides[0] % 4 != 0)) return false;
    if (!aligned16<T>(b->data) || reinterpret_cast<uintptr_t>(c->data) % (4 * sizeof(T)) != 0) return false;
    // Expected uses of a B row copied into a block: rows per block × density. The copies pay off
    // only when each serves several nonzeros: on the H100 the row-block kernel won from density .05
    // (5 uses of a 16-byte fp32 row) and, for fp16/bf16, from .1 (10 uses of an 8-byte row); below,
    // the merge-path kernel's direct reads from L2 are faster.
    const double density = static_cast<double>(nnz) / (static_cast<double>(m) * static_cast<double>(kdim));
    const double min_uses = sizeof(T) == 4 ? 5.0 : 10.0;
    if (density * kRbRows < min_uses) return false;
    // A row four times the mean length makes its warp's share of each chunk several times the
    // others', and every warp of the block waits at the chunk's barrier; such a row in a block
    // slowed the whole product down more than the merge-path kernel's L2 reads cost (power-law rows).
    const double mean = static_cast<double>(nnz) / static_cast<double>(m);
    if (max_row_nnz > 0 && static_cast<double>(max_row_nnz) > 4.0 * mean + kRbGroup) return false;
    return true;
}

// K splits: the count whose blocks fill whole waves of resident blocks best, each split costing a
// little more (its partial sums are written and read again); at least 4 chunks a split, at most 16.
// Only products of under two waves are split: beyond that the last wave's share of the time is
// small, and the fp32 partial sums (splits × M × N) would grow to several times C.
int64_t rowblock_splits(int64_t blocks, int64_t slots, int64_t kdim) {
    if (blocks >= 2 * slots) return 1;
    int64_t max_splits = (kdim + 4 * kChunkK - 1) / (4 * kChunkK);
    if (max_splits > 16) max_splits = 16;
    int64_t best_splits = 1;
    double best = 1e300;
    for (int64_t s = 1; s <= max_splits; ++s) {
        const double waves = static_cast<double>((blocks * s + slots - 1) / slots) / static_cast<double>(s);
        const double cost = waves * (s > 1 ? 1.0 + 0.03 * static_cast<double>(s) : 1.0);
        if (cost < best - 1e-12) {
            best = cost;
            best_splits = s;
        }
    }
    return best_splits;
}

template <typename T, typename I>
s4j_status spmm_rowblock_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a0, const s4j_dense* b, float beta,
                               s4j_dense* c) {
    const int64_t m = c->shape[0], n = c->shape[1];
    const int64_t kdim = b->shape[0];
    if (m == 0 || n == 0) return S4J_OK;
    // The hint describes A's rows; Aᵀ's rows are A's columns, whose lengths it does not give.
    if (!rowblock_takes<T>(m, n, kdim, a0->nnz, trans ? 0 : a0->max_row_nnz, b, c)) return kDeclined;
    const int64_t row_blocks = (m + kRbRows - 1) / kRbRows, col_tiles = (n + kRbCols - 1) / kRbCols;
    if (row_blocks > 0x7fffffff || col_tiles > 65535) return kDeclined;
    constexpr size_t smem = 2 * kChunkK * kRbCols * sizeof(T);
    if (smem > 48 * 1024) {  // above the default limit: opt in, once per device
        static std::atomic<uint64_t> opted{0};
        const uint64_t bit = uint64_t{1} << (env.device_index & 63);
        if (!(opted.load() & bit)) {
            S4J_CUDA_TRY(cudaFuncSetAttribute(spmm_rowblock_kernel<T, I>, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
            opted.fetch_or(bit);
        }
    }
    static const int per_sm = [] {  // resident blocks per SM (like sm_count, read once)
        int v = 0;
        return cudaOccupancyMaxActiveBlocksPerMultiprocessor(&v, spmm_rowblock_kernel<T, I>, rb_shape<T>::warps * kWarp, smem) == cudaSuccess && v > 0
                   ? v
                   : 1;
    }();
    const int64_t splits = rowblock_splits(row_blocks * col_tiles, static_cast<int64_t>(per_sm) * sm_count(), kdim);
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    s4j_csr at;
    const s4j_csr* a = a0;
    S4J_TRY((op_a<I, T>(ws, s, trans, a0, &at, &a)));
    int64_t k_per_split = (kdim + splits - 1) / splits;
    k_per_split = (k_per_split + kChunkK - 1) / kChunkK * kChunkK;
    int64_t used = (kdim + k_per_split - 1) / k_per_split;
    float* part = nullptr;
    if (used > 1 && ws.take(used * m * n, &part) != S4J_OK) {  // no room for partial sums: one split
        k_per_split = kdim;
        used = 1;
        part = nullptr;
    }
    dim3 grid(static_cast<unsigned>(row_blocks), static_cast<unsigned>(col_tiles), static_cast<unsigned>(used));
    spmm_rowblock_kernel<T, I><<<grid, rb_shape<T>::warps * kWarp, smem, s>>>(
        m, n, kdim, k_per_split, static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx), static_cast<const T*>(a->values),
        static_cast<const T*>(b->data), b->strides[0], static_cast<T*>(c->data), m > 1 ? c->strides[0] : n, alpha, beta, part);
    S4J_CUDA_LAUNCHED("spmm_rowblock_kernel");
    if (used > 1) {
        rb_reduce_kernel<T><<<blocks_for(m * (n / 4), 256), 256, 0, s>>>(m, n, used, part, static_cast<T*>(c->data),
                                                                          m > 1 ? c->strides[0] : n, alpha, beta);
        S4J_CUDA_LAUNCHED("rb_reduce_kernel");
    }
    return S4J_OK;
}

// ---- SpMV: G lanes per row (G a power of two near the mean row length), shuffle reduction ------

template <typename T, typename I, int G>
__global__ void spmv_kernel(int64_t m, const I* __restrict__ rp, const I* __restrict__ ci, const T* __restrict__ val,
                            const T* __restrict__ x, int64_t xs, T* __restrict__ y, int64_t ys, float alpha, float beta) {
    using A = typename value_traits<T>::acc;
    const int64_t g = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / G;
    const int lane = threadIdx.x % G;
    if (g >= m) return;  // whole groups leave together: G divides the warp
    A acc = A(0);
    for (int64_t k = static_cast<int64_t>(rp[g]) + lane; k < rp[g + 1]; k += G) acc += to_acc(val[k]) * to_acc(x[static_cast<int64_t>(ci[k]) * xs]);
#pragma unroll
    for (int off = G / 2; off > 0; off /= 2) acc += __shfl_down_sync(0xffffffffu, acc, off, G);
    if (lane == 0) {
        A v = A(alpha) * acc;
        if (beta != 0.0f) v += A(beta) * to_acc(y[g * ys]);
        y[g * ys] = from_acc<T>(v);
    }
}

// Long rows (one to four warps a row): the row's entries are read as 16-byte vectors of indices (4 int32
// or 2 int64) with the matching values, kSpmvDepth vectors a lane in flight, so each lane keeps
// several loads of A outstanding instead of one 4-byte and one 2-byte load per round trip. The
// entries before the first 16-byte boundary and after the last one are taken one by one.
constexpr int kSpmvDepth = 4;

// W warps share a row (W a power of two up to 8): warp p of the row takes the row's rounds of
// kSpmvDepth · 32 vectors numbered p, p + W, ..., warp 0 also the head and tail, and the row's
// warps add their sums in warp order through shared memory.
template <typename T, typename I, int W>
__global__ void __launch_bounds__(256)
    spmv_vec_kernel(int64_t m, const I* __restrict__ rp, const I* __restrict__ ci, const T* __restrict__ val, const T* __restrict__ x,
                    int64_t xs, T* __restrict__ y, int64_t ys, float alpha, float beta) {
    using A = typename value_traits<T>::acc;
    constexpr int V = 16 / sizeof(I);  // entries per vector
    struct alignas(16) ivec { I v[V]; };
    struct alignas(V * sizeof(T)) tvec { T v[V]; };
    static_assert(W == 1 || W == 2 || W == 4 || W == 8, "a power of two of the block's 8 warps");
    __shared__ A s_part[256 / kWarp];
    const int warp = threadIdx.x / kWarp, part = warp % W;
    const int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / (kWarp * W);
    const int lane = threadIdx.x % kWarp;
    A acc = A(0);
    if (row < m) {
        const int64_t s = rp[row], e = rp[row + 1];
        int64_t a = (s + V - 1) / V * V;  // the first vector boundary
        if (a > e) a = e;
        const int64_t vecs = (e - a) / V, tail = a + vecs * V;
        if (part == 0) {
            // Head (before a) and tail (from tail on): at most V - 1 entries each, one per lane.
            const int64_t k = lane < V ? s + lane : tail + (lane - V);
            if ((lane < V && k < a) || (lane >= V && lane < 2 * V && k < e)) acc += to_acc(val[k]) * to_acc(x[static_cast<int64_t>(ci[k]) * xs]);
        }
        const ivec* iv = reinterpret_cast<const ivec*>(ci + a);
        const tvec* tv = reinterpret_cast<const tvec*>(val + a);
        for (int64_t t0 = lane + static_cast<int64_t>(part) * kSpmvDepth * kWarp; t0 < vecs; t0 += W * kSpmvDepth * kWarp) {
            ivec idx[kSpmvDepth];
            tvec w[kSpmvDepth];
#pragma unroll
            for (int u = 0; u < kSpmvDepth; ++u) {  // all of A's loads first, so they are in flight together
                const int64_t t = t0 + static_cast<int64_t>(u) * kWarp;
                if (t < vecs) {
                    idx[u] = iv[t];
                    w[u] = tv[t];
                }
            }
#pragma unroll
            for (int u = 0; u < kSpmvDepth; ++u) {
                if (t0 + static_cast<int64_t>(u) * kWarp < vecs) {
#pragma unroll
                    for (int j = 0; j < V; ++j) acc += to_acc(w[u].v[j]) * to_acc(x[static_cast<int64_t>(idx[u].v[j]) * xs]);
                }
            }
        }
    }
#pragma unroll
    for (int off = kWarp / 2; off > 0; off /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if constexpr (W > 1) {
        if (lane == 0) s_part[warp] = acc;
        __syncthreads();
        if (part != 0 || lane != 0) return;
        acc = s_part[warp];
#pragma unroll
        for (int q = 1; q < W; ++q) acc += s_part[warp + q];
    }
    if (lane == 0 && row < m) {
        A v = A(alpha) * acc;
        if (beta != 0.0f) v += A(beta) * to_acc(y[row * ys]);
        y[row * ys] = from_acc<T>(v);
    }
}

// Whether A's arrays allow the vector kernel: 16-byte aligned indices, values aligned to one
// vector's worth of T.
template <typename T, typename I>
bool spmv_vec_layout(const s4j_csr* a) {
    constexpr uintptr_t V = 16 / sizeof(I);
    return reinterpret_cast<uintptr_t>(a->col_idx) % 16 == 0 && reinterpret_cast<uintptr_t>(a->values) % (V * sizeof(T)) == 0;
}
// Whether the vector kernel takes A (rows long enough for the G = 32 kernel): A's index and value
// arrays larger than L2, and the layout above. On the H100 the vector kernel was 3-8% faster than
// the lane-strided one when A streamed from memory (fp16 at density .2-.5 of 4096-11008 columns)
// and up to 25% slower when A stayed in L2 between calls: there the lane-strided kernel's
// neighbouring lanes gather neighbouring entries of x, four times fewer cache lines per load than
// lanes a vector apart.
template <typename T, typename I>
bool spmv_vec_takes(const s4j_csr* a) {
    const double bytes = static_cast<double>(a->nnz) * static_cast<double>(sizeof(T) + sizeof(I));
    return bytes > static_cast<double>(l2_bytes()) && spmv_vec_layout<T, I>(a);
}

// Warps a row of the vector kernel gets, by the mean row length in rounds (kSpmvDepth vectors a
// lane, 512 int32 or 256 int64 entries a warp): one below 3.5 rounds, two below 8, then four. On
// the H100 (batch 1, LLM shapes whose A is larger than L2) two warps a row were 1.03-1.09x faster
// than one at 4-4.3 rounds, four 1.06-1.14x faster than one at 10.7, and at 1.6-2.4 rounds more
// warps were as fast or slower (four up to 1.3x slower).
template <typename I>
int spmv_vec_warps(double mean) {
    const double rounds = mean / (kSpmvDepth * kWarp * (16 / sizeof(I)));
    return rounds < 3.5 ? 1 : rounds < 8 ? 2 : 4;
}

template <typename T, typename I, int G>
void launch_spmv(cudaStream_t s, int64_t m, const s4j_csr* a, const s4j_dense* x, float alpha, float beta, s4j_dense* y) {
    spmv_kernel<T, I, G><<<blocks_for(m * G, 256), 256, 0, s>>>(m, static_cast<const I*>(a->row_ptr),
                                                                static_cast<const I*>(a->col_idx),
                                                                static_cast<const T*>(a->values), static_cast<const T*>(x->data),
                                                                x->strides[0], static_cast<T*>(y->data), y->strides[0], alpha, beta);
}

// vec_only: the vector kernel whatever the rows (declined when A's arrays are not aligned for it).
template <typename T, typename I>
s4j_status spmv_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a0, const s4j_dense* x, float beta,
                      s4j_dense* y, bool vec_only) {
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    s4j_csr at;
    const s4j_csr* a = a0;
    if (vec_only && !trans && !spmv_vec_layout<T, I>(a0)) return kDeclined;  // Aᵀ lands in aligned scratch
    S4J_TRY((op_a<I, T>(ws, s, trans, a0, &at, &a)));
    if (vec_only && !spmv_vec_layout<T, I>(a)) return fail(S4J_INTERNAL, "spmv (cuda): Aᵀ's scratch arrays are not 16-byte aligned");
    const int64_t m = y->shape[0];
    if (m == 0) return S4J_OK;
    const double mean = static_cast<double>(a->nnz) / static_cast<double>(m);
    if (vec_only || (mean > 16 && spmv_vec_takes<T, I>(a))) {
        const int w = spmv_vec_warps<I>(mean);
        auto launch = [&](auto kernel) {
            kernel<<<blocks_for(m * kWarp * w, 256), 256, 0, s>>>(m, static_cast<const I*>(a->row_ptr), static_cast<const I*>(a->col_idx),
                                                                  static_cast<const T*>(a->values), static_cast<const T*>(x->data),
                                                                  x->strides[0], static_cast<T*>(y->data), y->strides[0], alpha, beta);
        };
        if (w == 4) launch(spmv_vec_kernel<T, I, 4>);
        else if (w == 2) launch(spmv_vec_kernel<T, I, 2>);
        else launch(spmv_vec_kernel<T, I, 1>);
        S4J_CUDA_LAUNCHED("spmv_vec_kernel");
        return S4J_OK;
    }
    if (mean <= 2) launch_spmv<T, I, 2>(s, m, a, x, alpha, beta, y);
    else if (mean <= 4) launch_spmv<T, I, 4>(s, m, a, x, alpha, beta, y);
    else if (mean <= 8) launch_spmv<T, I, 8>(s, m, a, x, alpha, beta, y);
    else if (mean <= 16) launch_spmv<T, I, 16>(s, m, a, x, alpha, beta, y);
    else launch_spmv<T, I, 32>(s, m, a, x, alpha, beta, y);
    S4J_CUDA_LAUNCHED("spmv_kernel");
    return S4J_OK;
}

// SpMV by the merge-path SpMM kernel (an alternative, forced by name to compare): x and y seen as
// one-column matrices, so power-law rows are shared by several warps.
template <typename T, typename I>
s4j_status spmv_merge_typed(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a0, const s4j_dense* x, float beta,
                            s4j_dense* y) {
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    s4j_csr at;
    const s4j_csr* a = a0;
    S4J_TRY((op_a<I, T>(ws, s, trans, a0, &at, &a)));
    s4j_dense b = *x, c = *y;
    b.rank = c.rank = 2;
    b.shape[1] = c.shape[1] = 1;
    b.strides[1] = c.strides[1] = 1;
    return merge_spmm<T, I>(ws, s, alpha, a, &b, beta, &c);
}

// ---- SDDMM: one warp per nonzero, lanes over the inner dimension ------------------------------

// B transposed into a contiguous N x K copy, so a nonzero's column of B is a contiguous row.
template <typename T>
__global__ void transpose_dense_kernel(int64_t k, int64_t n, const T* __restrict__ b, dense_view bs, T* __restrict__ bt) {
    __shared__ T tile[32][33];
    const int64_t l0 = static_cast<int64_t>(blockIdx.y) * 32, j0 = static_cast<int64_t>(blockIdx.x) * 32;
    for (int r = threadIdx.y; r < 32; r += blockDim.y) {
        const int64_t l = l0 + r, j = j0 + threadIdx.x;
        if (l < k && j < n) tile[r][threadIdx.x] = b[l * bs.s0 + j * bs.s1];
    }
    __syncthreads();
    for (int r = threadIdx.y; r < 32; r += blockDim.y) {
        const int64_t j = j0 + r, l = l0 + threadIdx.x;
        if (l < k && j < n) bt[j * k + l] = tile[threadIdx.x][r];
    }
}

template <typename T, typename I>
__global__ void sddmm_kernel(int64_t rows, int64_t nnz, int64_t kdim, const I* __restrict__ rp, const I* __restrict__ ci,
                             const T* __restrict__ a, dense_view as, const T* __restrict__ bt, float alpha,
                             T* __restrict__ out) {
    using A = typename value_traits<T>::acc;
    const int64_t k = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const int lane = threadIdx.x % kWarp;
    if (k >= nnz) return;
    // The row of entry k: the last row whose start is <= k.
    int64_t lo = 0, hi = rows;
    while (hi - lo > 1) {
        const int64_t mid = (lo + hi) / 2;
        if (static_cast<int64_t>(rp[mid]) <= k) lo = mid; else hi = mid;
    }
    const T* arow = a + lo * as.s0;
    const T* brow = bt + static_cast<int64_t>(ci[k]) * kdim;
    A acc = A(0);
    for (int64_t l = lane; l < kdim; l += kWarp) acc += to_acc(arow[l * as.s1]) * to_acc(brow[l]);
#pragma unroll
    for (int off = kWarp / 2; off > 0; off /= 2) acc += __shfl_down_sync(0xffffffffu, acc, off);
    if (lane == 0) out[k] = from_acc<T>(A(alpha) * acc);
}

// SDDMM with a warp per pattern row (an alternative, forced by name to compare): the row of A is
// read once for its nonzeros, which are taken four at a time so four rows of Bᵀ are in flight.
template <typename T, typename I>
__global__ void sddmm_rows_kernel(int64_t rows, int64_t kdim, const I* __restrict__ rp, const I* __restrict__ ci,
                                  const T* __restrict__ a, dense_view as, const T* __restrict__ bt, float alpha, T* __restrict__ out) {
    using A = typename value_traits<T>::acc;
    const int64_t r = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
    const int lane = threadIdx.x % kWarp;
    if (r >= rows) return;
    const T* arow = a + r * as.s0;
    const int64_t k1 = rp[r + 1];
    for (int64_t k = rp[r]; k < k1; k += 4) {
        const int cnt = k1 - k < 4 ? static_cast<int>(k1 - k) : 4;
        const T* br[4];
#pragma unroll
        for (int q = 0; q < 4; ++q) br[q] = bt + static_cast<int64_t>(ci[k + (q < cnt ? q : 0)]) * kdim;
        A acc[4] = {A(0), A(0), A(0), A(0)};
        for (int64_t l = lane; l < kdim; l += kWarp) {
            const A av = to_acc(arow[l * as.s1]);
#pragma unroll
            for (int q = 0; q < 4; ++q)
                if (q < cnt) acc[q] += av * to_acc(br[q][l]);  // cnt is the same in the whole warp
        }
#pragma unroll
        for (int q = 0; q < 4; ++q) {
#pragma unroll
            for (int off = kWarp / 2; off > 0; off /= 2) acc[q] += __shfl_down_sync(0xffffffffu, acc[q], off);
        }
        if (lane == 0) {
#pragma unroll
            for (int q = 0; q < 4; ++q)
                if (q < cnt) out[k + q] = from_acc<T>(A(alpha) * acc[q]);
        }
    }
}

// Bᵀ as a contiguous N x K copy in the workspace.
template <typename T>
s4j_status transposed_b(Workspace& ws, cudaStream_t s, const s4j_dense* b, int64_t kdim, int64_t n, T** bt) {
    S4J_TRY(ws.take(n * kdim, bt));
    if (kdim == 0) return S4J_OK;
    if ((kdim + 31) / 32 > 65535) return fail(S4J_UNSUPPORTED, "sddmm (cuda): inner dimension %lld is too large", (long long)kdim);
    dim3 grid(blocks_for(n, 32), blocks_for(kdim, 32)), block(32, 8);
    transpose_dense_kernel<T><<<grid, block, 0, s>>>(kdim, n, static_cast<const T*>(b->data), {b->strides[0], b->strides[1]}, *bt);
    S4J_CUDA_LAUNCHED("transpose_dense_kernel");
    return S4J_OK;
}

template <typename T, typename I>
s4j_status sddmm_rows_typed(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p,
                            s4j_csr* out) {
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    const int64_t kdim = a->shape[1], n = b->shape[1];
    if (p->nnz == 0) return S4J_OK;
    T* bt;
    S4J_TRY(transposed_b<T>(ws, s, b, kdim, n, &bt));
    sddmm_rows_kernel<T, I><<<blocks_for(p->rows * kWarp, 256), 256, 0, s>>>(
        p->rows, kdim, static_cast<const I*>(p->row_ptr), static_cast<const I*>(p->col_idx), static_cast<const T*>(a->data),
        {a->strides[0], a->strides[1]}, bt, alpha, static_cast<T*>(out->values));
    S4J_CUDA_LAUNCHED("sddmm_rows_kernel");
    return S4J_OK;
}

template <typename T, typename I>
s4j_status sddmm_typed(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p,
                       s4j_csr* out) {
    cudaStream_t s = stream_of(env);
    Workspace ws(s);
    const int64_t nnz = p->nnz, kdim = a->shape[1], n = b->shape[1];
    if (nnz == 0) return S4J_OK;
    T* bt;
    S4J_TRY(transposed_b<T>(ws, s, b, kdim, n, &bt));
    sddmm_kernel<T, I><<<blocks_for(nnz * kWarp, 256), 256, 0, s>>>(p->rows, nnz, kdim, static_cast<const I*>(p->row_ptr),
                                                                   static_cast<const I*>(p->col_idx),
                                                                   static_cast<const T*>(a->data), {a->strides[0], a->strides[1]},
                                                                   bt, alpha, static_cast<T*>(out->values));
    S4J_CUDA_LAUNCHED("sddmm_kernel");
    return S4J_OK;
}

// ---- entry points: dtype and index type to templates ------------------------------------------

template <typename F>
s4j_status with_types(s4j_dtype value, s4j_dtype index, F&& f) {
    s4j_status st = S4J_UNSUPPORTED;
    bool ok = with_device_type(value, [&](auto* vt) {
        using T = std::remove_pointer_t<decltype(vt)>;
        if (index == S4J_I64) st = f(static_cast<T*>(nullptr), static_cast<int64_t*>(nullptr));
        else st = f(static_cast<T*>(nullptr), static_cast<int32_t*>(nullptr));
    });
    return ok ? st : fail(S4J_UNSUPPORTED, "cuda: value dtype %s", dtype_name(value));
}

s4j_status spmm_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                     s4j_dense* c) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->value_dtype, a->index_dtype, [&](auto* t, auto* i) {
        return spmm_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, b, beta, c);
    });
}

// Calls run(T*, I*) for A's value and index types on env's device; fp64 declines (the kernels that
// use this accumulate in fp32 only, and the merge-path kernel takes fp64).
template <typename F>
s4j_status with_fp32_acc_types(const exec_env& env, const s4j_csr* a, F&& run) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->value_dtype, a->index_dtype, [&](auto* t, auto* i) -> s4j_status {
        if constexpr (std::is_same<std::remove_pointer_t<decltype(t)>, double>::value) {
            return kDeclined;
        } else {
            return run(t, i);
        }
    });
}

s4j_status spmm_rows_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                          s4j_dense* c) {
    return with_fp32_acc_types(env, a, [&](auto* t, auto* i) {
        return spmm_rows_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, b, beta, c);
    });
}

s4j_status spmm_rowblock_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* b, float beta,
                              s4j_dense* c) {
    return with_fp32_acc_types(env, a, [&](auto* t, auto* i) {
        return spmm_rowblock_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, b, beta,
                                                                                                           c);
    });
}

s4j_status spmv_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                     s4j_dense* y) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->value_dtype, a->index_dtype, [&](auto* t, auto* i) {
        return spmv_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, x, beta, y);
    });
}

s4j_status spmv_vec_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                         s4j_dense* y) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->value_dtype, a->index_dtype, [&](auto* t, auto* i) {
        return spmv_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, x, beta, y, true);
    });
}

s4j_status spmv_merge_cuda(const exec_env& env, int32_t trans, float alpha, const s4j_csr* a, const s4j_dense* x, float beta,
                           s4j_dense* y) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->value_dtype, a->index_dtype, [&](auto* t, auto* i) {
        return spmv_merge_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, trans, alpha, a, x, beta,
                                                                                                        y);
    });
}

s4j_status sddmm_cuda(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p,
                      s4j_csr* out) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->dtype, p->index_dtype, [&](auto* t, auto* i) {
        return sddmm_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, alpha, a, b, p, out);
    });
}

s4j_status sddmm_rows_cuda(const exec_env& env, float alpha, const s4j_dense* a, const s4j_dense* b, const s4j_csr* p,
                           s4j_csr* out) {
    S4J_TRY(use_device(env.device_index));
    return with_types(a->dtype, p->index_dtype, [&](auto* t, auto* i) {
        return sddmm_rows_typed<std::remove_pointer_t<decltype(t)>, std::remove_pointer_t<decltype(i)>>(env, alpha, a, b, p, out);
    });
}

}  // namespace

// Order is preference: the first implementation that does not decline runs. An alternative registered
// after one that never declines runs only when forced by name (benchmarks, conformance).
S4J_REGISTER("cuda:spmm_csr_rowblock", S4J_OP_SPMM_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmm_rowblock_cuda);
S4J_REGISTER("cuda:spmm_csr_rows", S4J_OP_SPMM_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmm_rows_cuda);
S4J_REGISTER("cuda:spmm_csr", S4J_OP_SPMM_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmm_cuda);
S4J_REGISTER("cuda:spmv_csr", S4J_OP_SPMV_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmv_cuda);
S4J_REGISTER("cuda:spmv_csr_vec", S4J_OP_SPMV_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmv_vec_cuda);
S4J_REGISTER("cuda:spmv_csr_merge", S4J_OP_SPMV_CSR, S4J_BACKEND_CUDA, kFloatDtypes, spmv_merge_cuda);
S4J_REGISTER("cuda:sddmm_csr_rows", S4J_OP_SDDMM_CSR, S4J_BACKEND_CUDA, kFloatDtypes, sddmm_rows_cuda);
S4J_REGISTER("cuda:sddmm_csr", S4J_OP_SDDMM_CSR, S4J_BACKEND_CUDA, kFloatDtypes, sddmm_cuda);

}  // namespace cuda
}  // namespace s4j
