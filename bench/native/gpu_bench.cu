// GPU benchmark harness: sparse4j's CUDA kernels against cuSPARSE (SpMM, SpMV, SDDMM) and cuBLAS
// dense GEMM/GEMV in one process, timed with CUDA events on one stream: warm-up calls, then the
// median of at least 20 timed calls. Batch-1 SpMV and the activation-sparse GEMV are also timed
// against cuBLAS's dense GEMV over as many bytes as they need. Writes JMH-shaped JSON, so
// bench/report.sh builds the same tables.
//
//   gpu_bench --suite density|llm|sddmm|gemv|bsr|all --out FILE.json [--quick] [--batch N] [--cold]
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <cusparse.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "sparse4j.h"

namespace {

#define CHECK_CUDA(x)                                                                                  \
    do {                                                                                               \
        cudaError_t e_ = (x);                                                                          \
        if (e_ != cudaSuccess) {                                                                       \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_));    \
            std::exit(2);                                                                              \
        }                                                                                              \
    } while (0)
#define CHECK_SPARSE(x)                                                                                \
    do {                                                                                               \
        cusparseStatus_t e_ = (x);                                                                     \
        if (e_ != CUSPARSE_STATUS_SUCCESS) {                                                           \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cusparseGetErrorString(e_)); \
            std::exit(2);                                                                              \
        }                                                                                              \
    } while (0)
#define CHECK_BLAS(x)                                                                                  \
    do {                                                                                               \
        cublasStatus_t e_ = (x);                                                                       \
        if (e_ != CUBLAS_STATUS_SUCCESS) {                                                             \
            std::fprintf(stderr, "%s:%d %s: status %d\n", __FILE__, __LINE__, #x, (int)e_);            \
            std::exit(2);                                                                              \
        }                                                                                              \
    } while (0)
#define CHECK_S4J(x)                                                                                   \
    do {                                                                                               \
        s4j_status e_ = (x);                                                                           \
        if (e_ != S4J_OK) {                                                                            \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, s4j_last_error());          \
            std::exit(2);                                                                              \
        }                                                                                              \
    } while (0)

struct Dtype {
    const char* name;
    s4j_dtype s4j;
    cudaDataType cuda;
    size_t size;
};
const Dtype kF32{"f32", S4J_F32, CUDA_R_32F, 4};
const Dtype kF16{"f16", S4J_F16, CUDA_R_16F, 2};
const Dtype kBF16{"bf16", S4J_BF16, CUDA_R_16BF, 2};

