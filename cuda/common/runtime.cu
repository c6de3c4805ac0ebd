// Device memory, copies and streams for the C ABI (native/src/device.cc calls these through
// native/src/cuda_bridge.h). Memory comes from each device's default stream-ordered pool with its
// release threshold raised, so freed blocks stay with the process and are reused: repeated calls of
// similar sizes never reach cudaMalloc (CUDA's pool does this well; we do not write our own).
#include <cstdint>
#include <mutex>

#include "../../native/src/cuda_bridge.h"
#include "util.cuh"

namespace s4j {
namespace cuda {
namespace {

constexpr int kMaxDevices = 64;

s4j_status prepare_pool(int32_t device) {
    static std::once_flag once[kMaxDevices];
    static s4j_status result[kMaxDevices];
    if (device >= kMaxDevices) return fail(S4J_UNSUPPORTED, "CUDA device %d: more than %d devices", device, kMaxDevices);
    std::call_once(once[device], [device] {
        result[device] = [device]() -> s4j_status {
            cudaMemPool_t pool;
            S4J_CUDA_TRY(cudaDeviceGetDefaultMemPool(&pool, device));
            uint64_t keep = UINT64_MAX;
            S4J_CUDA_TRY(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
            return S4J_OK;
        }();
    });
    return result[device] == S4J_OK ? S4J_OK
                                     : fail(result[device], "CUDA device %d: its memory pool could not be set up", device);
}

}  // namespace

s4j_status use_device(int32_t device) {
    S4J_CUDA_TRY(cudaSetDevice(device));
    return prepare_pool(device);
}

}  // namespace cuda

namespace cuda_bridge {

s4j_status alloc(int32_t device, int64_t bytes, void** out) {
    S4J_TRY(cuda::use_device(device));
    void* p = nullptr;
    S4J_CUDA_TRY(cudaMallocAsync(&p, static_cast<size_t>(bytes > 0 ? bytes : 1), nullptr));
    cudaError_t err = cudaMemsetAsync(p, 0, static_cast<size_t>(bytes), nullptr);
    if (err == cudaSuccess) err = cudaStreamSynchronize(nullptr);
    if (err != cudaSuccess) {
        cudaFreeAsync(p, nullptr);
        return cuda::cuda_fail(err, "cudaMemsetAsync");
    }
    *out = p;
    return S4J_OK;
}

s4j_status free(int32_t device, void* ptr) {
    S4J_CUDA_TRY(cudaSetDevice(device));
    S4J_CUDA_TRY(cudaFreeAsync(ptr, nullptr));
    return S4J_OK;
}

s4j_status memcpy(void* dst, const void* src, int64_t bytes) {
    // The copy runs on the legacy stream of the current device: make that the device owning the
    // memory, so the copy waits for the work queued there (device to host, or host to device).
    for (const void* p : {static_cast<const void*>(dst), src}) {
        cudaPointerAttributes attr;
        if (cudaPointerGetAttributes(&attr, p) == cudaSuccess && attr.type == cudaMemoryTypeDevice) {
            S4J_CUDA_TRY(cudaSetDevice(attr.device));
            break;
        }
        cudaGetLastError();  // a plain host pointer is not an error to keep
    }
    S4J_CUDA_TRY(cudaMemcpy(dst, src, static_cast<size_t>(bytes), cudaMemcpyDefault));
    return S4J_OK;
}

s4j_status pool_stats(int32_t device, int64_t* reserved, int64_t* used) {
    S4J_TRY(cuda::use_device(device));
    cudaMemPool_t pool;
    S4J_CUDA_TRY(cudaDeviceGetDefaultMemPool(&pool, device));
    uint64_t r = 0, u = 0;
    S4J_CUDA_TRY(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &r));
    S4J_CUDA_TRY(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &u));
    *reserved = static_cast<int64_t>(r);
    *used = static_cast<int64_t>(u);
    return S4J_OK;
}

s4j_status stream_create(int32_t device, void** out) {
    S4J_CUDA_TRY(cudaSetDevice(device));
    cudaStream_t s;
    S4J_CUDA_TRY(cudaStreamCreate(&s));
    *out = s;
    return S4J_OK;
}

s4j_status stream_destroy(int32_t device, void* stream) {
    S4J_CUDA_TRY(cudaSetDevice(device));
    S4J_CUDA_TRY(cudaStreamDestroy(static_cast<cudaStream_t>(stream)));
    return S4J_OK;
}

s4j_status synchronize(int32_t device, void* stream) {
    S4J_CUDA_TRY(cudaSetDevice(device));
    S4J_CUDA_TRY(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
    return S4J_OK;
}

}  // namespace cuda_bridge
}  // namespace s4j
