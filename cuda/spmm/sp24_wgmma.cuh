// The 2:4 part of a split SpMM on Hopper (sm_90a): the same plan layout as sp24_kernel.cuh, run
// with the warpgroup instruction wgmma.mma_async.sp instead of the warp-level mma.sp. This is the
// cp.async version, which runs where the TMA version (sp24_tma.cuh, same consumers) has no tensor
// maps: K = 0, or a driver without cuTensorMapEncodeTiled.
//
// A CTA is two warpgroups (128 rows of C) by kWgTileN = 256 columns; each warpgroup issues one
// m64n256k32 per 32 logical columns of A. A's compressed values go through shared memory into
// registers (ldmatrix, as in the warp-level kernel: the fragment and the per-warp metadata are
// the same); B is read by the tensor cores from shared memory, stored as the 128-byte swizzled
// N-contiguous layout the descriptor names: atoms of 8 rows of K by 64 columns (1024 bytes), the
// 16-byte chunk c of row r at chunk c ^ r. Descriptor strides, measured on the H100 (a probe
// against a host product): for this transposed layout the leading byte offset is the distance
// between atoms along N and the stride byte offset between atoms along K (without swizzle it is
// the other way round). Only a row-major B with 16-byte aligned rows and N a multiple of 8 takes
// this kernel (cp.async copies); the warp-level kernel takes every other layout.
//
// Pipeline: kWgStages buffers filled by cp.async kWgStages - 2 tiles ahead; a buffer is refilled
// two iterations after its wgmma were issued, once each warpgroup has waited for all but its
// latest group (wgmma.wait_group 1), so one group of tensor-core work stays in flight across the
// barrier. The A fragments alternate between two register sets for the same reason.
#pragma once

#include "sp24_kernel.cuh"
#include "sp24_wgmma_ops.cuh"

