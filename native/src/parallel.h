// Work splitting for the CPU kernels: a process-wide pool of worker threads and splits of CSR rows
// balanced by nnz, so power-law rows do not leave threads idle.
#pragma once

#include <cstdint>

namespace s4j {

// A task body: fn(arg, task). A plain function pointer rather than std::function, so kernels
// compiled with ISA flags instantiate no template shared with the rest of the library (the linker
// could otherwise keep an AVX-512 copy of it for code that runs on any CPU).
using task_fn = void (*)(const void* arg, int64_t task);

// Runs fn(arg, task) for every task in [0, tasks) on at most `threads` threads, the caller
// included. fn must not throw. Returns when every task has finished.
void parallel_for(int32_t threads, int64_t tasks, task_fn fn, const void* arg);

// bounds[0..parts] splits rows [0, rows) into `parts` ranges of about equal weight, where a row
// weighs (its nnz + row_cost). Ranges may be empty.
template <typename I>
void balanced_splits(const I* row_ptr, int64_t rows, int64_t parts, int64_t row_cost, int64_t* bounds) {
    int64_t base = static_cast<int64_t>(row_ptr[0]);
    int64_t total = static_cast<int64_t>(row_ptr[rows]) - base + rows * row_cost;
    bounds[0] = 0;
    for (int64_t p = 1; p < parts; ++p) {
        // The first row whose prefix weight reaches p/parts of the total.
        int64_t target = total / parts * p + (total % parts) * p / parts;
        int64_t lo = bounds[p - 1], hi = rows;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            int64_t w = static_cast<int64_t>(row_ptr[mid]) - base + mid * row_cost;
            if (w < target) lo = mid + 1; else hi = mid;
        }
        bounds[p] = lo;
    }
    bounds[parts] = rows;
}

}  // namespace s4j
