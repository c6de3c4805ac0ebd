// What this machine can run: CPU ISA tiers from CPUID (and the OS's saved-state support), CUDA
// devices from the CUDA module when it was built.
#include "internal.h"

#include <cpuid.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

// Provided by cuda/common when the library is built with CUDA; weak so the CPU-only build links.
extern "C" int s4j_cuda_probe(int* count, char* reason, size_t reason_size, char* report,
                              size_t report_size) __attribute__((weak));

namespace {

uint64_t xgetbv0() {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<uint64_t>(edx) << 32) | eax;
}

struct cpu_facts {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false, avx512bf16 = false;
    bool amx = false;
    std::string brand;
};

cpu_facts probe_cpu() {
    cpu_facts f;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    bool osxsave = (c >> 27) & 1;
    bool fma = (c >> 12) & 1, f16c = (c >> 29) & 1, avx = (c >> 28) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    bool ymm_ok = (xcr0 & 0x6) == 0x6;
    bool zmm_ok = (xcr0 & 0xe6) == 0xe6;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.avx2 = avx && ymm_ok && ((b >> 5) & 1);
        f.fma = fma && ymm_ok;
        f.f16c = f16c && ymm_ok;
        f.avx512f = zmm_ok && ((b >> 16) & 1);
        f.avx512dq = zmm_ok && ((b >> 17) & 1);
        f.avx512bw = zmm_ok && ((b >> 30) & 1);
        f.avx512vl = zmm_ok && ((b >> 31) & 1);
        f.amx = (d >> 24) & 1;
        unsigned a1, b1, c1, d1;
        if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) f.avx512bf16 = f.avx512f && ((a1 >> 5) & 1);
    }
    unsigned max_ext = __get_cpuid_max(0x80000000u, nullptr);
    if (max_ext >= 0x80000004u) {
        char brand[49] = {0};
        for (unsigned i = 0; i < 3; ++i) {
            __get_cpuid(0x80000002u + i, &a, &b, &c, &d);
            std::memcpy(brand + 16 * i, &a, 4);
            std::memcpy(brand + 16 * i + 4, &b, 4);
            std::memcpy(brand + 16 * i + 8, &c, 4);
            std::memcpy(brand + 16 * i + 12, &d, 4);
        }
        f.brand = brand;
        size_t start = f.brand.find_first_not_of(' ');
        f.brand = start == std::string::npos ? "" : f.brand.substr(start);
    }
    return f;
}

const cpu_facts& cpu() {
    static const cpu_facts facts = probe_cpu();
    return facts;
}

struct cuda_facts {
    int count = 0;
    std::string reason;
    std::string report;
};

const cuda_facts& cuda() {
    static const cuda_facts facts = [] {
        cuda_facts f;
        if (!s4j_cuda_probe) {
            f.reason = "this build of sparse4j has no CUDA support (nvcc was not found or SPARSE4J_CUDA=OFF)";
            return f;
        }
        char reason[512] = {0}, report[4096] = {0};
        s4j_cuda_probe(&f.count, reason, sizeof reason, report, sizeof report);
        f.reason = reason;
        f.report = report;
        return f;
    }();
    return facts;
}

}  // namespace

namespace s4j {

const env_tier& env_backend() {
    static const env_tier t = [] {
        env_tier r{false, false, S4J_BACKEND_REFERENCE, ""};
        const char* v = std::getenv("SPARSE4J_BACKEND");
        if (!v || !*v) return r;
        r.set = true;
        r.raw = v;
        for (s4j_backend b = S4J_BACKEND_REFERENCE; b <= S4J_BACKEND_CPU_AVX512; ++b) {
            if (r.raw == s4j_backend_name(b)) {
                r.valid = true;
                r.cap = b;
            }
        }
        return r;
    }();
    return t;
}

}  // namespace s4j

extern "C" {

s4j_backend s4j_cpu_best_tier(void) {
    const cpu_facts& f = cpu();
    if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.fma) return S4J_BACKEND_CPU_AVX512;
    if (f.avx2 && f.fma && f.f16c) return S4J_BACKEND_CPU_AVX2;
    return S4J_BACKEND_CPU_SCALAR;
}

int32_t s4j_cuda_device_count(void) { return cuda().count; }

const char* s4j_cuda_unavailable_reason(void) { return cuda().count > 0 ? "" : cuda().reason.c_str(); }

int32_t s4j_backend_available(s4j_backend backend) {
    switch (backend) {
        case S4J_BACKEND_REFERENCE:
        case S4J_BACKEND_CPU_SCALAR:
        case S4J_BACKEND_CPU_AVX2:
        case S4J_BACKEND_CPU_AVX512: {
            const s4j::env_tier& env = s4j::env_backend();
            if (env.set && env.valid && backend > env.cap) return 0;  // SPARSE4J_BACKEND is a ceiling
            return backend <= s4j_cpu_best_tier() ? 1 : 0;
        }
        case S4J_BACKEND_CUDA: return s4j_cuda_device_count() > 0 ? 1 : 0;
        default: return 0;
    }
}

const char* s4j_backend_name(s4j_backend backend) {
    switch (backend) {
        case S4J_BACKEND_REFERENCE: return "reference";
        case S4J_BACKEND_CPU_SCALAR: return "cpu-scalar";
        case S4J_BACKEND_CPU_AVX2: return "cpu-avx2";
        case S4J_BACKEND_CPU_AVX512: return "cpu-avx512";
        case S4J_BACKEND_CUDA: return "cuda";
        default: return "unknown";
    }
}

const char* s4j_backends(void) {
    static std::once_flag once;
    static std::string text;
    std::call_once(once, [] {
      try {
        const cpu_facts& f = cpu();
        std::string s;
        s += "cpu.brand=" + (f.brand.empty() ? std::string("unknown") : f.brand) + "\n";
        s += "cpu.features=";
        const char* sep = "";
        auto add = [&](bool on, const char* name) {
            if (on) { s += sep; s += name; sep = ","; }
        };
        add(f.avx2, "avx2"); add(f.fma, "fma"); add(f.f16c, "f16c"); add(f.avx512f, "avx512f");
        add(f.avx512bw, "avx512bw"); add(f.avx512vl, "avx512vl"); add(f.avx512dq, "avx512dq");
        add(f.avx512bf16, "avx512_bf16"); add(f.amx, "amx");
        s += "\ncpu.tiers=";
        sep = "";
        for (s4j_backend b = S4J_BACKEND_CPU_SCALAR; b <= S4J_BACKEND_CPU_AVX512; ++b) {
            if (s4j_backend_available(b)) { s += sep; s += s4j_backend_name(b); sep = ","; }
        }
        s += "\ncpu.best=";
        s += s4j_backend_name(s4j_cpu_best_tier());
        if (s4j::env_backend().set) {
            s += "\ncpu.forced=" + s4j::env_backend().raw + (s4j::env_backend().valid ? " (SPARSE4J_BACKEND)" : " (SPARSE4J_BACKEND: not a CPU backend)");
        }
        s += "\ncuda.devices=" + std::to_string(cuda().count) + "\n";
        if (cuda().count == 0) s += "cuda.reason=" + cuda().reason + "\n";
        s += cuda().report;
        text = s;
      } catch (...) {
        text.clear();  // out of memory while describing the machine: report nothing rather than throw
      }
    });
    return text.c_str();
}

}  // extern "C"
