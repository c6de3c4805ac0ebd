package org.sparse4j.conformance;

import org.sparse4j.DType;

/**
 * The one place tolerances live. An output passes when |actual − expected| ≤ tol · magnitude,
 * where expected is computed in fp64 from the dtype-rounded inputs and magnitude is Σ|a·b| over
 * the terms of that output (so cancellation does not make the bound impossibly tight).
 * tol = 2 · unit roundoff of the output dtype (one rounding of the result, with slack) plus
 * 1e-5 · √K for fp32-or-better accumulation over K terms.
 */
public final class Tolerance {
    private Tolerance() {}

    public static double of(DType dtype, long k) {
        double accumulation = 1e-5 * Math.sqrt(Math.max(1, k));
        return switch (dtype) {
            case F64 -> 1e-12 * Math.sqrt(Math.max(1, k));
            case F32 -> accumulation;
            case F16 -> 2 * 0x1p-11 + accumulation;
            case BF16 -> 2 * 0x1p-8 + accumulation;
            default -> throw new IllegalArgumentException("no tolerance for " + dtype);
        };
    }
}
