// The scalar oracle for dense GEMM: fp64 accumulation, any float dtype, any strides.
#include "../src/internal.h"

#include <type_traits>

namespace s4j {
namespace {

template <typename T>
void gemm(float alpha, const s4j_dense* a, const s4j_dense* b, float beta, s4j_dense* c) {
    const T* av = static_cast<const T*>(a->data);
    const T* bv = static_cast<const T*>(b->data);
    T* cv = static_cast<T*>(c->data);
    for (int64_t i = 0; i < c->shape[0]; ++i)
        for (int64_t j = 0; j < c->shape[1]; ++j) {
            double acc = 0.0;
            for (int64_t l = 0; l < a->shape[1]; ++l)
                acc += load(av, i * a->strides[0] + l * a->strides[1]) * load(bv, l * b->strides[0] + j * b->strides[1]);
            int64_t off = i * c->strides[0] + j * c->strides[1];
            double v = alpha * acc;
            if (beta != 0.0f) v += beta * load(cv, off);  // beta == 0 ignores C, which may hold NaN garbage
            store(cv, off, v);
        }
}

s4j_status ref_gemm(const exec_env&, float alpha, const s4j_dense* a, const s4j_dense* b, float beta, s4j_dense* c) {
    with_float_type(a->dtype, [&](auto* vt) { gemm<std::remove_pointer_t<decltype(vt)>>(alpha, a, b, beta, c); });
    return S4J_OK;
}

S4J_REGISTER("ref:gemm", S4J_OP_GEMM, S4J_BACKEND_REFERENCE, kFloatDtypes, ref_gemm);

}  // namespace
}  // namespace s4j
