// The 2:4 part of a split SpMM on sparse tensor cores: C = alpha * A24 * B + beta * C, where A24
// keeps at most two nonzeros of every four consecutive columns of a row and is stored compressed
// (two values per group of four) with 4-bit group metadata. fp16/bf16 in, fp32 accumulate.
//
// Layout the plan builds (split24.cu, native/src/spmm_plan.cc):
//   vals: [m_pad][k_pad / 2] values, row-major; m_pad a multiple of kSpTileM, k_pad of kSpPadK.
//         k_pad is one or two layers of k_layer columns: a second layer holds the third and
//         fourth nonzeros of each group and multiplies the same rows of B.
//   meta: one block of 16 32-bit words per (16-row tile, 32-column step), blocks ordered by row
//         tile then step. Word w = 2 * r + h (r = 0..7, h = 0..1) is what lane 4 * r + h passes to
//         mma.sp with sparsity selector 0. Its nibbles 0-3 describe groups 4h .. 4h+3 of the step
//         (columns 16h .. 16h+15) in row r of the tile, nibbles 4-7 the same groups in row r + 8.
//         A nibble holds the two kept positions of its group of four: bits 0-1 the first, bits 2-3
//         the second, first < second. (This assignment was measured on the hardware: with one
//         nibble of one lane changed at a time, the product changed in exactly that row and group.)
// B is dense [k][n] with any strides: a row-major B with 16-byte aligned rows and n a multiple of
// 8 is copied with cp.async (kVec), any other layout element by element. C has any strides.
//
// Kernel shape (sp24_config): sparse4j runs sp24_default, 128 threads as 2 (M) x 2 (N) warps, tile
// 128 x 128 x 64 (logical K), each warp 64 x 64 as 4 x 8 mma.sp.m16n8k32; operands staged by
// cp.async in 4 buffers, swizzled so that ldmatrix reads hit distinct banks.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "../common/async.cuh"
#include "../common/types.cuh"

