// Value types on the device: storage T (float, __half, __nv_bfloat16, double) and the type its
// products accumulate in (fp32 for the 16-bit types, as on the CPU; fp64 for fp64).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "sparse4j.h"

namespace s4j {
namespace cuda {

template <typename T>
struct value_traits {
    using acc = float;
};
template <>
struct value_traits<double> {
    using acc = double;
};

__device__ __forceinline__ float to_acc(float v) { return v; }
__device__ __forceinline__ double to_acc(double v) { return v; }
__device__ __forceinline__ float to_acc(__half v) { return __half2float(v); }
__device__ __forceinline__ float to_acc(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T>
__device__ __forceinline__ T from_acc(typename value_traits<T>::acc v);
template <>
__device__ __forceinline__ float from_acc<float>(float v) { return v; }
template <>
__device__ __forceinline__ double from_acc<double>(double v) { return v; }
template <>
__device__ __forceinline__ __half from_acc<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 from_acc<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Calls f(T*) with the device storage type of a float dtype; false for others.
template <typename F>
bool with_device_type(s4j_dtype dtype, F&& f) {
    switch (dtype) {
        case S4J_F32: f(static_cast<float*>(nullptr)); return true;
        case S4J_F64: f(static_cast<double*>(nullptr)); return true;
        case S4J_F16: f(static_cast<__half*>(nullptr)); return true;
        case S4J_BF16: f(static_cast<__nv_bfloat16*>(nullptr)); return true;
        default: return false;
    }
}

}  // namespace cuda
}  // namespace s4j
