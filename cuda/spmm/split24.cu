// The split SpMM of an SpMM plan: an fp16/bf16 CSR becomes a 2:4 part, run by sp24_kernel on
// sparse tensor cores, plus a CSR remainder (the third and fourth nonzeros of a group of four
// columns), run by the CSR kernels. The split is built on the host once per plan.
#include <cudaTypedefs.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "../../native/src/cuda_bridge.h"
#include "../../native/src/internal.h"
#include "../common/types.cuh"
#include "../common/util.cuh"
#include "sp24_kernel.cuh"
#include "sp24_tma.cuh"
#include "sp24_wgmma.cuh"

namespace s4j {
namespace cuda_bridge {

struct split24 {
    int64_t m, k, m_pad;
    int64_t k_layer;            // A's columns padded to whole kernel stages
    s4j_dtype dtype;
    bool hopper = false;        // compute capability 9.0: the wgmma kernel takes row-major B
    int layers = 1;             // 2: a second 2:4 layer holds what a remainder would
    int64_t k_pad = 0;          // k_layer * layers: the kernel's logical K
    void* vals = nullptr;       // [m_pad][k_pad / 2]
    uint32_t* meta = nullptr;   // [m_pad / 16][k_pad / 32][16]
    s4j_csr rem{};              // device arrays owned here
    bool rem_fused = false;     // rem has int32 indices: the TMA kernel adds it in its epilogue
    uint64_t b_parts = 0;       // fp32: the B part each segment of k_layer columns reads (sp24_args)
    int64_t bytes = 0;
    bool tma = false;           // hopper, and the tensor maps of A and the metadata below are built
    CUtensorMap tma_a{}, tma_e{};
};

}  // namespace cuda_bridge

namespace cuda {
namespace {

using cuda_bridge::split24;
using namespace sp24;

void release(split24* s) {
    for (void* p : {s->vals, static_cast<void*>(s->meta), s->rem.row_ptr, s->rem.col_idx, s->rem.values})
        if (p) cudaFree(p);
    delete s;
}

// Copies n bytes to a new device array (nullptr for n = 0).
s4j_status upload(const void* host, int64_t n, void** out, int64_t* total) {
    *out = nullptr;
    if (n == 0) return S4J_OK;
    S4J_CUDA_TRY(cudaMalloc(out, static_cast<size_t>(n)));
    *total += n;
    S4J_CUDA_TRY(cudaMemcpy(*out, host, static_cast<size_t>(n), cudaMemcpyHostToDevice));
    return S4J_OK;
}

// cuTensorMapEncodeTiled from the driver (nullptr when the driver does not have it), looked up once.
PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder() {
    static const PFN_cuTensorMapEncodeTiled_v12000 fn = [] {
        void* f = nullptr;
        cudaDriverEntryPointQueryResult q = cudaDriverEntryPointSymbolNotFound;
        if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &q) != cudaSuccess ||
            q != cudaDriverEntryPointSuccess) {
            cudaGetLastError();
            return static_cast<PFN_cuTensorMapEncodeTiled_v12000>(nullptr);
        }
        return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(f);
    }();
    return fn;
}

// A 2-D tensor map of a row-major matrix (cols x rows elements of dtype, rows row_bytes apart) read
// in boxes of box_cols x box_rows. dtype S4J_I32 stands for the 32-bit metadata words.
s4j_status tensor_map(CUtensorMap* map, s4j_dtype dtype, const void* data, int64_t cols, int64_t rows, int64_t row_bytes, uint32_t box_cols,
                      uint32_t box_rows, CUtensorMapSwizzle swizzle, const char* what) {
    const PFN_cuTensorMapEncodeTiled_v12000 encode = tensor_map_encoder();
    if (!encode) return fail(S4J_INTERNAL, "spmm_plan: the driver has no cuTensorMapEncodeTiled");
    const CUtensorMapDataType type = dtype == S4J_F16 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
                                     : dtype == S4J_BF16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                                         : CU_TENSOR_MAP_DATA_TYPE_UINT32;
    const cuuint64_t dims[2] = {static_cast<cuuint64_t>(cols), static_cast<cuuint64_t>(rows)};
    const cuuint64_t strides[1] = {static_cast<cuuint64_t>(row_bytes)};
    const cuuint32_t box[2] = {box_cols, box_rows}, ones[2] = {1, 1};
    const CUresult r = encode(map, type, 2, const_cast<void*>(data), dims, strides, box, ones, CU_TENSOR_MAP_INTERLEAVE_NONE, swizzle,
                              CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (r != CUDA_SUCCESS)
        return fail(S4J_INTERNAL, "spmm_plan: cuTensorMapEncodeTiled failed (%d) for %s (%lldx%lld, %lld bytes a row)", static_cast<int>(r),
                    what, (long long)rows, (long long)cols, (long long)row_bytes);
    return S4J_OK;
}

// Calls f(g, p, q) for each group of four columns holding nonzeros in entries [p, end) of one row:
// g the group, [p, q) its entries (columns are sorted within a row).
template <typename I, typename F>
void for_each_group(const std::vector<I>& ci, int64_t p, int64_t end, F&& f) {
    while (p < end) {
        const int64_t g = static_cast<int64_t>(ci[p]) / 4;
        int64_t q = p;
        while (q < end && static_cast<int64_t>(ci[q]) / 4 == g) ++q;
        f(g, p, q);
        p = q;
    }
}

// Mean remainder entries a row up to which the TMA kernel's epilogue adds the remainder (see build).
constexpr double kFuseF16PerRow = 2.0, kFuseBf16PerRow = 6.0;

// fp32 plans: a value split into three bf16 parts, a = a0 + a1 + a2, each rounded to nearest from
// what the parts before it left (exact differences in fp32), so the parts hold a's 24 bits and the
// third is exact unless a is below 2^-110 or so; a part that would round past bf16's range is
// truncated instead. Infinities and NaN stay in the first part. One function for A (on the host,
// when the plan is built) and B (on the device, per call), so both are split alike.
__host__ __device__ inline uint16_t bf16_part(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // NaN stays NaN
    const uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    if ((r & 0x7fffu) == 0x7f80u && (u & 0x7fffffffu) < 0x7f800000u) return static_cast<uint16_t>(u >> 16);  // would overflow: truncate
    return static_cast<uint16_t>(r);
}
__host__ __device__ inline float bf16_part_value(uint16_t h) {
    const uint32_t u = static_cast<uint32_t>(h) << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
__host__ __device__ inline void split_bf16x3(float a, uint16_t (&part)[3]) {
    part[0] = bf16_part(a);
    part[1] = part[2] = 0;
    if (!isfinite(a)) return;
    const float r1 = a - bf16_part_value(part[0]);
    part[1] = bf16_part(r1);
    part[2] = bf16_part(r1 - bf16_part_value(part[1]));
}
// The six products of an fp32 plan's layer, A part · B part (the terms of a0 b0 + ... whose parts
// add up to at most the second: the ones dropped are below 2^-25 of |a b|).
constexpr int kF32Products = 6;
constexpr int kF32APart[kF32Products] = {0, 0, 1, 0, 1, 2}, kF32BPart[kF32Products] = {0, 1, 0, 2, 1, 0};

template <typename I, typename V>
s4j_status build(const s4j_csr* a, cudaStream_t stream, split24* s) {
    const int64_t m = a->rows, nnz = a->nnz;
    std::vector<I> rp(static_cast<size_t>(m + 1)), ci(static_cast<size_t>(nnz));
    std::vector<V> v(static_cast<size_t>(nnz));
    S4J_CUDA_TRY(cudaMemcpyAsync(rp.data(), a->row_ptr, rp.size() * sizeof(I), cudaMemcpyDeviceToHost, stream));
    if (nnz > 0) {
        S4J_CUDA_TRY(cudaMemcpyAsync(ci.data(), a->col_idx, ci.size() * sizeof(I), cudaMemcpyDeviceToHost, stream));
        S4J_CUDA_TRY(cudaMemcpyAsync(v.data(), a->values, v.size() * sizeof(V), cudaMemcpyDeviceToHost, stream));
    }
    S4J_CUDA_TRY(cudaStreamSynchronize(stream));
    // The split indexes host arrays by A's structure: check it as the conversions do, so a broken
    // descriptor from a C caller is an error instead of a write out of bounds.
    {
        I dummy_index = 0;
        V dummy_value = 0;
        s4j_csr host = *a;
        host.device = S4J_DEVICE_CPU;
        host.device_index = 0;
        host.row_ptr = rp.data();
        host.col_idx = nnz > 0 ? static_cast<void*>(ci.data()) : &dummy_index;
        host.values = nnz > 0 ? static_cast<void*>(v.data()) : &dummy_value;
        S4J_TRY(s4j_csr_validate(&host));
    }

    // Nonzeros past the first two of their group: the CSR remainder of a one-layer split.
    int64_t excess = 0;
    for (int64_t r = 0; r < m; ++r)
        for_each_group(ci, static_cast<int64_t>(rp[r]), static_cast<int64_t>(rp[r + 1]),
                       [&](int64_t, int64_t p, int64_t q) { excess += q - p > 2 ? q - p - 2 : 0; });
    // A second 2:4 layer (the third and fourth nonzeros of each group, over the same B rows)
    // costs one more pass of the kernel; it replaces a remainder that would cost more on the
    // CSR kernels. Measured on an H100 (N = 2048, 4096 x 4096 and 14336 x 4096): a remainder costs
    // about 0.5 µs per thousand nonzeros at 4096 rows, a layer 50 µs, so they cross near 0.5% of
    // the positions (two layers won at 20% density, 0.7%; one layer at 10%, 0.1%).
    // fp32 plans run a layer as six bf16 products, so a second layer pays later there: from 2%.
    const double layer_share = s->dtype == S4J_F32 ? 0.02 : 0.005;
    s->layers = excess > layer_share * static_cast<double>(m) * static_cast<double>(s->k_layer) ? 2 : 1;
    s->k_pad = s->k_layer * s->layers;

    const int64_t half_k = s->k_pad / 2, groups = s->k_pad / 4, layer_groups = s->k_layer / 4;
    std::vector<V> vals(static_cast<size_t>(s->m_pad * half_k), 0);
    std::vector<uint8_t> nib(static_cast<size_t>(s->m_pad * groups), 0x4);  // positions 0 and 1
    std::vector<I> rrp(static_cast<size_t>(m + 1), 0), rci;
    std::vector<V> rv;
    // Stores up to two nonzeros (entries p .. p + count - 1, one group) as group g of a layer.
    auto store = [&](int64_t r, int64_t g, int64_t p, int64_t count) {
        int i0 = static_cast<int>(ci[p] % 4), i1;
        V v0 = v[p], v1 = 0;
        if (count == 2) {
            i1 = static_cast<int>(ci[p + 1] % 4);
            v1 = v[p + 1];
        } else if (i0 < 3) {
            i1 = 3;
        } else {  // the only nonzero is the last column: keep it second, beside a stored zero
            i0 = 2;
            i1 = 3;
            v1 = v0;
            v0 = 0;
        }
        vals[static_cast<size_t>(r * half_k + g * 2)] = v0;
        vals[static_cast<size_t>(r * half_k + g * 2 + 1)] = v1;
        nib[static_cast<size_t>(r * groups + g)] = static_cast<uint8_t>(i0 | (i1 << 2));
    };
    for (int64_t r = 0; r < m; ++r) {
        for_each_group(ci, static_cast<int64_t>(rp[r]), static_cast<int64_t>(rp[r + 1]), [&](int64_t g, int64_t p, int64_t q) {
            // The group's first two nonzeros go to the first layer, the rest to the second layer
            // or the remainder.
            const int64_t kept = q - p >= 2 ? 2 : 1;
            store(r, g, p, kept);
            if (q - p > 2 && s->layers == 2) {
                store(r, layer_groups + g, p + 2, q - p - 2);
            } else {
                for (int64_t x = p + kept; x < q; ++x) {
                    rci.push_back(ci[x]);
                    rv.push_back(v[x]);
                }
            }
        });
        rrp[r + 1] = static_cast<I>(rci.size());
    }
    // An fp32 plan runs each layer as six bf16 products: segment 6 l + q of the kernel's logical K
    // holds part kF32APart[q] of layer l's values, with layer l's metadata, and reads part
    // kF32BPart[q] of B (b_parts).
    std::vector<uint16_t> parts;
    if constexpr (std::is_same<V, float>::value) {
        const int64_t segs = static_cast<int64_t>(s->layers) * kF32Products, seg_half = s->k_layer / 2;
        parts.assign(static_cast<size_t>(s->m_pad * segs * seg_half), 0);
        std::vector<uint8_t> seg_nib(static_cast<size_t>(s->m_pad * segs * layer_groups));
        for (int64_t r = 0; r < s->m_pad; ++r)
            for (int64_t l = 0; l < s->layers; ++l) {
                for (int64_t j = 0; j < seg_half; ++j) {
                    const float av = vals[static_cast<size_t>(r * half_k + l * seg_half + j)];
                    uint16_t pt[3];
                    split_bf16x3(av, pt);
                    // An infinite or NaN a meets b's other parts as 0 (not inf · 0 = NaN where b1 or b2 is 0).
                    const bool finite = std::isfinite(av);
                    for (int q = 0; q < kF32Products; ++q)
                        parts[static_cast<size_t>((r * segs + l * kF32Products + q) * seg_half + j)] =
                            finite || kF32BPart[q] == 0 ? pt[kF32APart[q]] : uint16_t{0};
                }
                for (int q = 0; q < kF32Products; ++q)
                    memcpy(&seg_nib[static_cast<size_t>((r * segs + l * kF32Products + q) * layer_groups)],
                           &nib[static_cast<size_t>(r * groups + l * layer_groups)], static_cast<size_t>(layer_groups));
            }
        s->b_parts = 0;
        for (int64_t sg = 0; sg < segs; ++sg) s->b_parts |= static_cast<uint64_t>(kF32BPart[sg % kF32Products]) << (2 * sg);
        s->k_pad = s->k_layer * segs;
        nib.swap(seg_nib);
        std::vector<V>().swap(vals);
    }
    const int64_t meta_groups = s->k_pad / 4;
    // Metadata in the order the kernel's lanes read it (sp24_kernel.cuh).
    const int64_t mtiles = s->m_pad / 16, ksteps = s->k_pad / 32;
    std::vector<uint32_t> meta(static_cast<size_t>(mtiles * ksteps * 16), 0);
    for (int64_t mt = 0; mt < mtiles; ++mt)
        for (int64_t ks = 0; ks < ksteps; ++ks)
            for (int w = 0; w < 16; ++w) {
                const int row = w / 2, half = w % 2;
                uint32_t word = 0;
                for (int j = 0; j < 8; ++j) {
                    const int64_t rr = mt * 16 + row + (j >= 4 ? 8 : 0);
                    const int64_t g = ks * 8 + half * 4 + (j & 3);
                    word |= static_cast<uint32_t>(nib[static_cast<size_t>(rr * meta_groups + g)]) << (4 * j);
                }
                meta[static_cast<size_t>((mt * ksteps + ks) * 16 + w)] = word;
            }

    if (!parts.empty())
        S4J_TRY(upload(parts.data(), static_cast<int64_t>(parts.size()) * 2, &s->vals, &s->bytes));
    else
        S4J_TRY(upload(vals.data(), static_cast<int64_t>(vals.size()) * 2, &s->vals, &s->bytes));
    S4J_TRY(upload(meta.data(), static_cast<int64_t>(meta.size()) * 4, reinterpret_cast<void**>(&s->meta), &s->bytes));
    s4j_csr& rem = s->rem;
    rem = *a;
    rem.nnz = static_cast<int64_t>(rci.size());
    // The TMA kernel's epilogue reads the remainder with 32-bit indices: narrow 64-bit ones when
    // the entry count and the columns fit (the remainder is a small share of A, so they do unless
    // A is enormous); otherwise the CSR kernels add it, as on the other kernels.
    std::vector<int32_t> rrp32, rci32;
    if (sizeof(I) == 8 && rem.nnz <= INT32_MAX && a->cols <= INT32_MAX) {
        rrp32.assign(rrp.begin(), rrp.end());
        rci32.assign(rci.begin(), rci.end());
        rem.index_dtype = S4J_I32;
    }
    // The epilogue adds the remainder with the tile's 256 consumer threads while the SM has no
    // other work, so it pays while the remainder is short: on the H100 (N = 2048, LLM shapes) it
    // was 1.02-1.14x faster than the CSR kernel's pass at 0.5-1.4 entries a row (5% density); at
    // 3.9 (10%, K = 4096) fp16 was 0.95-1.01x and bf16, whose CSR pass is slower, 1.02-1.06x; at
    // 10.5 (10%, K = 11008) both lost (0.91-0.94x).
    const double per_row = m > 0 ? static_cast<double>(rem.nnz) / static_cast<double>(m) : 0.0;
    s->rem_fused = s->dtype != S4J_F32 && rem.index_dtype == S4J_I32 && per_row <= (s->dtype == S4J_BF16 ? kFuseBf16PerRow : kFuseF16PerRow);
    const bool narrowed = !rrp32.empty();
    const void* rp_host = narrowed ? static_cast<const void*>(rrp32.data()) : static_cast<const void*>(rrp.data());
    const void* ci_host = narrowed ? static_cast<const void*>(rci32.data()) : static_cast<const void*>(rci.data());
    const int64_t isz = narrowed ? 4 : static_cast<int64_t>(sizeof(I));
    rem.row_ptr = const_cast<void*>(rp_host);  // the host copy, for the row-length hint the CSR kernels use
    note_max_row_nnz(&rem);
    rem.row_ptr = rem.col_idx = rem.values = nullptr;
    S4J_TRY(upload(rp_host, static_cast<int64_t>(rrp.size()) * isz, &rem.row_ptr, &s->bytes));
    S4J_TRY(upload(ci_host, static_cast<int64_t>(rci.size()) * isz, &rem.col_idx, &s->bytes));
    S4J_TRY(upload(rv.data(), static_cast<int64_t>(rv.size() * sizeof(V)), &rem.values, &s->bytes));
    // A remainder of zero nonzeros still needs non-null arrays for the CSR entry point's checks.
    if (!rem.col_idx) {
        S4J_TRY(upload(rp_host, isz, &rem.col_idx, &s->bytes));
        S4J_TRY(upload(rrp.data(), static_cast<int64_t>(sizeof(V)), &rem.values, &s->bytes));
    }
    // Hopper feeds the wgmma kernel with TMA: the maps of A and the metadata are fixed for the plan
    // (B's is made per call). Without the driver entry point the cp.async kernel runs instead.
    if (s->hopper && s->k_pad > 0 && s->m_pad > 0 && tensor_map_encoder()) {
        const int rows = wg_tall::kRows;  // the TMA kernel's tile
        S4J_TRY(tensor_map(&s->tma_a, s->dtype == S4J_F32 ? S4J_BF16 : s->dtype, s->vals, s->k_pad / 2, s->m_pad, s->k_pad, kWgBK / 2, rows, CU_TENSOR_MAP_SWIZZLE_64B,
                           "A"));
        S4J_TRY(tensor_map(&s->tma_e, S4J_I32, s->meta, s->k_pad / 32 * 16, s->m_pad / 16, s->k_pad / 32 * 64, kWgBK / 32 * 16,
                           rows / 16, CU_TENSOR_MAP_SWIZZLE_NONE, "the metadata"));
        s->tma = true;
    }
    // A copy from pageable memory may return before its DMA lands: finish them before any kernel
    // on another stream can read the split.
    S4J_CUDA_TRY(cudaDeviceSynchronize());
    return S4J_OK;
}

// The TMA kernel over C in Tile-shaped blocks (the maps of A and the metadata have Tile's boxes),
// row blocks in clusters of two that share B's copies where the device launches clusters and
// clustered is set (splits: blocks along z, each a share of K).
template <typename T, typename Tile, typename TOut = T>
s4j_status launch_tma(const exec_env& env, const split24* s, const sp24_args& p, const CUtensorMap& tb, unsigned splits = 1,
                      bool clustered = true) {
    using Cfg = tma_cfg<Tile>;
    constexpr int kCluster = 2;
    const int64_t tiles_n = (p.n + Tile::kN - 1) / Tile::kN, tiles_m = (s->m_pad + Tile::kRows - 1) / Tile::kRows;
    // Whole clusters: a row block past A's rows reads zeros (the maps fill what lies outside) and stores nothing.
    const int64_t tiles_m2 = (tiles_m + kCluster - 1) / kCluster * kCluster;
    if (tiles_n > 0x7fffffff || tiles_m2 > 65535) return kDeclined;
    cudaStream_t stream = stream_of(env);
    static DeviceFlags failed;
    const s4j_status st = !clustered ? kDeclined : launch_clustered(failed, env.device_index, "launch of sp24_tma_kernel (cluster)",
                                           sp24_tma_kernel<T, Tile, kCluster, TOut>,
                                           dim3(static_cast<unsigned>(tiles_n), static_cast<unsigned>(tiles_m2), splits), dim3(Cfg::kThreads),
                                           Cfg::kSmemBytes, stream, kCluster, p, s->tma_a, tb, s->tma_e);
    if (st != kDeclined) return st;
    S4J_CUDA_TRY(cudaFuncSetAttribute(sp24_tma_kernel<T, Tile, 1, TOut>, cudaFuncAttributeMaxDynamicSharedMemorySize, Cfg::kSmemBytes));
    sp24_tma_kernel<T, Tile, 1, TOut><<<dim3(static_cast<unsigned>(tiles_n), static_cast<unsigned>(tiles_m), splits), Cfg::kThreads,
                                        Cfg::kSmemBytes, stream>>>(p, s->tma_a, tb, s->tma_e);
    S4J_CUDA_LAUNCHED("sp24_tma_kernel");
    return S4J_OK;
}

// An fp32 plan's B, per call: part q of row kk (q = 0, 1, 2; split_bf16x3) at row q · k_layer + kk
// of bp, rows kk >= k zero. Four columns a thread (B's rows are 16-byte vectors).
__global__ void split_b_kernel(int64_t k, int64_t k_layer, int64_t n, const float* __restrict__ b, int64_t ldb, __nv_bfloat16* __restrict__ bp) {
    const int64_t q4 = n / 4, total = k_layer * q4;
    for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t kk = t / q4, j = (t % q4) * 4;
        float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
        if (kk < k) v = *reinterpret_cast<const float4*>(b + kk * ldb + j);
        const float x[4] = {v.x, v.y, v.z, v.w};
        uint16_t part[3][4];
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            uint16_t pt[3];
            split_bf16x3(x[e], pt);
#pragma unroll
            for (int q = 0; q < 3; ++q) part[q][e] = pt[q];
        }
#pragma unroll
        for (int q = 0; q < 3; ++q) {
            uint2 bits;
            memcpy(&bits, part[q], 8);
            *reinterpret_cast<uint2*>(bp + (q * k_layer + kk) * n + j) = bits;
        }
    }
}

// C = the K splits' fp32 sums (alpha applied), added in split order, + beta · C.
__global__ void split_sum_kernel(int64_t m, int64_t n, int splits, const float* __restrict__ part, float* __restrict__ c, int64_t cs0,
                                 int64_t cs1, float beta) {
    const int64_t total = m * n;
    for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t i = t / n, j = t % n;
        const float sum = ordered_partial_sum(part, total, t, splits);
        float* out = c + i * cs0 + j * cs1;
        *out = beta != 0.0f ? sum + beta * *out : sum;
    }
}

