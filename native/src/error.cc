// Thread-local last error, status names, version and dtype facts.
#include "internal.h"

#include <cstdarg>
#include <cstdio>

namespace s4j {

namespace {
thread_local std::string last_error;
}

s4j_status fail(s4j_status status, const char* fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    last_error = buf;
    return status;
}

void clear_error() { last_error.clear(); }

const char* dtype_name(s4j_dtype dtype) {
    switch (dtype) {
        case S4J_F32: return "f32";
        case S4J_F16: return "f16";
        case S4J_BF16: return "bf16";
        case S4J_F64: return "f64";
        case S4J_I8: return "i8";
        case S4J_I32: return "i32";
        case S4J_I64: return "i64";
        default: return "unknown";
    }
}

size_t dtype_size(s4j_dtype dtype) {
    switch (dtype) {
        case S4J_F32: case S4J_I32: return 4;
        case S4J_F16: case S4J_BF16: return 2;
        case S4J_F64: case S4J_I64: return 8;
        case S4J_I8: return 1;
        default: return 0;
    }
}

bool is_float_dtype(s4j_dtype d) { return d == S4J_F32 || d == S4J_F16 || d == S4J_BF16 || d == S4J_F64; }
bool is_index_dtype(s4j_dtype d) { return d == S4J_I32 || d == S4J_I64; }

float half_to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t u;
    if (exp == 0x1f) {
        u = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) {
        u = sign | ((exp + 112u) << 23) | (mant << 13);
    } else if (mant == 0) {
        u = sign;
    } else {  // subnormal: normalise
        int shift = 0;
        while ((mant & 0x400u) == 0) { mant <<= 1; ++shift; }
        mant &= 0x3ffu;
        u = sign | ((113u - shift) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

uint16_t float_to_half(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
    uint32_t abs = u & 0x7fffffffu;
    if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);   // NaN
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to inf
    if (abs < 0x38800000u) {  // result is subnormal or zero in fp16
        if (abs < 0x33000000u) return sign;  // below half the smallest subnormal
        uint32_t exp = abs >> 23;
        uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - exp;  // value / 2^-24 == mant >> shift
        uint32_t q = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1u))) ++q;
        return static_cast<uint16_t>(sign | q);
    }
    uint32_t r = abs + 0xfffu + ((abs >> 13) & 1u);  // round mantissa to 10 bits, nearest even
    return static_cast<uint16_t>(sign | ((r - 0x38000000u) >> 13));
}

}  // namespace s4j

extern "C" {

const char* s4j_last_error(void) { return s4j::last_error.c_str(); }

const char* s4j_status_name(s4j_status status) {
    switch (status) {
        case S4J_OK: return "OK";
        case S4J_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        case S4J_SHAPE_MISMATCH: return "SHAPE_MISMATCH";
        case S4J_INVALID_FORMAT: return "INVALID_FORMAT";
        case S4J_UNSUPPORTED: return "UNSUPPORTED";
        case S4J_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
        case S4J_CUDA_ERROR: return "CUDA_ERROR";
        case S4J_INTERNAL: return "INTERNAL";
        default: return "UNKNOWN_STATUS";
    }
}

const char* s4j_version(void) {
#define S4J_STR_(x) #x
#define S4J_STR(x) S4J_STR_(x)
    return S4J_STR(S4J_VERSION_MAJOR) "." S4J_STR(S4J_VERSION_MINOR) "." S4J_STR(S4J_VERSION_PATCH);
}

}  // extern "C"
