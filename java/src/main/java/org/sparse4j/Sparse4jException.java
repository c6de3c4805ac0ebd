package org.sparse4j;

/** Base of the exceptions sparse4j throws for a native status; {@link #status()} is the ABI code. */
public class Sparse4jException extends RuntimeException {
    private final Status status;

    public Sparse4jException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Sparse4jException(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
