package org.sparse4j;

/** The C ABI's status codes. */
public enum Status {
    OK(0), INVALID_ARGUMENT(1), SHAPE_MISMATCH(2), INVALID_FORMAT(3), UNSUPPORTED(4), OUT_OF_MEMORY(5),
    CUDA_ERROR(6), INTERNAL(7);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Status fromCode(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return INTERNAL;
    }
}
