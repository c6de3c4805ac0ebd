// Helpers every CUDA file of the backend shares: CUDA errors as sparse4j statuses naming the call,
// and the device/stream an op runs on.
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "../../native/src/internal.h"

namespace s4j {
namespace cuda {

// A CUDA error as a status: out of memory stays S4J_OUT_OF_MEMORY (NativeOutOfMemoryError in Java),
// everything else is S4J_CUDA_ERROR with the error's name, its text and the call that returned it.
inline s4j_status cuda_fail(cudaError_t err, const char* call) {
    s4j_status st = err == cudaErrorMemoryAllocation ? S4J_OUT_OF_MEMORY : S4J_CUDA_ERROR;
    return fail(st, "%s: %s: %s", call, cudaGetErrorName(err), cudaGetErrorString(err));
}

#define S4J_CUDA_TRY(call)                                          \
    do {                                                            \
        cudaError_t err_ = (call);                                  \
        if (err_ != cudaSuccess) {                                  \
            cudaGetLastError(); /* clear a sticky launch error */   \
            return ::s4j::cuda::cuda_fail(err_, #call);             \
        }                                                           \
    } while (0)

// After a kernel launch: a bad configuration or a missing kernel image shows up here.
#define S4J_CUDA_LAUNCHED(name)                                     \
    do {                                                            \
        cudaError_t err_ = cudaGetLastError();                      \
        if (err_ != cudaSuccess) return ::s4j::cuda::cuda_fail(err_, "launch of " name); \
    } while (0)

// Makes device current on this thread, its memory pool set up to keep freed memory (runtime.cu).
s4j_status use_device(int32_t device);

inline cudaStream_t stream_of(const exec_env& env) { return static_cast<cudaStream_t>(env.stream); }

// Multiprocessors of the first device an op ran on (read once; grids are sized by it).
inline int sm_count() {
    static const int count = [] {
        int dev = 0, v = 0;
        cudaGetDevice(&dev);
        return cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess && v > 0 ? v : 108;
    }();
    return count;
}

// A dense operand whose rows a lane can read or write 16 bytes at a time: unit column stride, row
// stride and N multiples of the 16-byte vector, 16-byte aligned data.
template <typename T>
inline bool rows_vec16(const s4j_dense* d, int64_t rows, int64_t n) {
    constexpr int64_t E = 16 / sizeof(T);
    return (d->strides[1] == 1 || n == 1) && n % E == 0 && (rows <= 1 || d->strides[0] % E == 0) &&
           reinterpret_cast<uintptr_t>(d->data) % 16 == 0;
}

// L2 bytes of the first device an op ran on (read once, like sm_count).
inline int64_t l2_bytes() {
    static const int64_t bytes = [] {
        int dev = 0, v = 0;
        cudaGetDevice(&dev);
        return cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, dev) == cudaSuccess && v > 0 ? int64_t{v} : int64_t{40} << 20;
    }();
    return bytes;
}

// Whether device runs thread-block clusters for the library's sm_90a code: compute capability 9.0
// with cluster launch, read once per device (devices past the 64th are answered no).
inline bool cluster_launch_ok(int32_t device) {
    if (device < 0 || device >= 64) return false;
    // S4J_CUDA_CLUSTERS=0 turns clusters off in the whole process (read once): the kernels' unclustered
    // fallbacks then run on every GPU, which is how the GPU conformance script tests them on a Hopper.
    static const bool off = [] {
        const char* e = std::getenv("S4J_CUDA_CLUSTERS");
        return e != nullptr && std::strcmp(e, "0") == 0;
    }();
    if (off) return false;
    static std::atomic<int> state[64];  // 0 not read yet, 1 yes, 2 no
    int v = state[device].load();
    if (v == 0) {
        int major = 0, minor = 0, cluster = 0;
        const bool read = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess &&
                          cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess &&
                          cudaDeviceGetAttribute(&cluster, cudaDevAttrClusterLaunch, device) == cudaSuccess;
        if (!read) cudaGetLastError();  // an attribute the driver could not give is a no, not an error for the next check
        v = read && major == 9 && minor == 0 && cluster != 0 ? 1 : 2;
        state[device].store(v);
    }
    return v == 1;
}

// partial[s · m + i] summed over s in [0, splits), in order (so a result does not depend on
// timing), eight loads issued before they are added.
__device__ __forceinline__ float ordered_partial_sum(const float* __restrict__ partial, int64_t m, int64_t i, int64_t splits) {
    constexpr int U = 8;
    float sum = 0.0f;
    for (int64_t s0 = 0; s0 < splits; s0 += U) {
        float v[U];
#pragma unroll
        for (int u = 0; u < U; ++u) v[u] = s0 + u < splits ? partial[(s0 + u) * m + i] : 0.0f;
#pragma unroll
        for (int u = 0; u < U; ++u)
            if (s0 + u < splits) sum += v[u];
    }
    return sum;
}

// One flag per device (devices past the 64th share the last), false until set.
class DeviceFlags {
   public:
    std::atomic<bool>& operator[](int32_t device) { return flags_[device >= 0 && device < 64 ? device : 63]; }