// An fp32 plan on Hopper: B split into its three bf16 parts, then the TMA kernel over the six
// products of each layer with fp32 output; where the tiles do not fill the SMs, K is split across
// blockIdx.z into fp32 partial sums that split_sum_kernel adds.
s4j_status run_f32(const exec_env& env, const split24* s, float alpha, const s4j_dense* b, float beta, s4j_dense* c, const char** impl) {
    const int64_t k = b->shape[0], n = b->shape[1];
    *impl = "cuda:spmm_split24_bf16x6";
    if (s->m == 0 || n == 0) return S4J_OK;
    // B's parts are bf16 rows of 16 bytes for the tensor map; the kernel reads them with TMA only.
    if (!s->tma || n % 8 != 0 || !rows_vec16<float>(b, k, n)) return kDeclined;
    using Tile = wg_tall;
    const int64_t tiles_n = (n + Tile::kN - 1) / Tile::kN, tiles_m = (s->m_pad + Tile::kRows - 1) / Tile::kRows;
    if (tiles_n > 0x7fffffff || tiles_m + 1 > 65535) return kDeclined;
    cudaStream_t stream = stream_of(env);
    Workspace ws(stream);
    __nv_bfloat16* bp = nullptr;
    S4J_TRY(ws.take(3 * s->k_layer * n, &bp));
    const auto grid_for = [](int64_t work) { return static_cast<unsigned>(std::min<int64_t>((work + 255) / 256, 8 * sm_count())); };
    split_b_kernel<<<grid_for(s->k_layer * (n / 4)), 256, 0, stream>>>(k, s->k_layer, n, static_cast<const float*>(b->data),
                                                                             k > 1 ? b->strides[0] : n, bp);
    S4J_CUDA_LAUNCHED("split_b_kernel");
    CUtensorMap tb;
    S4J_TRY(tensor_map(&tb, S4J_BF16, bp, n, 3 * s->k_layer, n * 2, 64, 64, CU_TENSOR_MAP_SWIZZLE_128B, "B's parts"));
    // K splits: as many as fill the SMs once with the tiles there are, each at least 16 stages.
    const int64_t ktiles = s->k_pad / kWgBK, tiles = tiles_n * tiles_m;
    int64_t splits = tiles < sm_count() ? sm_count() / tiles : 1;
    if (splits > ktiles / 16) splits = ktiles / 16 > 1 ? ktiles / 16 : 1;
    if (splits > 64) splits = 64;
    const int64_t kt_split = (ktiles + splits - 1) / splits;
    splits = (ktiles + kt_split - 1) / kt_split;
    sp24_args p{s->m, n, s->k_pad, s->k_layer, s->k, s->vals, s->meta, bp, n, 1, c->data, c->strides[0], c->strides[1], alpha, beta};
    p.b_parts = s->b_parts;
    float* part = nullptr;
    if (splits > 1) {
        S4J_TRY(ws.take(splits * s->m * n, &part));
        p.c = part;
        p.cs0 = n;
        p.cs1 = 1;
        p.beta = 0.0f;
        p.kt_split = kt_split;
        p.c_zstride = s->m * n;
    }
    // Unclustered: B's parts are small next to A's six segments, which pairs of row blocks do not
    // share, and on the H100 the clustered launch was 1.07-1.08x slower here (8192 x 8192 x 256).
    S4J_TRY((launch_tma<__nv_bfloat16, Tile, float>(env, s, p, tb, static_cast<unsigned>(splits), false)));
    if (splits > 1) {
        split_sum_kernel<<<grid_for(s->m * n), 256, 0, stream>>>(s->m, n, static_cast<int>(splits), part, static_cast<float*>(c->data),
                                                                         s->m > 1 ? c->strides[0] : n, c->strides[1], beta);
        S4J_CUDA_LAUNCHED("split_sum_kernel");
    }
    return S4J_OK;
}