uint16_t to_bits(float f, const Dtype& d) {
    if (d.s4j == S4J_F16) {
        __half h = __float2half_rn(f);
        uint16_t b;
        std::memcpy(&b, &h, 2);
        return b;
    }
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

// Host values stored in the dtype's bytes.
std::vector<char> encode(const std::vector<float>& v, const Dtype& d) {
    std::vector<char> out(v.size() * d.size);
    if (d.s4j == S4J_F32) {
        std::memcpy(out.data(), v.data(), out.size());
    } else {
        for (size_t i = 0; i < v.size(); ++i) {
            uint16_t b = to_bits(v[i], d);
            std::memcpy(out.data() + 2 * i, &b, 2);
        }
    }
    return out;
}

float from_bits(const char* p, const Dtype& d) {
    if (d.s4j == S4J_F32) {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
    uint16_t b;
    std::memcpy(&b, p, 2);
    if (d.s4j == S4J_F16) {
        __half h;
        std::memcpy(&h, &b, 2);
        return __half2float(h);
    }
    uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
};

struct HostCsr {
    int64_t rows, cols;
    std::vector<int32_t> rp, ci;
    std::vector<float> val;
};

// Uniform: each entry kept with probability density. Power law: row lengths follow a Zipf-like
// law with the same mean, columns uniform in each row.
HostCsr make_csr(int64_t rows, int64_t cols, double density, bool power_law, uint64_t seed) {
    HostCsr a{rows, cols, {}, {}, {}};
    Rng rng(seed);
    a.rp.resize(rows + 1);
    a.ci.reserve(static_cast<size_t>(rows * cols * density * 1.05) + 16);
    std::vector<double> share(rows, 1.0);
    if (power_law) {
        double total = 0;
        for (int64_t i = 0; i < rows; ++i) total += share[i] = 1.0 / std::pow(static_cast<double>(i % 997 + 1), 0.8);
        for (int64_t i = 0; i < rows; ++i) share[i] *= rows / total;
    }
    const uint64_t threshold_base = static_cast<uint64_t>(density * 18446744073709551615.0);
    for (int64_t i = 0; i < rows; ++i) {
        a.rp[i] = static_cast<int32_t>(a.ci.size());
        double p = std::min(1.0, density * share[i]);
        uint64_t threshold = power_law ? static_cast<uint64_t>(p * 18446744073709551615.0) : threshold_base;
        for (int64_t j = 0; j < cols; ++j) {
            if (rng.next() < threshold) {
                a.ci.push_back(static_cast<int32_t>(j));
                a.val.push_back(static_cast<float>(rng.uniform() * 2 - 1));
            }
        }
    }
    a.rp[rows] = static_cast<int32_t>(a.ci.size());
    return a;
}

template <typename T>
T* upload(const void* src, size_t bytes) {
    void* p = nullptr;
    CHECK_CUDA(cudaMalloc(&p, bytes > 0 ? bytes : 1));
    if (bytes) CHECK_CUDA(cudaMemcpy(p, src, bytes, cudaMemcpyHostToDevice));
    return static_cast<T*>(p);
}

// A device copy of an output, kept to compare after the buffer is reused by the next kernel.
void* snapshot(const void* dev, size_t bytes) {
    void* p = nullptr;
    CHECK_CUDA(cudaMalloc(&p, bytes > 0 ? bytes : 1));
    if (bytes) CHECK_CUDA(cudaMemcpy(p, dev, bytes, cudaMemcpyDeviceToDevice));
    return p;
}

std::vector<float> random_dense(int64_t n, uint64_t seed) {
    std::vector<float> v(n);
    Rng rng(seed);
    for (auto& x : v) x = static_cast<float>(rng.uniform() * 2 - 1);
    return v;
}

// Median and spread (half the 10-90 percentile range) of `reps` timed calls in µs.
struct Timing {
    double median, spread;
};

// --cold: before each timed call the stream reads g_flush (twice the L2, zeros), so the call finds
// none of its operands in L2, as a decoding step finds a layer's weight after the other layers ran.
// The flush only reads, so L2 is left holding clean lines: a flush that writes (a memset) leaves
// dirty lines whose write-back runs during the timed call and slows it. Each call is then timed
// alone, an event before and after it, the flush outside.
const uint4* g_flush = nullptr;
size_t g_flush_vecs = 0;
unsigned* g_flush_sink = nullptr;

__global__ void flush_read_kernel(const uint4* __restrict__ buf, size_t n, unsigned* sink) {
    unsigned x = 0;
    for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
        const uint4 v = buf[i];
        x |= v.x | v.y | v.z | v.w;
    }
    if (x != 0) *sink = x;  // the buffer holds zeros: never taken, but the loads must stay
}

void flush_l2(cudaStream_t s) {
    flush_read_kernel<<<1024, 256, 0, s>>>(g_flush, g_flush_vecs, g_flush_sink);
    CHECK_CUDA(cudaGetLastError());
}

Timing time_it(cudaStream_t s, int reps, const std::function<void()>& fn) {
    for (int i = 0; i < 3; ++i) fn();
    CHECK_CUDA(cudaStreamSynchronize(s));
    if (g_flush != nullptr) {
        std::vector<cudaEvent_t> ev(2 * reps);
        for (auto& e : ev) CHECK_CUDA(cudaEventCreate(&e));
        for (int i = 0; i < reps; ++i) {
            flush_l2(s);
            CHECK_CUDA(cudaEventRecord(ev[2 * i], s));
            fn();
            CHECK_CUDA(cudaEventRecord(ev[2 * i + 1], s));
        }
        CHECK_CUDA(cudaStreamSynchronize(s));
        std::vector<double> t(reps);
        for (int i = 0; i < reps; ++i) {
            float ms = 0;
            CHECK_CUDA(cudaEventElapsedTime(&ms, ev[2 * i], ev[2 * i + 1]));
            t[i] = ms * 1e3;
        }
        for (auto& e : ev) cudaEventDestroy(e);
        std::sort(t.begin(), t.end());
        return {t[reps / 2], (t[reps * 9 / 10] - t[reps / 10]) / 2};
    }
    std::vector<cudaEvent_t> ev(reps + 1);
    for (auto& e : ev) CHECK_CUDA(cudaEventCreate(&e));
    CHECK_CUDA(cudaEventRecord(ev[0], s));
    for (int i = 0; i < reps; ++i) {
        fn();
        CHECK_CUDA(cudaEventRecord(ev[i + 1], s));
    }
    CHECK_CUDA(cudaStreamSynchronize(s));
    std::vector<double> t(reps);
    for (int i = 0; i < reps; ++i) {
        float ms = 0;
        CHECK_CUDA(cudaEventElapsedTime(&ms, ev[i], ev[i + 1]));
        t[i] = ms * 1e3;
    }
    for (auto& e : ev) cudaEventDestroy(e);
    std::sort(t.begin(), t.end());
    return {t[reps / 2], (t[reps * 9 / 10] - t[reps / 10]) / 2};
}

struct Results {
    std::string json = "[\n";
    std::string path;
    bool first = true;
    // Rewritten after every point, so a run cut short still leaves valid JSON with what it measured.
    void save() const {
        FILE* f = std::fopen(path.c_str(), "w");
        if (!f) {
            std::perror(path.c_str());
            std::exit(2);
        }
        std::fputs((json + "\n]\n").c_str(), f);
        std::fclose(f);
    }
    // bytes > 0: the bytes the call needs to move (written as "bytes", so the report can give the
    // bandwidth achieved on them).
    void add(const std::string& clazz, const std::string& method, const std::vector<std::pair<std::string, std::string>>& params,
             Timing t, double bytes = 0) {
        char buf[256];
        if (!first) json += ",\n";
        first = false;
        json += "  {\"benchmark\": \"org.sparse4j.bench.native." + clazz + "." + method + "\", \"mode\": \"median\", \"params\": {";
        for (size_t i = 0; i < params.size(); ++i)
            json += (i ? ", " : "") + std::string("\"") + params[i].first + "\": \"" + params[i].second + "\"";
        std::snprintf(buf, sizeof buf, "}, \"primaryMetric\": {\"score\": %.3f, \"scoreError\": %.3f, \"scoreUnit\": \"us/op\"}",
                      t.median, t.spread);
        json += buf;
        if (bytes > 0) {
            std::snprintf(buf, sizeof buf, ", \"bytes\": %.0f", bytes);
            json += buf;
        }
        json += "}";
        save();
    }
};

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

struct Gpu {
    cudaStream_t stream;
    cusparseHandle_t sparse;
    cublasHandle_t blas;
    s4j_context ctx;
    s4j_context alt;  // the same stream, with the alternative kernels forced (merge-path SpMM and SpMV, warp-per-nonzero SDDMM, thread-per-output GEMV and BSR)
};

// cuBLAS's dense GEMV y = W·x, W column-major m x k (leading dimension m), fp32 compute: the peer
// that reads as many bytes as a batch-1 call of ours (m · k values), so its fixed costs (launch,
// first loads, the tail) weigh on the same bytes. Timed only; y is overwritten.
Timing time_dense_gemv(Gpu& g, int64_t m, int64_t k, const void* w, const void* x, void* y, const Dtype& d, int reps) {
    const float one = 1, zero = 0;
    return time_it(g.stream, reps, [&] {
        CHECK_BLAS(cublasGemmEx(g.blas, CUBLAS_OP_N, CUBLAS_OP_N, m, 1, k, &one, w, d.cuda, m, x, d.cuda, k, &zero, y, d.cuda, m,
                                CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    });
}

// Largest relative difference between two device outputs of `count` values, normalised by the
// largest magnitude of the reference (the products are sums of many signed terms).
double compare(const void* ours, const void* ref, int64_t count, const Dtype& d) {
    std::vector<char> a(count * d.size), b(count * d.size);
    CHECK_CUDA(cudaMemcpy(a.data(), ours, a.size(), cudaMemcpyDeviceToHost));
    CHECK_CUDA(cudaMemcpy(b.data(), ref, b.size(), cudaMemcpyDeviceToHost));
    double worst = 0, scale = 1e-30;
    for (int64_t i = 0; i < count; ++i) scale = std::max(scale, std::fabs(static_cast<double>(from_bits(b.data() + i * d.size, d))));
    for (int64_t i = 0; i < count; ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(from_bits(a.data() + i * d.size, d)) -
                                          from_bits(b.data() + i * d.size, d)) / scale);
    return worst;
}

// One SpMM case: C (M x N) = A (M x K, CSR) * B (K x N), row-major dense. N = 1 runs SpMV.
void spmm_case(Gpu& g, Results& out, const std::string& clazz, int64_t m, int64_t k, int64_t n, double density, bool power_law,
               const Dtype& d, bool with_dense, int reps) {
    HostCsr a = make_csr(m, k, density, power_law, 1000 + m + k + n);
    const int64_t nnz = static_cast<int64_t>(a.ci.size());
    std::vector<char> vals = encode(a.val, d);
    int32_t* rp = upload<int32_t>(a.rp.data(), a.rp.size() * 4);
    int32_t* ci = upload<int32_t>(a.ci.data(), a.ci.size() * 4);
    void* av = upload<char>(vals.data(), vals.size());
    std::vector<char> bh = encode(random_dense(k * n, 7), d);
    void* b = upload<char>(bh.data(), bh.size());
    void *c = nullptr, *c_ref = nullptr;
    CHECK_CUDA(cudaMalloc(&c, m * n * d.size));
    CHECK_CUDA(cudaMalloc(&c_ref, m * n * d.size));

    // The longest row, as the Java formats record it when a matrix is built on the host.
    int64_t longest = 0;
    for (int64_t r = 0; r < m; ++r) longest = std::max<int64_t>(longest, a.rp[r + 1] - a.rp[r]);
    s4j_csr sa{m, k, nnz, rp, ci, av, S4J_I32, d.s4j, S4J_DEVICE_CUDA, 0, longest};
    s4j_dense sb{b, d.s4j, S4J_DEVICE_CUDA, 0, 2, {k, n}, {n, 1}};
    s4j_dense sc{c, d.s4j, S4J_DEVICE_CUDA, 0, 2, {m, n}, {n, 1}};
    Timing ours = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmm_csr(g.ctx, 0, 1.0f, &sa, &sb, 0.0f, &sc)); });
    const std::string ours_impl = s4j_context_last_impl(g.ctx);
    // The alternative kernel, forced by name, for comparison: the merge-path split for SpMM and SpMV.
    Timing tiled{0, 0};
    double tiled_err = -1;
    s4j_dense sx{b, d.s4j, S4J_DEVICE_CUDA, 0, 1, {k}, {1}}, sy{c, d.s4j, S4J_DEVICE_CUDA, 0, 1, {m}, {1}};
    if (n > 1) {
        tiled = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmm_csr(g.alt, 0, 1.0f, &sa, &sb, 0.0f, &sc)); });
    } else {  // the merge-path SpMV
        tiled = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmv_csr(g.alt, 0, 1.0f, &sa, &sx, 0.0f, &sy)); });
    }

    // cuSPARSE, fp32 compute.
    cusparseSpMatDescr_t ma;
    CHECK_SPARSE(cusparseCreateCsr(&ma, m, k, nnz, rp, ci, av, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, d.cuda));
    float alpha = 1, beta = 0;
    Timing peer;
    std::string peer_name;
    void* work = nullptr;
    size_t work_bytes = 0;
    if (n == 1) {
        cusparseDnVecDescr_t vx, vy;
        CHECK_SPARSE(cusparseCreateDnVec(&vx, k, b, d.cuda));
        CHECK_SPARSE(cusparseCreateDnVec(&vy, m, c_ref, d.cuda));
        CHECK_SPARSE(cusparseSpMV_bufferSize(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma, vx, &beta, vy, CUDA_R_32F,
                                             CUSPARSE_SPMV_ALG_DEFAULT, &work_bytes));
        CHECK_CUDA(cudaMalloc(&work, work_bytes + 1));
        peer = time_it(g.stream, reps, [&] {
            CHECK_SPARSE(cusparseSpMV(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma, vx, &beta, vy, CUDA_R_32F,
                                      CUSPARSE_SPMV_ALG_DEFAULT, work));
        });
        peer_name = "cusparseSpmv";
        cusparseDestroyDnVec(vx);
        cusparseDestroyDnVec(vy);
    } else {
        cusparseDnMatDescr_t mb, mc;
        CHECK_SPARSE(cusparseCreateDnMat(&mb, k, n, n, b, d.cuda, CUSPARSE_ORDER_ROW));
        CHECK_SPARSE(cusparseCreateDnMat(&mc, m, n, n, c_ref, d.cuda, CUSPARSE_ORDER_ROW));
        CHECK_SPARSE(cusparseSpMM_bufferSize(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma,
                                             mb, &beta, mc, CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT, &work_bytes));
        CHECK_CUDA(cudaMalloc(&work, work_bytes + 1));
        peer = time_it(g.stream, reps, [&] {
            CHECK_SPARSE(cusparseSpMM(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma, mb,
                                      &beta, mc, CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT, work));
        });
        peer_name = "cusparseSpmm";
        cusparseDestroyDnMat(mb);
        cusparseDestroyDnMat(mc);
    }
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    tiled_err = compare(c, c_ref, m * n, d);  // c holds the alternative kernel's result
    CHECK_S4J(s4j_spmm_csr(g.ctx, 0, 1.0f, &sa, &sb, 0.0f, &sc));
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    double err = compare(c, c_ref, m * n, d);
    std::vector<std::pair<std::string, std::string>> params{{"shape", std::to_string(m) + "x" + std::to_string(k)},
                                                            {"n", std::to_string(n)},
                                                            {"density", fmt(density)},
                                                            {"pattern", power_law ? "powerlaw" : "uniform"},
                                                            {"dtype", d.name}};
    // Batch 1: the bytes an SpMV needs (values, int32 indices and row pointers, x, y written).
    const double spmv_bytes = n == 1 ? static_cast<double>(nnz) * static_cast<double>(d.size + 4) + static_cast<double>(m + 1) * 4 +
                                           static_cast<double>(k + m) * static_cast<double>(d.size)
                                     : 0;
    out.add(clazz, "sparse4jCsr", params, ours, spmv_bytes);
    out.add(clazz, n > 1 ? "sparse4jCsrMerge" : "sparse4jSpmvMerge", params, tiled, spmv_bytes);
    out.add(clazz, peer_name, params, peer, spmv_bytes);
    if (n == 1) {
        // cuBLAS's dense GEMV over as many bytes as the SpMV needs (m rows, enough columns).
        const int64_t kd = std::max<int64_t>(1, static_cast<int64_t>(spmv_bytes / (static_cast<double>(m) * d.size)));
        void *wd = nullptr, *xd = nullptr;
        CHECK_CUDA(cudaMalloc(&wd, m * kd * d.size));
        CHECK_CUDA(cudaMemset(wd, 0, m * kd * d.size));
        CHECK_CUDA(cudaMalloc(&xd, kd * d.size));
        CHECK_CUDA(cudaMemset(xd, 0, kd * d.size));
        Timing same = time_dense_gemv(g, m, kd, wd, xd, c_ref, d, reps);
        out.add(clazz, "cublasDenseGemvSameBytes", params, same, static_cast<double>(m) * static_cast<double>(kd) * d.size);
        std::printf("[cublas dense gemv on as many bytes: %.1f us, %.0f GB/s] ", same.median, static_cast<double>(m) * kd * d.size / (same.median * 1e3));
        cudaFree(wd);
        cudaFree(xd);
    }
    std::printf("%-8s %-12s n=%-5lld density=%-6g %-8s %-4s nnz=%-9lld sparse4j %9.1f us  %s %9.1f us  (%.2fx)  maxdiff %.1e",
                clazz.c_str(), params[0].second.c_str(), (long long)n, density, params[3].second.c_str(), d.name, (long long)nnz,
                ours.median, peer_name.c_str(), peer.median, peer.median / ours.median, err);

    std::printf("  [%s]  merge %9.1f us (%.2fx, maxdiff %.1e)", ours_impl.c_str(), tiled.median, peer.median / tiled.median, tiled_err);
    double dense_us = 0;
    if (with_dense) {  // cuBLAS on the dense A, same dtype, fp32 compute; row-major C = A·B as C^T = B^T·A^T
        std::vector<float> dense(m * k, 0.0f);
        for (int64_t i = 0; i < m; ++i)
            for (int32_t p = a.rp[i]; p < a.rp[i + 1]; ++p) dense[i * k + a.ci[p]] = a.val[p];
        std::vector<char> dh = encode(dense, d);
        void* ad = upload<char>(dh.data(), dh.size());
        Timing dt = time_it(g.stream, reps, [&] {
            CHECK_BLAS(cublasGemmEx(g.blas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, b, d.cuda, n, ad, d.cuda, k, &beta, c_ref, d.cuda,
                                    n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        });
        out.add(clazz, "cublasDense", params, dt);
        std::printf("  cublas %9.1f us (%.2fx)", dt.median, dt.median / ours.median);
        dense_us = dt.median;
        cudaFree(ad);
    }
    if (n >= 128) {  // below 128 columns AUTO runs the CSR kernels
        // The SpMM plan: A prepared once; AUTO splits it into a 2:4 part for the sparse tensor cores
        // plus a CSR remainder where that is expected to pay (fp32: on Hopper, six bf16 products of
        // the values' and B's bf16 parts). Building the plan is not timed with it.
        s4j_spmm_plan plan = nullptr;
        const auto t0 = std::chrono::steady_clock::now();
        CHECK_S4J(s4j_spmm_plan_create(g.ctx, &sa, S4J_PLAN_AUTO, &plan));
        const double build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        Timing pt = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmm_plan_execute(g.ctx, plan, 1.0f, &sb, 0.0f, &sc)); });
        const std::string plan_impl = s4j_context_last_impl(g.ctx);
        CHECK_CUDA(cudaStreamSynchronize(g.stream));
        out.add(clazz, "sparse4jPlan", params, pt);
        std::printf("  plan[%s %s remainder %lld, built in %.0f ms] %9.1f us (%.2fx cusparse", s4j_spmm_plan_kind(plan), plan_impl.c_str(),
                    (long long)s4j_spmm_plan_remainder_nnz(plan), build_ms, pt.median, peer.median / pt.median);
        if (with_dense) std::printf(", %.2fx cublas, maxdiff %.1e vs cublas", dense_us / pt.median, compare(c, c_ref, m * n, d));
        std::printf(")");
        s4j_spmm_plan_destroy(plan);
    }
    std::printf("\n");
    std::fflush(stdout);
    cusparseDestroySpMat(ma);
    cudaFree(work);
    cudaFree(rp);
    cudaFree(ci);
    cudaFree(av);
    cudaFree(b);
    cudaFree(c);
    cudaFree(c_ref);
}