   private:
    std::atomic<bool> flags_[64] = {};
};

// Launches kernel(args...) on grid in clusters of cluster_y blocks along y (smem bytes of dynamic
// shared memory, the kernel's limit raised to it), where the device runs clusters and no launch of
// this kernel has failed to place them on it (failed: the caller's flags for this kernel).
// kDeclined means take the unclustered path: a cluster that cannot be placed (a GPU partition with
// too few SMs a cluster, say) is a launch-configuration error, which does not stick; it is cleared
// and remembered for the device. Any other error is returned.
template <typename... Params, typename... Args>
s4j_status launch_clustered(DeviceFlags& failed, int32_t device, const char* name, void (*kernel)(Params...), dim3 grid, dim3 block,
                            size_t smem, cudaStream_t stream, unsigned cluster_y, Args&&... args) {
    if (!cluster_launch_ok(device) || failed[device].load()) return kDeclined;
    if (smem > 0) S4J_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = grid;
    cfg.blockDim = block;
    cfg.dynamicSmemBytes = smem;
    cfg.stream = stream;
    cudaLaunchAttribute attr[1];
    attr[0].id = cudaLaunchAttributeClusterDimension;
    attr[0].val.clusterDim.x = 1;
    attr[0].val.clusterDim.y = cluster_y;
    attr[0].val.clusterDim.z = 1;
    cfg.attrs = attr;
    cfg.numAttrs = 1;
    const cudaError_t err = cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...);
    if (err == cudaSuccess) return S4J_OK;
    cudaGetLastError();  // a non-sticky error must not be reported by the next launch check
    if (err != cudaErrorInvalidClusterSize && err != cudaErrorLaunchOutOfResources && err != cudaErrorInvalidConfiguration)
        return cuda_fail(err, name);
    failed[device].store(true);
    return kDeclined;
}

// Stream-ordered scratch memory for one op, from the device's pool, freed on the op's stream when the
// op's host side returns (the kernels that use it are queued before the free, so the order holds).
class Workspace {
public:
    explicit Workspace(cudaStream_t s) : stream_(s) {}
    ~Workspace() {
        for (int i = 0; i < n_; ++i) cudaFreeAsync(blocks_[i], stream_);
    }
    // count values of T, 256-byte aligned. Small requests share slabs of kSlab bytes, so an op's
    // scratch costs one or two pool calls instead of one per buffer (host time is what bounds the
    // small ops).
    template <typename T>
    s4j_status take(int64_t count, T** out) {
        *out = nullptr;
        const size_t bytes = (static_cast<size_t>(count > 0 ? count : 1) * sizeof(T) + 255) / 256 * 256;
        if (bytes > left_) {
            if (n_ == kMax) return fail(S4J_INTERNAL, "workspace: too many blocks");
            const size_t size = bytes > kSlab ? bytes : kSlab;
            void* p = nullptr;
            S4J_CUDA_TRY(cudaMallocAsync(&p, size, stream_));
            blocks_[n_++] = p;
            next_ = static_cast<char*>(p);
            left_ = size;
        }
        *out = reinterpret_cast<T*>(next_);
        next_ += bytes;
        left_ -= bytes;
        return S4J_OK;
    }

private:
    static constexpr int kMax = 16;
    static constexpr size_t kSlab = size_t{1} << 20;
    cudaStream_t stream_;
    void* blocks_[kMax] = {};
    int n_ = 0;
    char* next_ = nullptr;
    size_t left_ = 0;
};

}  // namespace cuda
}  // namespace s4j
