// Helpers every CUDA file of the backend shares: CUDA errors as sparse4j statuses naming the call,
// and the device/stream an op runs on.
#pragma once

#include <cuda_runtime.h>

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
