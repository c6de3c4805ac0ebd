package org.sparse4j.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparse4j.DType;
import org.sparse4j.Scope;
import org.sparse4j.Tensor;

class ToleranceTest {
    /**
     * A result in a dtype's subnormal range is rounded to a fixed spacing: the bound must allow that
     * rounding, however small the terms (the relative part alone would not), and still reject an
     * error of one whole spacing.
     */
    @Test
    void subnormalResultsAreAllowedTheirRounding() {
        double[][] cases = {{0x1p-24 * 313.5, 0x1p-24}, {0x1p-133 * 5.5, 0x1p-133}};  // exact value, subnormal spacing
        DType[] dtypes = {DType.F16, DType.BF16};
        for (int c = 0; c < cases.length; c++) {
            DType dt = dtypes[c];
            double exact = cases[c][0], spacing = cases[c][1];
            try (Scope s = Scope.open()) {
                double rounded = Tensor.of(new double[] {exact}, dt, 1).toDoubleArray()[0];
                double err = Math.abs(rounded - exact);
                assertTrue(err > Tolerance.of(dt, 1) * exact, dt + ": the relative bound alone rejects a correct rounding");
                assertTrue(err <= Tolerance.bound(dt, 1, exact), dt + ": error " + err + " of rounding " + exact);
                assertTrue(spacing > Tolerance.bound(dt, 1, exact), dt + ": an error of one whole spacing passes");
            }
        }
    }
}
