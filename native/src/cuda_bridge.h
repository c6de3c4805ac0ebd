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

// An fp16/bf16 CSR split into a 2:4 part for sparse tensor cores and a CSR remainder
// (cuda/spmm/split24.cu). create answers kDeclined where the device or dtype cannot take it.
struct split24;
s4j_status split24_create(int32_t device, void* stream, const s4j_csr* a, split24** out) __attribute__((weak));
// C = alpha * A24 * B + beta * C for the 2:4 part, plus the remainder where *remainder_done comes
// back true (the Hopper TMA kernel adds it in its epilogue); otherwise the caller adds it.
// impl: the name of the kernel that ran.
s4j_status split24_execute(const exec_env& env, const split24* s, float alpha, const s4j_dense* b, float beta,
                           s4j_dense* c, const char** impl, bool* remainder_done) __attribute__((weak));
const s4j_csr* split24_remainder(const split24* s) __attribute__((weak));
int64_t split24_device_bytes(const split24* s) __attribute__((weak));
int split24_layers(const split24* s) __attribute__((weak));
// Waits for the device's queued work, frees the split, and returns the first asynchronous error.
s4j_status split24_destroy(int32_t device, split24* s) __attribute__((weak));

}  // namespace cuda_bridge
}  // namespace s4j
