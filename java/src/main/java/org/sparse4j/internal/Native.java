package org.sparse4j.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.sparse4j.CudaException;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.NativeOutOfMemoryError;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Sparse4jException;
import org.sparse4j.Status;
import org.sparse4j.UnsupportedBackendException;
import org.sparse4j.nativeapi.Sparse4jNative;

/** Loads the native library once and turns native statuses into typed exceptions. Internal. */
public final class Native {
    private static volatile boolean loaded;

    private Native() {}

    /** Loads libsparse4j and its JNI bindings from the classpath (the classifier jar). */
    public static void load() {
        if (!loaded) {
            synchronized (Native.class) {
                if (!loaded) {
                    Loader.load(Sparse4jNative.class);
                    loaded = true;
                }
            }
        }
    }

    /** Throws the exception matching a non-OK status, with the native thread-local message. */
    public static void check(int status) {
        if (status != Status.OK.code()) {
            throw error(status, string(Sparse4jNative.s4j_last_error()));
        }
    }

    public static RuntimeException error(int code, String message) {
        Status status = Status.fromCode(code);
        return switch (status) {
            case INVALID_ARGUMENT -> new InvalidArgumentException(message);
            case SHAPE_MISMATCH -> new ShapeMismatchException(message);
            case INVALID_FORMAT -> new InvalidFormatException(message);
            case UNSUPPORTED -> new UnsupportedBackendException(message);
            case OUT_OF_MEMORY -> throw new NativeOutOfMemoryError(message);
            case CUDA_ERROR -> new CudaException(message);
            default -> new Sparse4jException(status, message);
        };
    }

    public static String string(BytePointer p) {
        return p == null || p.isNull() ? "" : p.getString();
    }

    static {
        load();
    }
}
