// The dispatch table: per op, one list of named implementations, best first, ending with the
// reference. Selection takes the first one whose backend the context allows and whose dtypes match.
#include "internal.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace s4j {
namespace {

std::vector<impl>& table(s4j_op op) {
    static std::vector<impl> tables[S4J_OP_COUNT];
    return tables[op];
}

std::mutex& table_mutex() {
    static std::mutex m;
    return m;
}

const char* op_name(s4j_op op) {
    switch (op) {
        case S4J_OP_SPMM_CSR: return "spmm_csr";
        case S4J_OP_SPMV_CSR: return "spmv_csr";
        case S4J_OP_SDDMM_CSR: return "sddmm_csr";
        case S4J_OP_GEMM: return "gemm";
        case S4J_OP_SPMM_BSR: return "spmm_bsr";
        case S4J_OP_GEMV_SPARSE_X: return "gemv_sparse_x";
        default: return "unknown";
    }
}

std::string dtype_list(uint32_t mask) {
    std::string s;
    for (s4j_dtype d = S4J_F32; d <= S4J_I64; ++d) {
        if (mask & dtype_bit(d)) {
            if (!s.empty()) s += ",";
            s += dtype_name(d);
        }
    }
    return s;
}

}  // namespace

bool register_impl(const impl& i) {
    std::lock_guard<std::mutex> lock(table_mutex());
    auto& list = table(i.op);
    list.push_back(i);
    // Best first: higher backends before lower, the reference last.
    std::stable_sort(list.begin(), list.end(), [](const impl& x, const impl& y) { return x.backend > y.backend; });
    return true;
}

s4j_status select_impl(s4j_context ctx, s4j_op op, s4j_dtype dtype, const impl** out) {
    const impl* list[kMaxCandidates];
    int n = 0;
    S4J_TRY(candidates(ctx, op, dtype, list, &n));
    *out = list[0];
    return S4J_OK;
}

s4j_status candidates(s4j_context ctx, s4j_op op, s4j_dtype dtype, const impl** list, int* count) {
    if (!ctx) return fail(S4J_INVALID_ARGUMENT, "context is null");
    if (op < 0 || op >= S4J_OP_COUNT) return fail(S4J_INVALID_ARGUMENT, "unknown op %d", op);
    s4j_backend cap = s4j_context_backend_cap(ctx);
    bool on_cuda = cap == S4J_BACKEND_CUDA;
    const char* forced = context_forced_impl(ctx, op);
    std::string declined;
    *count = 0;
    for (const impl& i : table(op)) {
        const char* why = nullptr;
        if (forced && i.name != forced) continue;  // forced names are the table's own pointers
        if (on_cuda != (i.backend == S4J_BACKEND_CUDA)) why = "other device";
        else if (i.backend > cap) why = "above the context's backend cap";
        else if (!s4j_backend_available(i.backend)) why = "ISA not present";
        else if (!(i.dtype_mask & dtype_bit(dtype))) why = "dtype not supported";
        if (!why && *count < kMaxCandidates) {
            list[(*count)++] = &i;
        } else if (why) {
            declined += std::string(" ") + i.name + " (" + why + ");";
        }
    }
    if (*count > 0) return S4J_OK;
    if (forced)
        return fail(S4J_UNSUPPORTED, "%s: the forced implementation cannot run here:%s", op_name(op), declined.c_str());
    return fail(S4J_UNSUPPORTED, "%s: no implementation for dtype %s on backend %s;%s", op_name(op),
                dtype_name(dtype), s4j_backend_name(cap), declined.c_str());
}

const char* registered_impl_name(s4j_op op, const char* name) {
    if (op < 0 || op >= S4J_OP_COUNT || !name) return nullptr;
    for (const impl& i : table(op))
        if (std::strcmp(i.name, name) == 0) return i.name;
    return nullptr;
}

}  // namespace s4j

extern "C" {

s4j_status s4j_op_query(s4j_context ctx, s4j_op op, s4j_dtype dtype, const char** impl_name) {
    S4J_GUARD_BEGIN
    const s4j::impl* i = nullptr;
    s4j_status st = s4j::select_impl(ctx, op, dtype, &i);
    if (impl_name) *impl_name = st == S4J_OK ? i->name : "";
    return st;
    S4J_GUARD_END
}

const char* s4j_op_implementations(s4j_op op) {
    static thread_local std::string text;
    try {
        text.clear();
        if (op < 0 || op >= S4J_OP_COUNT) return "";
        for (const s4j::impl& i : s4j::table(op)) {
            text += std::string(i.name) + " " + s4j_backend_name(i.backend) + " " + s4j::dtype_list(i.dtype_mask) + "\n";
        }
    } catch (...) {
        text.clear();  // a report cut short is better than an exception through the C ABI
    }
    return text.c_str();
}

}  // extern "C"
