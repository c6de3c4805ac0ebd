// The 2:4 part of a split SpMM on Hopper with TMA: the wgmma kernel's consumers (sp24_wgmma.cuh)
// fed by a producer warpgroup (one thread of it) that copies each stage with three tensor-map copies (B in four boxes)
// and signals an mbarrier, so the consumer warps issue only the metadata's loads, wgmma and barrier
// waits. The tensor cores read A, like B, from shared memory through a descriptor (wg_stage_ss):
// on the H100 that was 1.01-1.05x faster than A through ldmatrix into registers (the wgmma fence
// waiting for the ldmatrix had been the main loop's most-sampled stall).
//
// Shared-memory layouts are the ones the consumers already read:
// - B: N / 64 boxes of 64 rows of K by 64 columns, 128-byte swizzle (TMA's), box j at j · 8 KiB:
//   the N-atom distance of the descriptor is 8 KiB and the K-group (8 rows) distance 1 KiB;
// - A: the tile's rows of 64 bytes, 64-byte swizzle (chunk c of row r at c ^ ((r >> 1) & 3)), which
//   is the K-major 64-byte-swizzle layout the A descriptor names;
// - metadata: the tile's 16-row tiles × 2 steps × 16 words, unswizzled.
#pragma once

#include <cuda.h>

#include "sp24_wgmma.cuh"