template <typename T>
s4j_status run(const exec_env& env, const split24* s, float alpha, const s4j_dense* b, float beta, s4j_dense* c,
               const char** impl, bool* remainder_done) {
    const int64_t n = b->shape[1];
    *impl = "cuda:spmm_split24";
    if (s->m == 0 || n == 0) return S4J_OK;
    using Cfg = sp24_default;
    const int64_t col_tiles = (n + Cfg::kTileN - 1) / Cfg::kTileN;
    if (col_tiles > 0x7fffffff) return kDeclined;
    sp24_args p{s->m, n, s->k_pad, s->k_layer, s->k, s->vals, s->meta, b->data, b->strides[0], b->strides[1], c->data, c->strides[0],
                c->strides[1], alpha, beta};
    const bool vec = rows_vec16<T>(b, b->shape[0], n);
    const int64_t wg_tiles = (n + kWgTileN - 1) / kWgTileN;
    const dim3 wg_grid(static_cast<unsigned>(wg_tiles), static_cast<unsigned>(s->m_pad / kSpTileM));
    if (vec && s->tma && wg_tiles <= 0x7fffffff) {
        CUtensorMap tb;
        // A one-row B may have any row stride; the map wants a multiple of 16 bytes.
        const int64_t row_bytes = b->shape[0] > 1 ? b->strides[0] * 2 : (n * 2 + 15) / 16 * 16;
        S4J_TRY(tensor_map(&tb, s->dtype, b->data, n, b->shape[0], row_bytes, 64, 64, CU_TENSOR_MAP_SWIZZLE_128B, "B"));
        if (s->rem_fused && s->rem.nnz > 0) {
            p.rem_rp = static_cast<const int32_t*>(s->rem.row_ptr);
            p.rem_ci = static_cast<const int32_t*>(s->rem.col_idx);
            p.rem_v = s->rem.values;
        }
        S4J_TRY((launch_tma<T, wg_tall>(env, s, p, tb)));
        *impl = "cuda:spmm_split24_wgmma";
        *remainder_done = p.rem_rp != nullptr;
        return S4J_OK;
    }
    if (vec && s->hopper && wg_tiles <= 0x7fffffff) {
        S4J_CUDA_TRY(cudaFuncSetAttribute(sp24_wgmma_kernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, kWgSmemBytes));
        sp24_wgmma_kernel<T><<<wg_grid, kWgThreads, kWgSmemBytes, stream_of(env)>>>(p);
        S4J_CUDA_LAUNCHED("sp24_wgmma_kernel");
        *impl = "cuda:spmm_split24_wgmma_cpasync";
        return S4J_OK;
    }
    dim3 grid(static_cast<unsigned>(col_tiles), static_cast<unsigned>(s->m_pad / Cfg::kTileM));
    if (vec) {
        S4J_CUDA_TRY(cudaFuncSetAttribute(sp24_kernel<T, true, Cfg>, cudaFuncAttributeMaxDynamicSharedMemorySize, Cfg::kSmemBytes));
        sp24_kernel<T, true, Cfg><<<grid, Cfg::kThreads, Cfg::kSmemBytes, stream_of(env)>>>(p);
    } else {
        S4J_CUDA_TRY(cudaFuncSetAttribute(sp24_kernel<T, false, Cfg>, cudaFuncAttributeMaxDynamicSharedMemorySize, Cfg::kSmemBytes));
        sp24_kernel<T, false, Cfg><<<grid, Cfg::kThreads, Cfg::kSmemBytes, stream_of(env)>>>(p);
    }
    S4J_CUDA_LAUNCHED("sp24_kernel");
    return S4J_OK;
}

}  // namespace
}  // namespace cuda

