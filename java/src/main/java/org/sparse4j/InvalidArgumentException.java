package org.sparse4j;

/** A null, negative, closed or otherwise unusable argument. */
public class InvalidArgumentException extends Sparse4jException {
    public InvalidArgumentException(String message) {
        super(Status.INVALID_ARGUMENT, message);
    }
}
