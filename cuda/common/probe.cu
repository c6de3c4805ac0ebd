// Reports the CUDA devices this process can use, or why there are none. Called once by
// native/src/backends.cc; the runtime is linked statically, so a machine without a driver gets
// cudaErrorInsufficientDriver here rather than a failure to load the library.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

extern "C" __attribute__((visibility("default"))) int s4j_cuda_probe(int* count, char* reason, size_t reason_size,
                                                                      char* report, size_t report_size) {
    *count = 0;
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
        const char* why = err == cudaErrorInsufficientDriver ? "no NVIDIA driver is loaded (or it is older than this CUDA runtime)"
                          : err == cudaErrorNoDevice         ? "no CUDA-capable device is present"
                                                             : "the CUDA runtime failed to start";
        std::snprintf(reason, reason_size, "%s (%s: %s)", why, cudaGetErrorName(err), cudaGetErrorString(err));
        cudaGetLastError();
        return 0;
    }
    if (n == 0) {
        std::snprintf(reason, reason_size, "no CUDA-capable device is present");
        return 0;
    }
    size_t used = 0;
    for (int i = 0; i < n && used < report_size; ++i) {
        cudaDeviceProp p;
        if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
        used += std::snprintf(report + used, report_size - used, "cuda.%d=%s sm_%d%d %.1f GiB %d SMs\n", i, p.name, p.major,
                              p.minor, p.totalGlobalMem / 1073741824.0, p.multiProcessorCount);
    }
    *count = n;
    return n;
}
