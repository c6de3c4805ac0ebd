package org.sparse4j.format;

import java.util.Arrays;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;

/** Checks on dense operands of conversions. */
final class Dense {
    private Dense() {}

    static void checkMatrix(Tensor t, String what) {
        if (t == null) {
            throw new InvalidArgumentException(what + ": tensor is null");
        }
        t.ensureOpen();
        if (t.rank() != 2) {
            throw new ShapeMismatchException(what + ": needs a rank-2 tensor, got shape " + Arrays.toString(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new InvalidArgumentException(what + ": needs a float tensor, got " + t.dtype());
        }
    }
}
