// Contexts: the device, the CPU thread count and the backend cap for the calls made on them.
#include "internal.h"
#include "cuda_bridge.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

struct s4j_context_t {
    int32_t device;
    int32_t device_index;
    int32_t threads;
    s4j_backend cap;
    const char* last_impl;
    void* stream;
    const char* forced[S4J_OP_COUNT];  // names from the dispatch table (static storage), or nullptr
};

namespace s4j {

namespace {

// The cap a new CPU context starts with: the best tier, or SPARSE4J_BACKEND when it is set.
s4j_status env_cap(s4j_backend* cap) {
    const env_tier& env = env_backend();
    if (!env.set) return S4J_OK;
    if (!env.valid)
        return fail(S4J_INVALID_ARGUMENT,
                    "SPARSE4J_BACKEND=%s is not a CPU backend (reference, cpu-scalar, cpu-avx2, cpu-avx512)", env.raw.c_str());
    if (env.cap > s4j_cpu_best_tier())
        return fail(S4J_UNSUPPORTED, "SPARSE4J_BACKEND=%s, but this CPU's best tier is %s", env.raw.c_str(),
                    s4j_backend_name(s4j_cpu_best_tier()));
    *cap = env.cap;
    return S4J_OK;
}

}  // namespace

exec_env context_env(s4j_context ctx) { return exec_env{ctx->threads, ctx->device_index, ctx->stream}; }

void context_note_impl(s4j_context ctx, const char* name) { ctx->last_impl = name; }

const char* context_forced_impl(s4j_context ctx, s4j_op op) { return op >= 0 && op < S4J_OP_COUNT ? ctx->forced[op] : nullptr; }

}  // namespace s4j

extern "C" {

s4j_status s4j_context_create(s4j_context* out, int32_t device, int32_t device_index, int32_t threads) {
    using s4j::fail;
    if (!out) return fail(S4J_INVALID_ARGUMENT, "context: output handle pointer is null");
    *out = nullptr;
    if (device != S4J_DEVICE_CPU && device != S4J_DEVICE_CUDA)
        return fail(S4J_INVALID_ARGUMENT, "context: unknown device kind %d", device);
    if (device == S4J_DEVICE_CUDA) {
        int32_t count = s4j_cuda_device_count();
        if (count == 0) return fail(S4J_UNSUPPORTED, "context: no CUDA device: %s", s4j_cuda_unavailable_reason());
        if (device_index < 0 || device_index >= count)
            return fail(S4J_INVALID_ARGUMENT, "context: CUDA device %d does not exist (%d found)", device_index, count);
    } else if (device_index != 0) {
        return fail(S4J_INVALID_ARGUMENT, "context: CPU device index must be 0, got %d", device_index);
    }
    if (threads <= 0) {
        unsigned hw = std::thread::hardware_concurrency();
        threads = hw == 0 ? 1 : static_cast<int32_t>(hw);
    }
    s4j_backend cap = device == S4J_DEVICE_CUDA ? S4J_BACKEND_CUDA : s4j_cpu_best_tier();
    if (device == S4J_DEVICE_CPU) {
        s4j_status st = s4j::env_cap(&cap);
        if (st != S4J_OK) return st;
    }
    auto* ctx = new (std::nothrow) s4j_context_t{device, device_index, threads, cap, "", nullptr, {}};
    if (!ctx) return fail(S4J_OUT_OF_MEMORY, "context: out of memory");
    *out = ctx;
    return S4J_OK;
}

s4j_status s4j_context_destroy(s4j_context ctx) {
    delete ctx;
    return S4J_OK;
}

s4j_status s4j_context_set_backend_cap(s4j_context ctx, s4j_backend cap) {
    using s4j::fail;
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "context is null");
    if (cap < S4J_BACKEND_REFERENCE || cap > S4J_BACKEND_CUDA)
        return fail(S4J_INVALID_ARGUMENT, "unknown backend %d", cap);
    if (ctx->device == S4J_DEVICE_CPU && cap == S4J_BACKEND_CUDA)
        return fail(S4J_INVALID_ARGUMENT, "a CPU context cannot be capped at the CUDA backend");
    if (ctx->device == S4J_DEVICE_CUDA && cap != S4J_BACKEND_CUDA)
        return fail(S4J_INVALID_ARGUMENT, "a CUDA context runs only the CUDA backend");
    if (!s4j_backend_available(cap))
        return fail(S4J_UNSUPPORTED, "backend %s cannot run here (best CPU tier: %s%s%s)", s4j_backend_name(cap),
                    s4j_backend_name(s4j_cpu_best_tier()), s4j::env_backend().set ? ", capped by SPARSE4J_BACKEND=" : "",
                    s4j::env_backend().set ? s4j::env_backend().raw.c_str() : "");
    ctx->cap = cap;
    return S4J_OK;
}

s4j_backend s4j_context_backend_cap(s4j_context ctx) { return ctx ? ctx->cap : S4J_BACKEND_REFERENCE; }

int32_t s4j_context_threads(s4j_context ctx) { return ctx ? ctx->threads : 0; }

s4j_status s4j_context_set_stream(s4j_context ctx, void* stream) {
    using s4j::fail;
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "context is null");
    if (ctx->device != S4J_DEVICE_CUDA && stream != nullptr)
        return fail(S4J_INVALID_ARGUMENT, "a CPU context has no CUDA stream");
    ctx->stream = stream;
    return S4J_OK;
}

void* s4j_context_stream(s4j_context ctx) { return ctx ? ctx->stream : nullptr; }

s4j_status s4j_context_synchronize(s4j_context ctx) {
    if (!ctx) return s4j::fail(S4J_INVALID_ARGUMENT, "context is null");
    if (ctx->device != S4J_DEVICE_CUDA) return S4J_OK;
    if (!s4j::cuda_bridge::synchronize) return s4j::fail(S4J_UNSUPPORTED, "synchronize: %s", s4j_cuda_unavailable_reason());
    return s4j::cuda_bridge::synchronize(ctx->device_index, ctx->stream);
}

const char* s4j_context_last_impl(s4j_context ctx) { return ctx ? ctx->last_impl : ""; }

s4j_status s4j_context_force_impl(s4j_context ctx, s4j_op op, const char* name) {
    using s4j::fail;
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "context is null");
    if (op < 0 || op >= S4J_OP_COUNT) return fail(S4J_INVALID_ARGUMENT, "unknown op %d", op);
    if (!name || !*name) {
        ctx->forced[op] = nullptr;
        return S4J_OK;
    }
    const char* known = s4j::registered_impl_name(op, name);
    if (!known) return fail(S4J_INVALID_ARGUMENT, "no implementation called '%s' for this op (see s4j_op_implementations)", name);
    ctx->forced[op] = known;
    return S4J_OK;
}

}  // extern "C"
