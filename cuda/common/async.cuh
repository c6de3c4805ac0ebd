// cp.async copies from global into shared memory, shared by the kernels that stage operands
// through shared memory (the CSR row-block kernel, the 2:4 kernels).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace s4j {
namespace cuda {

__device__ __forceinline__ uint32_t smem_addr(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }

// 16 bytes from gmem to smem.
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(smem_addr(smem)), "l"(gmem));
}
// 16 bytes from src to the shared address dst; with full false, 16 zero bytes and no read.
__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src, bool full) {
    const int bytes = full ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
// Waits until at most N committed groups of this thread are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

}  // namespace cuda
}  // namespace s4j