// SDDMM: out = (A·B) at a pattern's nonzeros; A is M x K, B is K x N, both row-major.
void sddmm_case(Gpu& g, Results& out, int64_t m, int64_t n, int64_t kdim, double density, const Dtype& d, int reps) {
    HostCsr p = make_csr(m, n, density, false, 77 + m);
    const int64_t nnz = static_cast<int64_t>(p.ci.size());
    int32_t* rp = upload<int32_t>(p.rp.data(), p.rp.size() * 4);
    int32_t* ci = upload<int32_t>(p.ci.data(), p.ci.size() * 4);
    std::vector<char> ah = encode(random_dense(m * kdim, 3), d), bh = encode(random_dense(kdim * n, 4), d);
    void* a = upload<char>(ah.data(), ah.size());
    void* b = upload<char>(bh.data(), bh.size());
    void *ov = nullptr, *ov_ref = nullptr;
    CHECK_CUDA(cudaMalloc(&ov, nnz * d.size + 1));
    CHECK_CUDA(cudaMalloc(&ov_ref, nnz * d.size + 1));
    s4j_dense sa{a, d.s4j, S4J_DEVICE_CUDA, 0, 2, {m, kdim}, {kdim, 1}};
    s4j_dense sb{b, d.s4j, S4J_DEVICE_CUDA, 0, 2, {kdim, n}, {n, 1}};
    s4j_csr pat{m, n, nnz, rp, ci, nullptr, S4J_I32, d.s4j, S4J_DEVICE_CUDA, 0};  // pattern only
    s4j_csr res = pat;
    res.values = ov;
    Timing rows = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_sddmm_csr(g.alt, 1.0f, &sa, &sb, &pat, &res)); });
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    void* rows_dev = snapshot(ov, nnz * d.size);
    Timing ours = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_sddmm_csr(g.ctx, 1.0f, &sa, &sb, &pat, &res)); });
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    const double rows_diff = compare(rows_dev, ov, nnz, d);  // the two sparse4j kernels against each other
    cudaFree(rows_dev);
    std::vector<std::pair<std::string, std::string>> params{
        {"shape", std::to_string(m) + "x" + std::to_string(n)}, {"k", std::to_string(kdim)}, {"density", fmt(density)}, {"dtype", d.name}};
    out.add("GpuSddmm", "sparse4jSddmm", params, ours);
    out.add("GpuSddmm", "sparse4jSddmmPerNonzero", params, rows);
    std::printf("sddmm    %-12s k=%-5lld density=%-6g %-4s nnz=%-9lld sparse4j %9.1f us  per-nonzero %9.1f us (diff %.1e)",
                params[0].second.c_str(), (long long)kdim, density, d.name, (long long)nnz, ours.median, rows.median, rows_diff);
    if (d.s4j == S4J_F32) {  // cuSPARSE's SDDMM takes fp32 (and fp16) but no bf16
        cusparseDnMatDescr_t ma, mb;
        cusparseSpMatDescr_t mc;
        CHECK_SPARSE(cusparseCreateDnMat(&ma, m, kdim, kdim, a, d.cuda, CUSPARSE_ORDER_ROW));
        CHECK_SPARSE(cusparseCreateDnMat(&mb, kdim, n, n, b, d.cuda, CUSPARSE_ORDER_ROW));
        CHECK_SPARSE(cusparseCreateCsr(&mc, m, n, nnz, rp, ci, ov_ref, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                                       d.cuda));
        float alpha = 1, beta = 0;
        size_t bytes = 0;
        CHECK_SPARSE(cusparseSDDMM_bufferSize(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma,
                                              mb, &beta, mc, CUDA_R_32F, CUSPARSE_SDDMM_ALG_DEFAULT, &bytes));
        void* work = nullptr;
        CHECK_CUDA(cudaMalloc(&work, bytes + 1));
        CHECK_SPARSE(cusparseSDDMM_preprocess(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma,
                                              mb, &beta, mc, CUDA_R_32F, CUSPARSE_SDDMM_ALG_DEFAULT, work));
        Timing peer = time_it(g.stream, reps, [&] {
            CHECK_SPARSE(cusparseSDDMM(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma, mb,
                                       &beta, mc, CUDA_R_32F, CUSPARSE_SDDMM_ALG_DEFAULT, work));
        });
        out.add("GpuSddmm", "cusparseSddmm", params, peer);
        std::printf("  cusparse %9.1f us (%.2fx)  maxdiff %.1e", peer.median, peer.median / ours.median, compare(ov, ov_ref, nnz, d));
        cusparseDestroyDnMat(ma);
        cusparseDestroyDnMat(mb);
        cusparseDestroySpMat(mc);
        cudaFree(work);
    }
    std::printf("\n");
    std::fflush(stdout);
    cudaFree(rp);
    cudaFree(ci);
    cudaFree(a);
    cudaFree(b);
    cudaFree(ov);
    cudaFree(ov_ref);
}