namespace s4j {
namespace cuda {
namespace sp24 {

// The TMA kernel's shared memory for a consumer tile: as many stages as fit in the 227 KiB a block
// may have, after the 1 KiB of alignment and the stages' two mbarriers.
template <typename Tile>
struct tma_cfg {
    static constexpr int kConsumers = 256, kThreads = kConsumers + 128;
    static constexpr int kStageBytes = Tile::kBBytes + Tile::kABytes + Tile::kEBytes;
    static constexpr int kStages = (227 * 1024 - 1024 - 2 * 8 * 8) / kStageBytes;
    static constexpr int kSmemBytes = kStageBytes * kStages + 1024 + 2 * kStages * 8;
    static_assert(kStageBytes % 1024 == 0, "stages stay 1024-byte aligned");
    static_assert(kStages >= 3 && kStages <= 8, "a pipeline of 3 to 8 stages");
};

__device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
__device__ __forceinline__ void mbar_expect_tx(uint32_t bar, uint32_t bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_wait(uint32_t bar, uint32_t parity) {
    uint32_t done = 0;
    do {
        asm volatile(
            "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}\n"
            : "=r"(done)
            : "r"(bar), "r"(parity)
            : "memory");
    } while (!done);
}
// Arrives on the mbarrier at the same offset in the shared memory of the cluster's CTA cta.
__device__ __forceinline__ void mbar_arrive_cluster(uint32_t bar, uint32_t cta) {
    asm volatile(
        "{\n .reg .b32 ra;\n mapa.shared::cluster.u32 ra, %0, %1;\n mbarrier.arrive.shared::cluster.b64 _, [ra];\n}\n" ::"r"(bar),
        "r"(cta)
        : "memory");
}
__device__ __forceinline__ uint32_t cluster_rank() {
    uint32_t r;
    asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(r));
    return r;
}
__device__ __forceinline__ void cluster_sync() {
    asm volatile("barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;\n" ::: "memory");
}
// A tensor-map copy written to the same offsets (data and mbarrier) in every CTA of mask.
__device__ __forceinline__ void tma_2d_multicast(uint32_t dst, const CUtensorMap* map, int c0, int c1, uint32_t bar, uint16_t mask) {
    asm volatile(
        "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%0], [%1, {%2, %3}], [%4], %5;\n" ::"r"(dst),
        "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(bar), "h"(mask)
        : "memory");
}
__device__ __forceinline__ void tma_2d(uint32_t dst, const CUtensorMap* map, int c0, int c1, uint32_t bar) {
    asm volatile(
        "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];\n" ::"r"(dst),
        "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(bar)
        : "memory");
}

// kCluster > 1: the grid's row blocks go in clusters of kCluster CTAs along y, which share their
// column block of B: each CTA copies 1 / kCluster of a stage's B boxes into every CTA of the cluster
// (multicast), so a stage draws kCluster times less of B from L2. A stage is then released by the
// consumers of every CTA of the cluster (its producer writes into all of them), and no CTA leaves
// before the others have stopped arriving on its barriers.
template <typename T, typename Tile, int kCluster, typename TOut>
__global__ void __launch_bounds__(tma_cfg<Tile>::kThreads, 1)
    sp24_tma_kernel(sp24_args p, const __grid_constant__ CUtensorMap ta, const __grid_constant__ CUtensorMap tb,
                    const __grid_constant__ CUtensorMap te) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
    using Cfg = tma_cfg<Tile>;
    constexpr int kStages = Cfg::kStages, kStageBytes = Cfg::kStageBytes, kBoxes = Tile::kN / 64;
    static_assert(kBoxes % kCluster == 0, "the cluster's CTAs split B's boxes evenly");
    extern __shared__ __align__(1024) unsigned char smem_raw[];
    unsigned char* smem = smem_raw + ((1024 - (smem_addr(smem_raw) & 1023)) & 1023);
    const uint32_t full0 = smem_addr(smem + kStageBytes * kStages), empty0 = full0 + 8 * kStages;
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int64_t m0 = static_cast<int64_t>(blockIdx.y) * Tile::kRows, n0 = static_cast<int64_t>(blockIdx.x) * Tile::kN;
    // This CTA's stages of K: all of them, or blockIdx.z's share when K is split.
    const int64_t kt_all = p.k_pad / kWgBK, kt0 = p.kt_split > 0 ? blockIdx.z * p.kt_split : 0;
    const int64_t ktiles = p.kt_split > 0 ? min(kt_all - kt0, p.kt_split) : kt_all;
    const uint32_t rank = kCluster > 1 ? cluster_rank() : 0;
    if (tid == 0) {
        for (int s = 0; s < kStages; ++s) {
            mbar_init(full0 + 8 * s, 1);
            mbar_init(empty0 + 8 * s, kCluster * Cfg::kConsumers / 32);
        }
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    if (kCluster > 1)
        cluster_sync();  // every CTA's barriers exist before any copy or arrival reaches them
    else
        __syncthreads();
    if (warp >= Cfg::kConsumers / 32) {  // the producer warpgroup: one lane issues every copy
        asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n" ::: "memory");
        if (tid == Cfg::kConsumers) {
            // The segment of A's logical columns the stage is in, and the stage's offset in it,
            // kept as running counts (a 64-bit division a stage in the one producer thread costs).
            int64_t seg = (kt0 * kWgBK) / p.k_layer, rel = kt0 * kWgBK - seg * p.k_layer;
            for (int64_t i = 0; i < ktiles; ++i, rel += kWgBK) {
                if (rel >= p.k_layer) {
                    rel -= p.k_layer;
                    ++seg;
                }
                const int64_t kt = kt0 + i;
                const int s = static_cast<int>(i % kStages);
                const uint32_t parity = static_cast<uint32_t>((i / kStages) & 1) ^ 1u;
                mbar_wait(empty0 + 8 * s, parity);
                const uint32_t base = smem_addr(smem + s * kStageBytes), bar = full0 + 8 * s;
                mbar_expect_tx(bar, kStageBytes);  // the whole stage lands here, B's boxes from every CTA of the cluster
                // Segment seg of A's logical columns reads B (again), or the part of B it names.
                const int64_t kb = rel + static_cast<int64_t>((p.b_parts >> (2 * seg)) & 3u) * p.k_layer;
#pragma unroll
                for (int j = 0; j < kBoxes; ++j) {
                    if (kCluster == 1)
                        tma_2d(base + j * 8192, &tb, static_cast<int>(n0 + j * 64), static_cast<int>(kb), bar);
                    else if (j % kCluster == static_cast<int>(rank))
                        tma_2d_multicast(base + j * 8192, &tb, static_cast<int>(n0 + j * 64), static_cast<int>(kb), bar,
                                         static_cast<uint16_t>((1u << kCluster) - 1));
                }
                tma_2d(base + Tile::kBBytes, &ta, static_cast<int>(kt * (kWgBK / 2)), static_cast<int>(m0), bar);
                tma_2d(base + Tile::kBBytes + Tile::kABytes, &te, static_cast<int>(kt * (kWgBK / 32) * 16), static_cast<int>(m0 / 16), bar);
            }
        }
    } else {
        asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n" ::: "memory");
        float acc[Tile::kH][Tile::kAcc];
#pragma unroll
        for (int h = 0; h < Tile::kH; ++h)
#pragma unroll
            for (int i = 0; i < Tile::kAcc; ++i) acc[h][i] = 0.0f;
        wg_rem_prefetch pf;
        pf.rows(p, m0, Tile::kRows, tid);
        auto step = [&](int64_t kt, wg_meta_regs<Tile::kH>& r) {  // A stays in shared memory
            if (kt == 2) pf.entries<T>(p, tid);
            const int s = static_cast<int>(kt % kStages);
            mbar_wait(full0 + 8 * s, static_cast<uint32_t>((kt / kStages) & 1));
            const unsigned char* base = smem + s * kStageBytes;
            const uint32_t b_s = smem_addr(base), a_s = smem_addr(base + Tile::kBBytes);
            const uint32_t* e_s = reinterpret_cast<const uint32_t*>(base + Tile::kBBytes + Tile::kABytes);
            wg_stage_ss<T, Tile>(acc, r.ef, a_s, e_s, warp, lane, [&](int st) { return wg_desc_sw128(b_s + st * 32 * 128, 8192, 1024); });
            // The group before this one has finished reading its stage: hand it back to the producer(s).
            if (kt > 0 && lane == 0) {
                const uint32_t bar = empty0 + 8 * static_cast<int>((kt - 1) % kStages);
                if (kCluster == 1) {
                    mbar_arrive(bar);
                } else {
#pragma unroll
                    for (int c = 0; c < kCluster; ++c) mbar_arrive_cluster(bar, static_cast<uint32_t>(c));
                }
            }
        };
        wg_k_loop<wg_meta_regs<Tile::kH>>(ktiles, step);
        if (ktiles <= 2) pf.entries<T>(p, tid);
        static_assert(wg_epilogue<Tile>::kBytes <= kStageBytes * kStages, "the epilogue's tile fits in the stages");
        wg_store<T, Tile, kStageBytes * kStages, TOut>(acc, p, m0, n0, warp, lane, smem, pf);
    }
    if (kCluster > 1) cluster_sync();  // the other CTAs have made their last arrivals on this one's barriers
#endif
}

}  // namespace sp24
}  // namespace cuda
}  // namespace s4j
