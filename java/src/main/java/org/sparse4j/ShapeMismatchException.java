package org.sparse4j;

/** Operand shapes, dtypes or devices do not agree. */
public class ShapeMismatchException extends Sparse4jException {
    public ShapeMismatchException(String message) {
        super(Status.SHAPE_MISMATCH, message);
    }
}
