package org.sparse4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;

/** What this machine can run: CPU tiers from CPUID, CUDA devices, and the native report. */
public final class Backends {
    private Backends() {}

    /** Every backend that can run here, the reference first, the best CPU tier last before CUDA. */
    public static List<Backend> available() {
        Native.load();
        List<Backend> out = new ArrayList<>();
        for (Backend b : Backend.values()) {
            if (Sparse4jNative.s4j_backend_available(b.code()) == 1) {
                out.add(b);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public static boolean isAvailable(Backend backend) {
        Native.load();
        return Sparse4jNative.s4j_backend_available(backend.code()) == 1;
    }

    /** The best CPU tier of this CPU. */
    public static Backend cpuBest() {
        Native.load();
        return Backend.fromCode(Sparse4jNative.s4j_cpu_best_tier());
    }

    public static int cudaDeviceCount() {
        Native.load();
        return Sparse4jNative.s4j_cuda_device_count();
    }

    /** Why there is no CUDA backend here, or "" when there is one. */
    public static String cudaUnavailableReason() {
        Native.load();
        return Native.string(Sparse4jNative.s4j_cuda_unavailable_reason());
    }

    /** The native library's report as ordered key/value pairs (cpu.brand, cpu.tiers, cuda.devices...). */
    public static Map<String, String> report() {
        Native.load();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Native.string(Sparse4jNative.s4j_backends()).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    /** The native library's version. */
    public static String nativeVersion() {
        Native.load();
        return Native.string(Sparse4jNative.s4j_version());
    }

    /** The implementations registered for an op, best first: "name backend dtypes" per entry. */
    public static List<String> implementations(Op op) {
        Native.load();
        List<String> out = new ArrayList<>();
        for (String line : Native.string(Sparse4jNative.s4j_op_implementations(op.code())).split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }
}