namespace s4j {
namespace cuda {
namespace sp24 {

constexpr int kWgTileN = 256, kWgStages = 5, kWgThreads = 256, kWgBK = 64;
constexpr int kWgBBytes = kWgBK * kWgTileN * 2, kWgABytes = kSpTileM * kWgBK, kWgEBytes = 8 * 2 * 64;
constexpr int kWgStageBytes = kWgBBytes + kWgABytes + kWgEBytes;
// One extra KiB to align the first stage to 1024 bytes.
constexpr int kWgSmemBytes = kWgStageBytes * kWgStages + 1024;
static_assert(kWgBBytes % 1024 == 0 && kWgStageBytes % 1024 == 0, "swizzle atoms must stay 1024-byte aligned");

__device__ __forceinline__ uint64_t wg_desc_sw128(uint32_t addr, uint32_t lbo, uint32_t sbo) {
    return static_cast<uint64_t>((addr & 0x3FFFF) >> 4) | (static_cast<uint64_t>((lbo & 0x3FFFF) >> 4) << 16) |
           (static_cast<uint64_t>((sbo & 0x3FFFF) >> 4) << 32) | (1ull << 62);
}

// A's shared-memory rows in both Hopper kernels: 64 bytes, chunk ch of row r at ch ^ ((r >> 1) & 3),
// so the 8 rows an ldmatrix phase reads fall in distinct banks.
__device__ __forceinline__ uint32_t wg_a_off(int r, int ch) { return static_cast<uint32_t>(r * 64 + ((ch ^ ((r >> 1) & 3)) << 4)); }

// The consumer tile of the Hopper kernels: two warpgroups, each H m64 blocks of rows, by N columns
// (H · N = 256: the 128 fp32 accumulators a thread holds). A stage is kWgBK logical columns: B's
// kWgBK x N, A's kRows rows of kWgBK / 2 values, and their metadata (kRows / 16 row tiles x 2 steps
// x 16 words).
template <int H, int N>
struct wg_tile {
    static constexpr int kH = H, kN = N, kRows = 128 * H, kAcc = N / 2;
    static constexpr int kBBytes = kWgBK * N * 2, kABytes = kRows * kWgBK, kEBytes = kRows / 16 * 2 * 64;
    static_assert(H * N == 256, "128 accumulators a thread");
    // The 16-row tile of warp w's m64 block h: warpgroup w / 4 owns rows [64 H (w / 4), 64 H (w / 4 + 1)).
    __device__ static __forceinline__ int row_tile(int w, int h) { return (w >> 2) * 4 * H + h * 4 + (w & 3); }
};
using wg_wide = wg_tile<1, 256>;  // 128 x 256: the cp.async kernel's tile
using wg_tall = wg_tile<2, 128>;  // 256 x 128: half of B's bytes a stage for the same products

// One stage of a consumer warp: the A fragments and metadata words of its row tiles for the stage's
// two 32-column steps, then its warpgroup's wgmma (H a step; desc(st): B's descriptor for step st),
// committed as one group; returns once the group before it has completed (one stays in flight).
template <typename T, typename Tile, typename Desc>
__device__ __forceinline__ void wg_stage(float (&acc)[Tile::kH][Tile::kAcc], uint32_t (&af)[Tile::kH][2][4], uint32_t (&ef)[Tile::kH][2],
                                         uint32_t a_s, const uint32_t* e_s, int warp, int lane, Desc desc) {
    const int g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int h = 0; h < Tile::kH; ++h) {
        const int rt = Tile::row_tile(warp, h);
#pragma unroll
        for (int st = 0; st < 2; ++st) {
            ldsm_x4(af[h][st], a_s + wg_a_off(rt * 16 + (lane & 15), st * 2 + (lane >> 4)));
            ef[h][st] = e_s[(rt * 2 + st) * 16 + g * 2 + (t & 1)];
        }
    }
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
    for (int st = 0; st < 2; ++st)
#pragma unroll
        for (int h = 0; h < Tile::kH; ++h) wgmma_sp<T, Tile::kN>(acc[h], af[h][st], desc(st), ef[h][st]);
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");
}

// wg_stage with A read by the tensor cores from shared memory: a descriptor per m64 block and
// step (K-major, 64-byte swizzle: 8-row groups 512 bytes apart, the step's 16 compressed columns
// 32 bytes into the row), so the consumer threads load only the metadata words.
__device__ __forceinline__ uint64_t wg_desc_sw64(uint32_t addr) {
    return static_cast<uint64_t>((addr & 0x3FFFF) >> 4) | (1ull << 16) | (static_cast<uint64_t>(512 >> 4) << 32) | (2ull << 62);
}
template <typename T, typename Tile, typename Desc>
__device__ __forceinline__ void wg_stage_ss(float (&acc)[Tile::kH][Tile::kAcc], uint32_t (&ef)[Tile::kH][2], uint32_t a_s, const uint32_t* e_s,
                                            int warp, int lane, Desc desc) {
    const int g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int h = 0; h < Tile::kH; ++h) {
        const int rt = Tile::row_tile(warp, h);
#pragma unroll
        for (int st = 0; st < 2; ++st) ef[h][st] = e_s[(rt * 2 + st) * 16 + g * 2 + (t & 1)];
    }
    const uint32_t a_wg = a_s + static_cast<uint32_t>((warp >> 2) * Tile::kH * 64 * 64);  // the warpgroup's first row
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
    for (int st = 0; st < 2; ++st)
#pragma unroll
        for (int h = 0; h < Tile::kH; ++h) wgmma_sp_ss<T, Tile::kN>(acc[h], wg_desc_sw64(a_wg + h * 64 * 64 + st * 32), desc(st), ef[h][st]);
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");
}

// What a stage's wgmma read from registers: A's fragments and the metadata (wg_stage), or the
// metadata alone when A stays in shared memory (wg_stage_ss).
template <int H>
struct wg_regs {
    uint32_t af[H][2][4], ef[H][2];
};
template <int H>
struct wg_meta_regs {
    uint32_t ef[H][2];
};

// The K loop of a consumer: step(kt, regs) for every stage, alternating two register sets of type
// Regs (the group still in flight reads the other set), then waits for the last group.
template <typename Regs, typename Step>
__device__ __forceinline__ void wg_k_loop(int64_t ktiles, Step step) {
    Regs r0, r1;
    int64_t kt = 0;
    for (; kt + 1 < ktiles; kt += 2) {
        step(kt, r0);
        step(kt + 1, r1);
    }
    if (kt < ktiles) step(kt, r0);
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
}

// The epilogue of both Hopper kernels: C = alpha · acc + beta · C (C not read when beta is 0), through
// shared memory. The stage buffers are free once every wgmma of both warpgroups has completed:
// each consumer thread puts alpha · acc into an fp32 copy of the tile there, then the 256 consumer
// threads write C in 16-byte chunks of 8 values (beta · C added in fp32, one rounding), consecutive
// threads along a row, so the stores fill whole sectors and the code is one short loop. Storing
// each thread's registers directly (128 scattered 2-byte or 64 4-byte stores, unrolled) cost about
// a quarter of the kernel's time at one layer, most of it instruction-cache misses (Nsight Compute
// on the H100). Accumulator i of block h: row g (+8 for bit 1 of i) of the warp's row tile, column
// 8 (i / 4) + 2 t + (i & 1).
template <typename Tile>
struct wg_epilogue {
    // Floats a staged row: with 8 of padding, the 8 rows of a half-warp's 8-byte stores (4 rows x 4
    // lanes) fall in distinct banks (4 of padding left 2 rows on each bank: a 4.3-way conflict on
    // the H100, Nsight Compute).
    static constexpr int kLd = Tile::kN + 8;
    static constexpr int kBytes = Tile::kRows * kLd * 4;
};
__device__ __forceinline__ void wg_consumers_sync() { asm volatile("bar.sync 1, 256;\n" ::: "memory"); }

// What a consumer thread loads of the tile's remainder while the main loop runs, so the epilogue
// does not wait for it: the row pointer of tile row tid (and of row 256, thread 0), the bounds of
// the tile's entries, and entries e_begin + tid and e_begin + tid + 256. Each load is one L2 round
// trip that would otherwise stand between the last wgmma and the stores.
struct wg_rem_prefetch {
    int rp0 = 0, rp1 = 0, ci0 = 0, ci1 = 0;
    int64_t e_begin = 0, e_end = 0;
    float v0 = 0.0f, v1 = 0.0f;

