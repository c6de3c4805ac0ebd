package org.sparse4j;

/** Element types of tensors; the codes are those of the C ABI. */
public enum DType {
    F32(0, 4, true),
    F16(1, 2, true),
    BF16(2, 2, true),
    F64(3, 8, true),
    I8(4, 1, false),
    I32(5, 4, false),
    I64(6, 8, false);

    private final int code;
    private final int byteSize;
    private final boolean floating;

    DType(int code, int byteSize, boolean floating) {
        this.code = code;
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** The C ABI's s4j_dtype value. */
    public int code() {
        return code;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    /** True for the two index types of sparse formats, I32 and I64. */
    public boolean isIndex() {
        return this == I32 || this == I64;
    }

    public static DType fromCode(int code) {
        for (DType d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype code " + code);
    }

    /** Parses "f32", "bf16", ... as written in conformance batch files and on the command line. */
    public static DType parse(String name) {
        for (DType d : values()) {
            if (d.name().equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "' (expected one of f32, f16, bf16, f64, i8, i32, i64)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
