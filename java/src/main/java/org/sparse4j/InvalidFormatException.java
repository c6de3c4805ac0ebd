package org.sparse4j;

/** A sparse structure or a file is malformed; the message names the position (row, index, line). */
public class InvalidFormatException extends Sparse4jException {
    public InvalidFormatException(String message) {
        super(Status.INVALID_FORMAT, message);
    }
}