    // Before the main loop: the row pointers (no wait).
    __device__ __forceinline__ void rows(const sp24_args& p, int64_t m0, int kRows, int tid) {
        const int n = static_cast<int>(min(static_cast<int64_t>(kRows), p.m - m0));
        if (!p.rem_rp || n <= 0) return;
        if (tid <= n) rp0 = __ldg(p.rem_rp + m0 + tid);
        if (tid == 0 && n >= 256) rp1 = __ldg(p.rem_rp + m0 + 256);
        e_begin = __ldg(p.rem_rp + m0);
        e_end = __ldg(p.rem_rp + m0 + n);
    }
    // A few stages into the main loop, when the row pointers have arrived: the first two entries.
    template <typename T>
    __device__ __forceinline__ void entries(const sp24_args& p, int tid) {
        if (!p.rem_rp) return;
        const T* rv = static_cast<const T*>(p.rem_v);
        if (e_begin + tid < e_end) ci0 = __ldg(p.rem_ci + e_begin + tid), v0 = to_acc(rv[e_begin + tid]);
        if (e_begin + tid + 256 < e_end) ci1 = __ldg(p.rem_ci + e_begin + tid + 256), v1 = to_acc(rv[e_begin + tid + 256]);
    }
};

// The CSR remainder of the tile's rows, added to the staged tile st (which holds alpha · acc) as
// alpha · sum of v · B(c, n0 : n0 + N) per entry, so C is read and written once, in wg_store,
// instead of by a second kernel over every row holding a remainder entry. kSmem: the shared
// memory the stages leave, of which the tile takes the first wg_epilogue::kBytes; the rest holds
// the tile's row pointers and up to kCap of its entries (columns and fp32 values) at a time.
// A group of N / 8 lanes (a 16-byte chunk of B's row each) owns kR consecutive rows and walks
// their entries, which are consecutive in the CSR, as one stream, kU rows of B in flight a lane;
// a row's sum is added to the tile in entry order, so the result does not depend on timing.
template <typename T, typename Tile, int kSmem>
struct wg_remainder {
    static constexpr int kLanes = Tile::kN / 8, kGroups = 256 / kLanes, kR = Tile::kRows / kGroups, kU = 8;
    static constexpr int kRpBytes = (Tile::kRows + 1 + 3) / 4 * 16;
    static constexpr int kCap = (kSmem - wg_epilogue<Tile>::kBytes - kRpBytes) / 8;
    static_assert(kCap >= 1024, "room for a thousand entries a pass");
    static_assert(Tile::kRows % kGroups == 0, "whole rows a group");

