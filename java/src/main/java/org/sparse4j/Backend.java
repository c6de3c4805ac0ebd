package org.sparse4j;

import java.util.Locale;

/** Implementation tiers; the CPU tiers are ordered, so capping a context at one allows those below. */
public enum Backend {
    REFERENCE(0), CPU_SCALAR(1), CPU_AVX2(2), CPU_AVX512(3), CUDA(4);

    private final int code;

    Backend(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Backend fromCode(int code) {
        for (Backend b : values()) {
            if (b.code == code) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend code " + code);
    }

    /** The name used by the native library and on the command line: reference, cpu-avx2, cuda... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Backend parse(String label) {
        for (Backend b : values()) {
            if (b.label().equalsIgnoreCase(label) || b.name().equalsIgnoreCase(label)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + label + "' (expected reference, cpu-scalar, cpu-avx2, cpu-avx512 or cuda)");
    }
}