// Activation-sparse GEMV at batch 1: y = W·x over the inputs with |x_j| > 0.05, W (M x K) given as
// Wt (K x M), against cuBLAS dense GEMV on W. Prints the bandwidth on the bytes actually needed
// (the active rows of Wt).
void gemv_case(Gpu& g, Results& out, int64_t m, int64_t kdim, double active, const Dtype& d, int reps) {
    std::vector<float> w = random_dense(m * kdim, 11);
    std::vector<float> wt(kdim * m);
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < kdim; ++j) wt[j * m + i] = w[i * kdim + j];
    std::vector<float> x(kdim);
    Rng rng(12);
    int64_t n_active = 0;
    for (auto& v : x) {
        bool on = rng.uniform() < active;
        n_active += on;
        v = on ? static_cast<float>(0.5 + 0.5 * rng.uniform()) : static_cast<float>(0.02 * rng.uniform() - 0.01);
    }
    std::vector<char> wh = encode(w, d), wth = encode(wt, d), xh = encode(x, d);
    void* wd = upload<char>(wh.data(), wh.size());
    void* wtd = upload<char>(wth.data(), wth.size());
    void* xd = upload<char>(xh.data(), xh.size());
    void *y = nullptr, *y_ref = nullptr;
    CHECK_CUDA(cudaMalloc(&y, m * d.size));
    CHECK_CUDA(cudaMalloc(&y_ref, m * d.size));
    s4j_dense swt{wtd, d.s4j, S4J_DEVICE_CUDA, 0, 2, {kdim, m}, {m, 1}};
    s4j_dense sx{xd, d.s4j, S4J_DEVICE_CUDA, 0, 1, {kdim}, {1}};
    s4j_dense sy{y, d.s4j, S4J_DEVICE_CUDA, 0, 1, {m}, {1}};
    // The two-step GEMV (selection on the device, then the product), forced by name, for comparison.
    Timing vec = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_gemv_sparse_x(g.alt, &swt, &sx, 0.05f, 0, &sy)); });
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    void* vec_dev = snapshot(y, m * d.size);
    Timing ours = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_gemv_sparse_x(g.ctx, &swt, &sx, 0.05f, 0, &sy)); });
    const std::string ours_impl = s4j_context_last_impl(g.ctx);
    float alpha = 1, beta = 0;
    // Row-major W (M x K) is column-major K x M: y = W·x is op(A) = transpose of that.
    Timing dense = time_it(g.stream, reps, [&] {
        CHECK_BLAS(cublasGemmEx(g.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, 1, kdim, &alpha, wd, d.cuda, kdim, xd, d.cuda, kdim, &beta,
                                y_ref, d.cuda, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    });
    // cuBLAS's dense GEMV over as many bytes as the active rows of Wᵀ: its first n_active rows
    // (contiguous, m x n_active column-major). y_ref is rewritten below.
    Timing same{0, 0};
    if (n_active > 0) same = time_dense_gemv(g, m, n_active, wtd, xd, y_ref, d, reps);
    // The dense product includes the near-zero inputs the sparse one drops, so compare against a
    // dense product of the thresholded x instead.
    std::vector<float> xt(x);
    for (auto& v : xt) v = std::fabs(v) > 0.05f ? v : 0.0f;
    std::vector<char> xth = encode(xt, d);
    void* xtd = upload<char>(xth.data(), xth.size());
    CHECK_BLAS(cublasGemmEx(g.blas, CUBLAS_OP_T, CUBLAS_OP_N, m, 1, kdim, &alpha, wd, d.cuda, kdim, xtd, d.cuda, kdim, &beta, y_ref,
                            d.cuda, m, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    double err = compare(y, y_ref, m, d);
    const double vec_err = compare(vec_dev, y_ref, m, d);
    cudaFree(vec_dev);
    std::vector<std::pair<std::string, std::string>> params{
        {"shape", std::to_string(m) + "x" + std::to_string(kdim)}, {"active", fmt(active)}, {"dtype", d.name}};
    const double bytes = static_cast<double>(n_active) * m * d.size;  // the active rows of Wᵀ
    out.add("GpuGemv", "sparse4jActivationSparse", params, ours, bytes);
    out.add("GpuGemv", "sparse4jActivationSparseTwoStep", params, vec, bytes);
    out.add("GpuGemv", "cublasDenseGemv", params, dense, static_cast<double>(m) * static_cast<double>(kdim) * d.size);
    if (n_active > 0) out.add("GpuGemv", "cublasDenseGemvSameBytes", params, same, bytes);
    std::printf("gemv     %-12s active=%-5g %-4s sparse4j %8.1f us (%.0f GB/s on the active rows) [%s]  two-step %8.1f us (%.0f GB/s, "
                "maxdiff %.1e)  cublas dense %8.1f us (%.2fx)  cublas dense on as many bytes %8.1f us (%.0f GB/s)  maxdiff %.1e\n",
                params[0].second.c_str(), active, d.name, ours.median, bytes / (ours.median * 1e3), ours_impl.c_str(), vec.median,
                bytes / (vec.median * 1e3), vec_err, dense.median, dense.median / ours.median, same.median,
                same.median > 0 ? bytes / (same.median * 1e3) : 0.0, err);
    std::fflush(stdout);
    cudaFree(wd);
    cudaFree(wtd);
    cudaFree(xd);
    cudaFree(xtd);
    cudaFree(y);
    cudaFree(y_ref);
}

// BSR SpMM with 16x16 blocks kept with probability `density`: the default kernel (tensor cores for
// fp16/bf16), the thread-per-output alternative, cuSPARSE's BSR SpMM and cuBLAS dense.
void bsr_case(Gpu& g, Results& out, int64_t m, int64_t k, int64_t n, double density, const Dtype& d, int reps) {
    const int64_t bs = 16, brows = m / bs, bcols = k / bs;
    Rng rng(500 + m + n);
    std::vector<int32_t> rp(brows + 1, 0), ci;
    for (int64_t i = 0; i < brows; ++i) {
        for (int64_t j = 0; j < bcols; ++j)
            if (rng.uniform() < density) ci.push_back(static_cast<int32_t>(j));
        rp[i + 1] = static_cast<int32_t>(ci.size());
    }
    const int64_t nnzb = static_cast<int64_t>(ci.size());
    std::vector<float> vals = random_dense(nnzb * bs * bs, 21), dense(m * k, 0.0f);
    for (int64_t i = 0; i < brows; ++i)
        for (int32_t p = rp[i]; p < rp[i + 1]; ++p)
            for (int64_t r = 0; r < bs; ++r)
                for (int64_t q = 0; q < bs; ++q) dense[(i * bs + r) * k + ci[p] * bs + q] = vals[(p * bs + r) * bs + q];
    std::vector<char> vh = encode(vals, d), bh = encode(random_dense(k * n, 22), d), dh = encode(dense, d);
    int32_t* drp = upload<int32_t>(rp.data(), rp.size() * 4);
    int32_t* dci = upload<int32_t>(ci.data(), ci.size() * 4);
    void* dv = upload<char>(vh.data(), vh.size());
    void* db = upload<char>(bh.data(), bh.size());
    void* dd = upload<char>(dh.data(), dh.size());
    void *c = nullptr, *c_ref = nullptr;
    CHECK_CUDA(cudaMalloc(&c, m * n * d.size));
    CHECK_CUDA(cudaMalloc(&c_ref, m * n * d.size));
    s4j_bsr sa{m, k, bs, bs, nnzb, drp, dci, dv, S4J_I32, d.s4j, S4J_DEVICE_CUDA, 0};
    s4j_dense sb{db, d.s4j, S4J_DEVICE_CUDA, 0, 2, {k, n}, {n, 1}};
    s4j_dense sc{c, d.s4j, S4J_DEVICE_CUDA, 0, 2, {m, n}, {n, 1}};
    Timing alt = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmm_bsr(g.alt, 1.0f, &sa, &sb, 0.0f, &sc)); });
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    void* alt_dev = snapshot(c, m * n * d.size);
    Timing ours = time_it(g.stream, reps, [&] { CHECK_S4J(s4j_spmm_bsr(g.ctx, 1.0f, &sa, &sb, 0.0f, &sc)); });
    const std::string ours_impl = s4j_context_last_impl(g.ctx);
    float alpha = 1, beta = 0;
    cusparseSpMatDescr_t ma;
    cusparseDnMatDescr_t mb, mc;
    CHECK_SPARSE(cusparseCreateBsr(&ma, brows, bcols, nnzb, bs, bs, drp, dci, dv, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                   CUSPARSE_INDEX_BASE_ZERO, d.cuda, CUSPARSE_ORDER_ROW));
    CHECK_SPARSE(cusparseCreateDnMat(&mb, k, n, n, db, d.cuda, CUSPARSE_ORDER_ROW));
    CHECK_SPARSE(cusparseCreateDnMat(&mc, m, n, n, c_ref, d.cuda, CUSPARSE_ORDER_ROW));
    size_t bytes = 0;
    void* work = nullptr;
    Timing peer{0, 0};
    // cuSPARSE's BSR SpMM does not take every dtype and layout: then there is no cuSPARSE column
    // and the results are checked against cuBLAS instead.
    const bool have_peer = cusparseSpMM_bufferSize(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha,
                                                   ma, mb, &beta, mc, CUDA_R_32F, CUSPARSE_SPMM_BSR_ALG1, &bytes) == CUSPARSE_STATUS_SUCCESS;
    if (have_peer) {
        CHECK_CUDA(cudaMalloc(&work, bytes + 1));
        peer = time_it(g.stream, reps, [&] {
            CHECK_SPARSE(cusparseSpMM(g.sparse, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, ma, mb, &beta,
                                      mc, CUDA_R_32F, CUSPARSE_SPMM_BSR_ALG1, work));
        });
    }
    Timing dense_t = time_it(g.stream, reps, [&] {
        CHECK_BLAS(cublasGemmEx(g.blas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, db, d.cuda, n, dd, d.cuda, k, &beta, c_ref, d.cuda, n,
                                CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    });
    CHECK_CUDA(cudaStreamSynchronize(g.stream));
    const double err = compare(c, c_ref, m * n, d);  // against cuBLAS on the dense copy
    const double alt_err = compare(alt_dev, c_ref, m * n, d);
    cudaFree(alt_dev);
    std::vector<std::pair<std::string, std::string>> params{
        {"shape", std::to_string(m) + "x" + std::to_string(k)}, {"n", std::to_string(n)}, {"block_density", fmt(density)}, {"dtype", d.name}};
    out.add("GpuBsr", "sparse4jBsr", params, ours);
    out.add("GpuBsr", "sparse4jBsrSimple", params, alt);
    if (have_peer) out.add("GpuBsr", "cusparseBsrSpmm", params, peer);
    out.add("GpuBsr", "cublasDense", params, dense_t);
    std::printf("bsr      %-12s n=%-5lld blocks=%-5g %-4s sparse4j %9.1f us [%s]  simple %9.1f us (diff %.1e)  cusparse %9.1f us (%.2fx)  "
                "cublas %9.1f us (%.2fx)  maxdiff %.1e\n",
                params[0].second.c_str(), (long long)n, density, d.name, ours.median, ours_impl.c_str(), alt.median, alt_err, peer.median,
                peer.median / ours.median, dense_t.median, dense_t.median / ours.median, err);
    std::fflush(stdout);
    cusparseDestroySpMat(ma);
    cusparseDestroyDnMat(mb);
    cusparseDestroyDnMat(mc);
    cudaFree(work);
    cudaFree(drp);
    cudaFree(dci);
    cudaFree(dv);
    cudaFree(db);
    cudaFree(dd);
    cudaFree(c);
    cudaFree(c_ref);
}

}  // namespace

int main(int argc, char** argv) {
    std::string suite = "all", path = "gpu.json";
    bool quick = false, cold = false;
    int64_t only_n = 0;  // --batch N: the LLM suite runs only N columns of B (1, 16 or 2048); other suites ignore it
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--suite" && i + 1 < argc) suite = argv[++i];
        else if (a == "--out" && i + 1 < argc) path = argv[++i];
        else if (a == "--quick") quick = true;
        else if (a == "--cold") cold = true;
        else if (a == "--batch" && i + 1 < argc) only_n = std::atoll(argv[++i]);
        else {
            std::fprintf(stderr, "usage: gpu_bench [--suite density|llm|sddmm|gemv|bsr|all] [--out FILE.json] [--quick] [--batch N] [--cold]\n");
            return 2;
        }
    }
    Gpu g;
    CHECK_CUDA(cudaSetDevice(0));
    cudaDeviceProp prop;
    CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
    std::printf("device: %s, %d SMs, L2 %d MiB%s\n", prop.name, prop.multiProcessorCount, prop.l2CacheSize >> 20,
                cold ? ", L2 flushed (read) before each timed call" : "");
    if (cold) {
        const size_t bytes = 2 * static_cast<size_t>(prop.l2CacheSize);
        void* buf = nullptr;
        CHECK_CUDA(cudaMalloc(&buf, bytes));
        CHECK_CUDA(cudaMemset(buf, 0, bytes));
        CHECK_CUDA(cudaMalloc(&g_flush_sink, sizeof(unsigned)));
        g_flush = static_cast<const uint4*>(buf);
        g_flush_vecs = bytes / sizeof(uint4);
        // The memset left the buffer's last lines dirty in L2: two reads of it write them back now.
        flush_l2(nullptr);
        flush_l2(nullptr);
        CHECK_CUDA(cudaDeviceSynchronize());
    }
    CHECK_CUDA(cudaStreamCreate(&g.stream));
    CHECK_SPARSE(cusparseCreate(&g.sparse));
    CHECK_SPARSE(cusparseSetStream(g.sparse, g.stream));
    CHECK_BLAS(cublasCreate(&g.blas));
    CHECK_BLAS(cublasSetStream(g.blas, g.stream));
    CHECK_S4J(s4j_context_create(&g.ctx, S4J_DEVICE_CUDA, 0, 0));
    CHECK_S4J(s4j_context_set_stream(g.ctx, g.stream));
    CHECK_S4J(s4j_context_create(&g.alt, S4J_DEVICE_CUDA, 0, 0));
    CHECK_S4J(s4j_context_set_stream(g.alt, g.stream));
    CHECK_S4J(s4j_context_force_impl(g.alt, S4J_OP_SPMM_CSR, "cuda:spmm_csr"));
    CHECK_S4J(s4j_context_force_impl(g.alt, S4J_OP_SPMV_CSR, "cuda:spmv_csr_merge"));
    CHECK_S4J(s4j_context_force_impl(g.alt, S4J_OP_SDDMM_CSR, "cuda:sddmm_csr"));
    CHECK_S4J(s4j_context_force_impl(g.alt, S4J_OP_GEMV_SPARSE_X, "cuda:gemv_sparse_x_vec"));
    CHECK_S4J(s4j_context_force_impl(g.alt, S4J_OP_SPMM_BSR, "cuda:spmm_bsr"));
    const int reps = 21;
    Results out;
    out.path = path;
    if (suite == "density" || suite == "all") {
        for (double dens : {0.30, 0.20, 0.10, 0.05, 0.01, 0.001})
            spmm_case(g, out, "GpuSpmm", 8192, 8192, 256, dens, false, kF32, true, reps);
        for (double dens : {0.05, 0.01}) spmm_case(g, out, "GpuSpmm", 8192, 8192, 256, dens, true, kF32, false, reps);
    }
    if (suite == "llm" || suite == "all") {
        const int64_t shapes[4][2] = {{4096, 4096}, {11008, 4096}, {4096, 11008}, {14336, 4096}};
        for (const Dtype* d : {&kF16, &kBF16, &kF32}) {
            for (auto& s : shapes) {
                for (int64_t n : {int64_t{1}, int64_t{16}, int64_t{2048}}) {
                    if (quick && (s[0] == 11008 || s[1] == 11008)) continue;
                    if (only_n > 0 && n != only_n) continue;
                    if (d == &kF32 && n == 2048) continue;  // the fp32 comparison is the density sweep's
                    for (double sparsity : {0.5, 0.7, 0.8, 0.9, 0.95})
                        spmm_case(g, out, "GpuLlm", s[0], s[1], n, 1.0 - sparsity, false, *d, n > 1, reps);
                }
            }
        }
    }
    if (suite == "gemv" || suite == "all") {
        for (const Dtype* d : {&kF16, &kBF16, &kF32})
            for (double active : {0.05, 0.1, 0.25, 0.5}) {
                gemv_case(g, out, 4096, 11008, active, *d, reps);
                if (!quick) gemv_case(g, out, 14336, 4096, active, *d, reps);
            }
    }
    if (suite == "bsr" || suite == "all") {
        for (const Dtype* d : {&kF16, &kBF16})
            for (double dens : {0.3, 0.1, 0.05}) {
                bsr_case(g, out, 4096, 4096, 2048, dens, *d, reps);
                if (!quick) bsr_case(g, out, 8192, 8192, 256, dens, *d, reps);
            }
    }
    if (suite == "sddmm" || suite == "all") {
        for (double dens : {0.10, 0.05, 0.01}) {
            sddmm_case(g, out, 8192, 8192, 256, dens, kF32, reps);
            sddmm_case(g, out, 8192, 8192, 256, dens, kBF16, reps);
        }
    }
    out.save();
    std::printf("wrote %s\n", path.c_str());
    s4j_context_destroy(g.ctx);
    s4j_context_destroy(g.alt);
    return 0;
}