    static_assert(Tile::kRows <= 256, "wg_rem_prefetch holds row pointers 0 .. 256");

    // pf: what the thread loaded during the main loop (wg_rem_prefetch).
    __device__ static __forceinline__ void add(const sp24_args& p, int64_t m0, int64_t n0, int tid, float* st, unsigned char* smem,
                                               const wg_rem_prefetch& pf) {
        constexpr int kLd = wg_epilogue<Tile>::kLd;
        const int rows = static_cast<int>(min(static_cast<int64_t>(Tile::kRows), p.m - m0));
        if (rows <= 0) return;  // the padding row block of an odd count of row blocks
        const int64_t e_begin = pf.e_begin, e_end = pf.e_end;
        if (e_begin == e_end) return;  // the same on every thread: no barrier is left waiting
        int* rp_s = reinterpret_cast<int*>(smem + wg_epilogue<Tile>::kBytes);
        int* c_s = reinterpret_cast<int*>(smem + wg_epilogue<Tile>::kBytes + kRpBytes);
        float* v_s = reinterpret_cast<float*>(c_s + kCap);
        if (tid <= rows) rp_s[tid] = pf.rp0;
        if (tid == 0 && rows >= 256) rp_s[256] = pf.rp1;  // made visible by the first pass's barrier
        const int grp = tid / kLanes, gl = tid % kLanes;
        const int r_lo = min(grp * kR, rows), r_hi = min(grp * kR + kR, rows);
        const int64_t col = n0 + gl * 8;
        const bool mine = r_lo < r_hi && col < p.n;  // B's rows are 16-byte vectors: col < n means the chunk is whole
        const T* b = static_cast<const T*>(p.b) + col;
        const T* rv = static_cast<const T*>(p.rem_v);
        for (int64_t c0 = e_begin; c0 < e_end; c0 += kCap) {
            const int64_t c1 = min(c0 + kCap, e_end);
            for (int64_t j = c0 + tid; j < c1; j += 256) {
                const int64_t u = j - e_begin - tid;  // 0 and 256: the entries the thread already holds
                c_s[j - c0] = u == 0 ? pf.ci0 : u == 256 ? pf.ci1 : p.rem_ci[j];
                v_s[j - c0] = u == 0 ? pf.v0 : u == 256 ? pf.v1 : to_acc(rv[j]);
            }
            wg_consumers_sync();
            if (mine) {
                const int64_t e_lo = max(static_cast<int64_t>(rp_s[r_lo]), c0), e_hi = min(static_cast<int64_t>(rp_s[r_hi]), c1);
                int r = r_lo;
                bool any = false;
                float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                auto flush = [&]() {
                    float* d = st + r * kLd + gl * 8;
                    float4 lo = *reinterpret_cast<float4*>(d), hi = *reinterpret_cast<float4*>(d + 4);
                    lo.x += p.alpha * a[0], lo.y += p.alpha * a[1], lo.z += p.alpha * a[2], lo.w += p.alpha * a[3];
                    hi.x += p.alpha * a[4], hi.y += p.alpha * a[5], hi.z += p.alpha * a[6], hi.w += p.alpha * a[7];
                    *reinterpret_cast<float4*>(d) = lo;
                    *reinterpret_cast<float4*>(d + 4) = hi;
                };
                for (int64_t e = e_lo; e < e_hi; e += kU) {
                    uint4 bv[kU];
                    float w[kU];
#pragma unroll
                    for (int u = 0; u < kU; ++u) {
                        const int64_t j = e + u;
                        w[u] = 0.0f;
                        bv[u] = make_uint4(0, 0, 0, 0);
                        if (j < e_hi) {
                            w[u] = v_s[j - c0];
                            bv[u] = __ldg(reinterpret_cast<const uint4*>(b + static_cast<int64_t>(c_s[j - c0]) * p.bs0));
                        }
                    }
#pragma unroll
                    for (int u = 0; u < kU; ++u) {
                        const int64_t j = e + u;
                        if (j >= e_hi) break;
                        while (rp_s[r + 1] <= j) {  // j belongs to a later row: the current one is complete
                            if (any) flush();
                            any = false;
#pragma unroll
                            for (int x = 0; x < 8; ++x) a[x] = 0.0f;
                            ++r;
                        }
                        T bt[8];
                        memcpy(bt, &bv[u], 16);
#pragma unroll
                        for (int x = 0; x < 8; ++x) a[x] = fmaf(w[u], to_acc(bt[x]), a[x]);
                        any = true;
                    }
                }
                if (any) flush();
            }
            wg_consumers_sync();  // the entries are read before the next pass overwrites them; the tile is whole
        }
    }
};

template <typename T, typename Tile, int kSmem, typename TOut = T>
__device__ __forceinline__ void wg_store(const float (&acc)[Tile::kH][Tile::kAcc], const sp24_args& p, int64_t m0, int64_t n0, int warp,
                                         int lane, unsigned char* smem, const wg_rem_prefetch& pf) {
    constexpr int kLd = wg_epilogue<Tile>::kLd, kChunks = Tile::kN / 8;
    float* st = reinterpret_cast<float*>(smem);
    const int g = lane >> 2, t = lane & 3, tid = warp * 32 + lane;
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");  // the stages were written and read by the async proxy
    wg_consumers_sync();  // both warpgroups are done with the stages
#pragma unroll
    for (int h = 0; h < Tile::kH; ++h) {
        const int r0 = Tile::row_tile(warp, h) * 16 + g;
#pragma unroll
        for (int i = 0; i < Tile::kAcc; i += 2) {
            float* d = st + (r0 + 8 * ((i >> 1) & 1)) * kLd + 8 * (i >> 2) + 2 * t;
            *reinterpret_cast<float2*>(d) = make_float2(p.alpha * acc[h][i], p.alpha * acc[h][i + 1]);
        }
    }
    wg_consumers_sync();
    if (p.rem_rp) wg_remainder<T, Tile, kSmem>::add(p, m0, n0, tid, st, smem, pf);
    TOut* c = static_cast<TOut*>(p.c) + blockIdx.z * p.c_zstride;
    const bool vec = p.cs1 == 1 && p.cs0 % 8 == 0 && (reinterpret_cast<uintptr_t>(c) & 15) == 0;
#pragma unroll 1
    for (int q = tid; q < Tile::kRows * kChunks; q += 256) {
        const int r = q / kChunks, cc = q % kChunks * 8;
        const int64_t row = m0 + r, col = n0 + cc;
        if (row >= p.m || col >= p.n) continue;
        // Lanes 4-7 of each quarter-warp read their second half first, so the eight 16-byte reads
        // of a quarter-warp cover all 32 banks once (in order, lanes 4 apart would share banks).
        const int f = (tid >> 2 & 1) * 4;
        const float4 x = *reinterpret_cast<const float4*>(st + r * kLd + cc + f);
        const float4 y = *reinterpret_cast<const float4*>(st + r * kLd + cc + 4 - f);
        const float4 lo = f ? y : x, hi = f ? x : y;
        float v[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
        TOut* out = c + row * p.cs0 + col * p.cs1;
        constexpr int kVecs = 8 * static_cast<int>(sizeof(TOut)) / 16;  // 16-byte pieces of 8 outputs
        if (vec && col + 8 <= p.n) {
            uint4 bits[kVecs];
            TOut o[8];
            if (p.beta != 0.0f) {
#pragma unroll
                for (int h = 0; h < kVecs; ++h) bits[h] = reinterpret_cast<const uint4*>(out)[h];
                memcpy(o, bits, sizeof(o));
#pragma unroll
                for (int e = 0; e < 8; ++e) v[e] += p.beta * to_acc(o[e]);
            }
#pragma unroll
            for (int e = 0; e < 8; ++e) o[e] = from_acc<TOut>(v[e]);
            memcpy(bits, o, sizeof(o));
#pragma unroll
            for (int h = 0; h < kVecs; ++h) reinterpret_cast<uint4*>(out)[h] = bits[h];
        } else {
            for (int e = 0; e < 8 && col + e < p.n; ++e) {
                TOut* oe = out + e * p.cs1;
                float x = v[e];
                if (p.beta != 0.0f) x += p.beta * to_acc(*oe);
                *oe = from_acc<TOut>(x);
            }
        }
    }
}

template <typename T>
__global__ void __launch_bounds__(kWgThreads, 1) sp24_wgmma_kernel(sp24_args p) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
    constexpr int kNA = kWgTileN / 64, kChunks = kWgTileN / 8;
    extern __shared__ __align__(1024) unsigned char smem_raw[];
    unsigned char* smem = smem_raw + ((1024 - (smem_addr(smem_raw) & 1023)) & 1023);
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int64_t m0 = static_cast<int64_t>(blockIdx.y) * kSpTileM, n0 = static_cast<int64_t>(blockIdx.x) * kWgTileN;
    const int64_t ktiles = p.k_pad / kWgBK, half_k = p.k_pad / 2, ksteps = p.k_pad / 32;
    const T* vals = static_cast<const T*>(p.vals);
    const T* bm = static_cast<const T*>(p.b);
    auto a_off = [](int r, int ch) { return wg_a_off(r, ch); };
    auto load = [&](int64_t kt, int stage) {
        unsigned char* base = smem + stage * kWgStageBytes;
        const uint32_t b_s = smem_addr(base), a_s = smem_addr(base + kWgBBytes), e_s = smem_addr(base + kWgBBytes + kWgABytes);
        sp24_load_a<kSpTileM, kWgBK, kWgThreads>(a_s, vals, m0, half_k, kt, tid, a_off);
#pragma unroll
        for (int i = 0; i < kWgBK * kChunks / kWgThreads; ++i) {
            const int id = tid + i * kWgThreads, c = id % kChunks, k = id / kChunks;
            const int na = c / 8, cc = c % 8, kb = k / 8, r = k % 8;
            int64_t kk = kt * kWgBK + k;
            if (kk >= p.k_layer) kk -= p.k_layer;  // the second layer reads B again
            const int64_t nn = n0 + c * 8;
            const bool ok = kk < p.k && nn < p.n;
            cp_async16(b_s + (kb * kNA + na) * 1024 + r * 128 + ((cc ^ r) << 4), ok ? bm + kk * p.bs0 + nn : bm, ok);
        }
        sp24_load_meta<kSpTileM, kWgBK / 32, kWgThreads>(e_s, p.meta, m0, ksteps, kt, tid);
    };
    float acc[1][kWgTileN / 2];
#pragma unroll
    for (int i = 0; i < kWgTileN / 2; ++i) acc[0][i] = 0.0f;
#pragma unroll
    for (int s = 0; s < kWgStages - 2; ++s) {
        if (s < ktiles) load(s, s);
        cp_async_commit();
    }
    auto step = [&](int64_t kt, wg_regs<1>& r) {
        cp_async_wait<kWgStages - 3>();
        asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");  // cp.async data, read by the tensor cores
        __syncthreads();
        {
            const int64_t nk = kt + kWgStages - 2;
            if (nk < ktiles) load(nk, static_cast<int>(nk % kWgStages));
            cp_async_commit();
        }
        const unsigned char* base = smem + (kt % kWgStages) * kWgStageBytes;
        const uint32_t b_s = smem_addr(base), a_s = smem_addr(base + kWgBBytes);
        const uint32_t* e_s = reinterpret_cast<const uint32_t*>(base + kWgBBytes + kWgABytes);
        wg_stage<T, wg_wide>(acc, r.af, r.ef, a_s, e_s, warp, lane,
                             [&](int st) { return wg_desc_sw128(b_s + st * 4 * kNA * 1024, 1024, kNA * 1024); });
    };
    wg_k_loop<wg_regs<1>>(ktiles, step);
    cp_async_wait<0>();
    static_assert(wg_epilogue<wg_wide>::kBytes <= kWgStageBytes * kWgStages, "the epilogue's tile fits in the stages");
    wg_store<T, wg_wide, kWgStageBytes * kWgStages>(acc, p, m0, n0, warp, lane, smem, wg_rem_prefetch{});  // p has no remainder here
#endif
}

}  // namespace sp24
}  // namespace cuda
}  // namespace s4j
