// The calls from the CPU side of the library into the CUDA module (cuda/common/runtime.cu). They are
// weak: in a build without CUDA they stay null and device.cc answers S4J_UNSUPPORTED instead.
#pragma once

#include "internal.h"

namespace s4j {
namespace cuda_bridge {

s4j_status alloc(int32_t device, int64_t bytes, void** out) __attribute__((weak));
s4j_status free(int32_t device, void* ptr) __attribute__((weak));
s4j_status memcpy(void* dst, const void* src, int64_t bytes) __attribute__((weak));
s4j_status pool_stats(int32_t device, int64_t* reserved, int64_t* used) __attribute__((weak));
s4j_status stream_create(int32_t device, void** out) __attribute__((weak));
s4j_status stream_destroy(int32_t device, void* stream) __attribute__((weak));
s4j_status synchronize(int32_t device, void* stream) __attribute__((weak));

}  // namespace cuda_bridge
}  // namespace s4j