namespace s4j {
namespace cuda {
namespace sp24 {

// Rows of A per CTA and the multiple of logical K the plan pads A's columns to.
constexpr int kSpTileM = 128, kSpPadK = 128;

// A CTA of WARPS_M x WARPS_N warps, each computing (WM x 16) rows x (WN x 8) columns, staging
// BK logical columns of A (BK rows of B) per pipeline stage.
template <int WARPS_M, int WARPS_N, int WM, int WN, int STAGES, int MIN_BLOCKS, int BK>
struct sp24_config {
    static constexpr int kWarpsM = WARPS_M, kWarpsN = WARPS_N, kWm = WM, kWn = WN, kStages = STAGES, kMinBlocks = MIN_BLOCKS;
    static constexpr int kBK = BK, kSteps = BK / 32;
    static constexpr int kThreads = 32 * WARPS_M * WARPS_N;
    static constexpr int kTileM = WARPS_M * WM * 16, kTileN = WARPS_N * WN * 8;
    static constexpr int kABytes = kTileM * BK;        // compressed: kTileM rows x BK / 2 values x 2 bytes
    static constexpr int kBBytes = BK * kTileN * 2;    // BK x kTileN values
    static constexpr int kEBytes = (kTileM / 16) * kSteps * 16 * 4;
    static_assert(BK == 64 || BK == 128, "A's smem rows are 64 or 128 bytes");
    static_assert(kSpPadK % BK == 0, "the plan's padding must be whole stages");
    static constexpr int kStageBytes = kABytes + kBBytes + kEBytes;
    static constexpr int kSmemBytes = kStageBytes * STAGES;
    static_assert(kTileM == kSpTileM, "the plan pads A's rows to kSpTileM");
    static_assert(WN % 2 == 0 || WN == 1, "B fragments are loaded for whole n8 tiles");
};

// The shape sparse4j runs (measured against the alternatives on an H100, see ARCHITECTURE.md).
using sp24_default = sp24_config<2, 2, 4, 8, 4, 2, 64>;

__device__ __forceinline__ void ldsm_x4(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}
__device__ __forceinline__ void ldsm_x4_t(uint32_t (&r)[4], uint32_t addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(addr));
}

template <typename T>
__device__ __forceinline__ void mma_sp(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[4], uint32_t e);

template <>
__device__ __forceinline__ void mma_sp<__half>(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[4], uint32_t e) {
    asm volatile(
        "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, 0x0;\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e));
}
template <>
__device__ __forceinline__ void mma_sp<__nv_bfloat16>(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[4],
                                                      uint32_t e) {
    asm volatile(
        "mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9,%10,%11}, {%0,%1,%2,%3}, %12, 0x0;\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(e));
}


// Copies A's compressed values for logical columns [kt · BK, (kt + 1) · BK) of rows [m0, m0 + ROWS)
// into shared memory: BK / 16 chunks of 16 bytes a row, chunk ch of row r at a_s + a_off(r, ch).
template <int ROWS, int BK, int THREADS, typename T, typename Off>
__device__ __forceinline__ void sp24_load_a(uint32_t a_s, const T* vals, int64_t m0, int64_t half_k, int64_t kt, int tid, Off a_off) {
    constexpr int kChunks = BK / 16;
    static_assert(ROWS * kChunks % THREADS == 0, "whole chunks per thread");
#pragma unroll
    for (int i = 0; i < ROWS * kChunks / THREADS; ++i) {
        const int id = tid + i * THREADS, r = id / kChunks, ch = id % kChunks;
        cp_async16(a_s + a_off(r, ch), vals + (m0 + r) * half_k + kt * (BK / 2) + ch * 8, true);
    }
}

// Copies the metadata of rows [m0, m0 + ROWS) for STEPS 32-column steps from step kt · STEPS:
// 64 bytes a (16-row tile, step), ordered tile by tile.
template <int ROWS, int STEPS, int THREADS>
__device__ __forceinline__ void sp24_load_meta(uint32_t e_s, const uint32_t* meta, int64_t m0, int64_t ksteps, int64_t kt, int tid) {
    static_assert(ROWS / 16 * STEPS * 4 <= THREADS, "one metadata chunk per thread");
    if (tid < ROWS / 16 * STEPS * 4) {
        const int mt = tid / (STEPS * 4), st = (tid / 4) % STEPS, q = tid & 3;
        cp_async16(e_s + ((mt * STEPS + st) * 16 + q * 4) * 4, meta + ((m0 / 16 + mt) * ksteps + kt * STEPS + st) * 16 + q * 4, true);
    }
}

struct sp24_args {
    int64_t m, n, k_pad;        // rows of C, columns of B and C, compressed A's logical width
    int64_t k_layer;            // logical width of one layer: column c of A multiplies B row c mod k_layer
    int64_t k;                  // rows of B (columns of A); B rows at or past k read as zero
    const void* vals;           // [m_pad][k_pad / 2]
    const uint32_t* meta;       // [m_pad / 16][k_pad / 32][16]
    const void* b;              // B(i, j) at b[i * bs0 + j * bs1]
    int64_t bs0, bs1;
    void* c;                    // C[i * cs0 + j * cs1]
    int64_t cs0, cs1;
    float alpha, beta;
    // The CSR remainder, when the Hopper TMA kernel adds it in its epilogue (wg_store); null otherwise.
    const int32_t* rem_rp = nullptr;  // [m + 1], absolute entry indices
    const int32_t* rem_ci = nullptr;
    const void* rem_v = nullptr;
    // The TMA kernel only. b_parts: logical segment s of A (k_layer columns) multiplies part
    // (b_parts >> 2s) & 3 of B, the parts stacked k_layer rows apart (an fp32 plan's B, split into
    // three bf16 parts per call); 0 for fp16/bf16 plans, whose segments (layers) all read B itself.
    uint64_t b_parts = 0;
    // kt_split > 0: blockIdx.z takes kt_split stages of K and writes its sums (alpha applied) at
    // c + blockIdx.z * c_zstride, for a second kernel to add.
    int64_t kt_split = 0, c_zstride = 0;
};

// One CTA computes a Cfg::kTileM x Cfg::kTileN tile of C. grid.x walks N tiles, grid.y M tiles.
template <typename T, bool kVec, typename Cfg>
__global__ void __launch_bounds__(Cfg::kThreads, Cfg::kMinBlocks) sp24_kernel(sp24_args p) {
    constexpr int kThreads = Cfg::kThreads, kWm = Cfg::kWm, kWn = Cfg::kWn, kStages = Cfg::kStages;
    constexpr int kTileM = Cfg::kTileM, kTileN = Cfg::kTileN, kABytes = Cfg::kABytes, kBBytes = Cfg::kBBytes;
    constexpr int kStageBytes = Cfg::kStageBytes, kRowChunks = kTileN / 8, kRowBytes = kTileN * 2;
    constexpr int kBK = Cfg::kBK, kSteps = Cfg::kSteps;
    // A's smem rows hold kBK / 16 chunks of 16 bytes; the swizzle spreads 8 consecutive rows of one
    // chunk over distinct banks for ldmatrix.
    auto a_off = [](int r, int ch) { return r * kBK + ((kBK == 64 ? (ch ^ ((r >> 1) & 3)) : (ch ^ (r & 7))) << 4); };
    extern __shared__ __align__(128) unsigned char smem[];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int wm = warp / Cfg::kWarpsN, wn = warp % Cfg::kWarpsN;  // warp tile: rows wm * kWm * 16, columns wn * kWn * 8
    const int64_t m0 = static_cast<int64_t>(blockIdx.y) * kTileM;
    const int64_t n0 = static_cast<int64_t>(blockIdx.x) * kTileN;
    const int64_t ktiles = p.k_pad / kBK;
    const int64_t half_k = p.k_pad / 2;
    const T* vals = static_cast<const T*>(p.vals);
    const T* bm = static_cast<const T*>(p.b);
    const int64_t ksteps = p.k_pad / 32;

    auto load_stage = [&](int64_t kt, int stage) {
        unsigned char* base = smem + stage * kStageBytes;
        const uint32_t a_s = smem_addr(base), b_s = smem_addr(base + kABytes), e_s = smem_addr(base + kABytes + kBBytes);
        sp24_load_a<kTileM, kBK, kThreads>(a_s, vals, m0, half_k, kt, tid, a_off);
        // B: 64 rows x kRowChunks chunks; chunk c of row r is stored at c ^ (r & 7)
#pragma unroll
        for (int i = 0; i < kBK * kRowChunks / kThreads; ++i) {
            const int id = tid + i * kThreads, r = id / kRowChunks, ch = id % kRowChunks;
            int64_t kk = kt * kBK + r;
            if (kk >= p.k_layer) kk -= p.k_layer;  // the second layer reads B again
            const int64_t nn = n0 + ch * 8;
            const uint32_t dst = b_s + r * kRowBytes + ((ch ^ (r & 7)) << 4);
            if constexpr (kVec) {
                const bool ok = kk < p.k && nn < p.n;
                cp_async16(dst, ok ? bm + kk * p.bs0 + nn : bm, ok);
            } else {
                alignas(16) T v[8];
#pragma unroll
                for (int e = 0; e < 8; ++e)
                    v[e] = kk < p.k && nn + e < p.n ? bm[kk * p.bs0 + (nn + e) * p.bs1] : from_acc<T>(0.0f);
                const uint4 w = *reinterpret_cast<const uint4*>(v);
                asm volatile("st.shared.v4.u32 [%0], {%1,%2,%3,%4};\n" ::"r"(dst), "r"(w.x), "r"(w.y), "r"(w.z), "r"(w.w));
            }
        }
        sp24_load_meta<kTileM, kSteps, kThreads>(e_s, p.meta, m0, ksteps, kt, tid);
    };

    float acc[kWm][kWn][4];
#pragma unroll
    for (int i = 0; i < kWm; ++i)
#pragma unroll
        for (int j = 0; j < kWn; ++j)
#pragma unroll
            for (int q = 0; q < 4; ++q) acc[i][j][q] = 0.0f;

#pragma unroll
    for (int s = 0; s < kStages - 1; ++s) {
        if (s < ktiles) load_stage(s, s);
        cp_async_commit();
    }

    const int g = lane >> 2, t = lane & 3;
    const int meta_word = g * 2 + (t & 1);
    for (int64_t kt = 0; kt < ktiles; ++kt) {
        cp_async_wait<kStages - 2>();
        __syncthreads();
        {
            const int64_t nk = kt + kStages - 1;
            if (nk < ktiles) load_stage(nk, static_cast<int>(nk % kStages));
            cp_async_commit();
        }
        const unsigned char* base = smem + (kt % kStages) * kStageBytes;
        const uint32_t a_s = smem_addr(base), b_s = smem_addr(base + kABytes);
        const uint32_t* e_s = reinterpret_cast<const uint32_t*>(base + kABytes + kBBytes);
#pragma unroll
        for (int st = 0; st < kSteps; ++st) {
            uint32_t af[kWm][4], bf[kWn][4], ef[kWm];
#pragma unroll
            for (int i = 0; i < kWm; ++i) {
                const int r = (wm * kWm + i) * 16 + (lane & 15);
                const int ch = st * 2 + (lane >> 4);
                ldsm_x4(af[i], a_s + a_off(r, ch));
                ef[i] = e_s[((wm * kWm + i) * kSteps + st) * 16 + meta_word];
            }
#pragma unroll
            for (int j = 0; j < kWn; ++j) {
                const int r = st * 32 + lane;
                const int ch = wn * kWn + j;
                ldsm_x4_t(bf[j], b_s + r * kRowBytes + ((ch ^ (r & 7)) << 4));
            }
#pragma unroll
            for (int i = 0; i < kWm; ++i)
#pragma unroll
                for (int j = 0; j < kWn; ++j) mma_sp<T>(acc[i][j], af[i], bf[j], ef[i]);
        }
    }
    cp_async_wait<0>();

    T* c = static_cast<T*>(p.c);
#pragma unroll
    for (int i = 0; i < kWm; ++i) {
#pragma unroll
        for (int j = 0; j < kWn; ++j) {
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const int64_t row = m0 + (wm * kWm + i) * 16 + g + h * 8;
                if (row >= p.m) continue;
#pragma unroll
                for (int q = 0; q < 2; ++q) {
                    const int64_t col = n0 + (wn * kWn + j) * 8 + t * 2 + q;
                    if (col >= p.n) continue;
                    T* out = c + row * p.cs0 + col * p.cs1;
                    float v = p.alpha * acc[i][j][h * 2 + q];
                    if (p.beta != 0.0f) v += p.beta * to_acc(*out);
                    *out = from_acc<T>(v);
                }
            }
        }
    }
}

}  // namespace sp24
}  // namespace cuda
}  // namespace s4j
