package org.sparse4j;

/** Native (off-heap or device) memory could not be allocated. */
public class NativeOutOfMemoryError extends OutOfMemoryError {
    public NativeOutOfMemoryError(String message) {
        super(message);
    }
}
