package org.sparse4j.conformance;

import org.sparse4j.DType;

/**
 * The one place tolerances live. An output passes when |actual − expected| ≤ tol · magnitude,
 * where expected is computed in fp64 from the dtype-rounded inputs and magnitude is Σ|a·b| over
 * the terms of that output (so cancellation does not make the bound impossibly tight).
 * tol = 2 · unit roundoff of the output dtype (one rounding of the result, with slack) plus
 * 1e-5 · √K for fp32-or-better accumulation over K terms. A result in the dtype's subnormal range
 * is rounded to a fixed spacing, not a relative one, so {@link #floor} is added to every bound.
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

    /**
     * The largest error of rounding one result into the dtype's subnormal range (half the spacing of
     * its subnormals): fp16 results below 2⁻¹⁴ are kept to multiples of 2⁻²⁴, however small the
     * terms that made them.
     */
    public static double floor(DType dtype) {
        return switch (dtype) {
            case F64 -> Double.MIN_VALUE;  // half of it is not a double
            case F32 -> 0x1p-150;
            case F16 -> 0x1p-25;
            case BF16 -> 0x1p-134;
            default -> throw new IllegalArgumentException("no tolerance for " + dtype);
        };
    }

    /** The bound on |actual − expected| for an output of K terms whose Σ|a·b| is magnitude. */
    public static double bound(DType dtype, long k, double magnitude) {
        return of(dtype, k) * magnitude + floor(dtype);
    }
}
