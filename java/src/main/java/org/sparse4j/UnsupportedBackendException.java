package org.sparse4j;

/**
 * The op, dtype or backend asked for was not built or cannot run here. It extends the JDK's
 * {@link java.lang.UnsupportedOperationException} so callers catching that see it too.
 */
public class UnsupportedBackendException extends java.lang.UnsupportedOperationException {
    public UnsupportedBackendException(String message) {
        super(message);
    }

    public Status status() {
        return Status.UNSUPPORTED;
    }
}