namespace cuda_bridge {

s4j_status split24_create(int32_t device, void* stream, const s4j_csr* a, split24** out) {
    *out = nullptr;
    if (a->value_dtype != S4J_F16 && a->value_dtype != S4J_BF16 && a->value_dtype != S4J_F32) return kDeclined;
    S4J_TRY(cuda::use_device(device));
    int major = 0;
    S4J_CUDA_TRY(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
    if (major < 8) return kDeclined;  // sparse tensor cores came with sm_80
    int minor = 0, smem_optin = 0;
    S4J_CUDA_TRY(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
    S4J_CUDA_TRY(cudaDeviceGetAttribute(&smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
    // The warp-level kernel's stages need 100 KiB of shared memory a block: compute capability 8.6
    // and 8.9 allow 99 KiB, so those GPUs keep the CSR kernels.
    if (smem_optin < cuda::sp24::sp24_default::kSmemBytes) return kDeclined;
    using cuda::sp24::kSpPadK;
    using cuda::sp24::kSpTileM;
    const int64_t m_pad = (a->rows + kSpTileM - 1) / kSpTileM * kSpTileM;
    const int64_t k_pad = (a->cols + kSpPadK - 1) / kSpPadK * kSpPadK;
    if (m_pad / kSpTileM > 65535) return kDeclined;  // the grid's y dimension
    // Up to twelve segments (two layers of an fp32 plan's six products) of m_pad x k_pad / 2 values:
    // refuse sizes whose byte counts do not fit in int64.
    if (k_pad > 0 && m_pad > INT64_MAX / 16 / k_pad) return kDeclined;
    // fp32 plans run on the TMA kernel alone (compute capability 9.0, a driver with tensor maps, K > 0).
    if (a->value_dtype == S4J_F32 && (major != 9 || minor != 0 || k_pad == 0 || !cuda::tensor_map_encoder())) return kDeclined;
    split24* s = new (std::nothrow) split24{a->rows, a->cols, m_pad, k_pad, a->value_dtype};
    if (!s) return fail(S4J_OUT_OF_MEMORY, "spmm_plan: out of host memory");
    s->hopper = major == 9 && minor == 0;  // the library's sm_90a code runs on 9.0 only
    s4j_status st;
    try {
        cudaStream_t cs = static_cast<cudaStream_t>(stream);
        if (a->value_dtype == S4J_F32)
            st = a->index_dtype == S4J_I32 ? cuda::build<int32_t, float>(a, cs, s) : cuda::build<int64_t, float>(a, cs, s);
        else
            st = a->index_dtype == S4J_I32 ? cuda::build<int32_t, uint16_t>(a, cs, s) : cuda::build<int64_t, uint16_t>(a, cs, s);
    } catch (const std::exception&) {  // bad_alloc, or a length past what a vector can hold
        st = fail(S4J_OUT_OF_MEMORY, "spmm_plan: out of host memory for the split of a %lldx%lld matrix", (long long)a->rows,
                  (long long)a->cols);
    }
    if (st != S4J_OK) {
        cuda::release(s);
        return st;
    }
    *out = s;
    return S4J_OK;
}

s4j_status split24_execute(const exec_env& env, const split24* s, float alpha, const s4j_dense* b, float beta, s4j_dense* c,
                           const char** impl, bool* remainder_done) {
    *remainder_done = false;
    S4J_TRY(cuda::use_device(env.device_index));
    if (s->dtype == S4J_F32) return cuda::run_f32(env, s, alpha, b, beta, c, impl);
    if (s->dtype == S4J_F16) return cuda::run<__half>(env, s, alpha, b, beta, c, impl, remainder_done);
    return cuda::run<__nv_bfloat16>(env, s, alpha, b, beta, c, impl, remainder_done);
}

const s4j_csr* split24_remainder(const split24* s) { return &s->rem; }

int64_t split24_device_bytes(const split24* s) { return s->bytes; }

int split24_layers(const split24* s) { return s->layers; }

s4j_status split24_destroy(int32_t device, split24* s) {
    // Wait for work that may still read the split, and report an asynchronous error it left.
    cudaError_t err = cudaSetDevice(device);
    if (err == cudaSuccess) err = cudaDeviceSynchronize();
    cuda::release(s);
    if (err != cudaSuccess) return cuda::cuda_fail(err, "spmm_plan destroy: cudaDeviceSynchronize");
    return S4J_OK;
}

}  // namespace cuda_bridge
}  // namespace s4j
