// The C ABI of CUDA device memory and streams. The work is done by the CUDA module; a build or a
// machine without CUDA gets S4J_UNSUPPORTED naming the reason, never a crash.
#include "cuda_bridge.h"
#include "internal.h"

namespace s4j {
namespace {

// Checks that the CUDA module is there and the device exists.
s4j_status usable(const char* what, bool present, int32_t device) {
    if (!present || s4j_cuda_device_count() == 0)
        return fail(S4J_UNSUPPORTED, "%s: no CUDA backend: %s", what, s4j_cuda_unavailable_reason());
    if (device < 0 || device >= s4j_cuda_device_count())
        return fail(S4J_INVALID_ARGUMENT, "%s: CUDA device %d does not exist (%d found)", what, device, s4j_cuda_device_count());
    return S4J_OK;
}

}  // namespace
}  // namespace s4j

using namespace s4j;

extern "C" {

s4j_status s4j_cuda_alloc(int32_t device_index, int64_t bytes, void** out) {
    if (!out) return fail(S4J_INVALID_ARGUMENT, "cuda_alloc: output pointer is null");
    *out = nullptr;
    if (bytes < 0) return fail(S4J_INVALID_ARGUMENT, "cuda_alloc: negative size %lld", static_cast<long long>(bytes));
    S4J_TRY(usable("cuda_alloc", cuda_bridge::alloc != nullptr, device_index));
    return cuda_bridge::alloc(device_index, bytes, out);
}

s4j_status s4j_cuda_free(int32_t device_index, void* ptr) {
    if (!ptr) return S4J_OK;
    S4J_TRY(usable("cuda_free", cuda_bridge::free != nullptr, device_index));
    return cuda_bridge::free(device_index, ptr);
}

s4j_status s4j_cuda_memcpy(void* dst, const void* src, int64_t bytes) {
    if (bytes < 0) return fail(S4J_INVALID_ARGUMENT, "cuda_memcpy: negative size %lld", static_cast<long long>(bytes));
    if (bytes == 0) return S4J_OK;
    if (!dst || !src) return fail(S4J_INVALID_ARGUMENT, "cuda_memcpy: null %s pointer", dst ? "source" : "destination");
    S4J_TRY(usable("cuda_memcpy", cuda_bridge::memcpy != nullptr, 0));
    return cuda_bridge::memcpy(dst, src, bytes);
}

s4j_status s4j_cuda_pool_stats(int32_t device_index, int64_t* reserved, int64_t* used) {
    if (!reserved || !used) return fail(S4J_INVALID_ARGUMENT, "cuda_pool_stats: output pointer is null");
    S4J_TRY(usable("cuda_pool_stats", cuda_bridge::pool_stats != nullptr, device_index));
    return cuda_bridge::pool_stats(device_index, reserved, used);
}

s4j_status s4j_cuda_stream_create(int32_t device_index, void** out) {
    if (!out) return fail(S4J_INVALID_ARGUMENT, "cuda_stream_create: output pointer is null");
    *out = nullptr;
    S4J_TRY(usable("cuda_stream_create", cuda_bridge::stream_create != nullptr, device_index));
    return cuda_bridge::stream_create(device_index, out);
}

s4j_status s4j_cuda_stream_destroy(int32_t device_index, void* stream) {
    if (!stream) return S4J_OK;
    S4J_TRY(usable("cuda_stream_destroy", cuda_bridge::stream_destroy != nullptr, device_index));
    return cuda_bridge::stream_destroy(device_index, stream);
}

}  // extern "C"
