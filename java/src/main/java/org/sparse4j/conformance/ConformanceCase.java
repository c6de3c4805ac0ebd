package org.sparse4j.conformance;

import java.util.Locale;
import org.sparse4j.DType;

/**
 * One problem: op × value dtype × index dtype × shape × density × pattern × seed. Its {@link #id()}
 * is also its text form in batch files and reproducer lines, and {@link #parse(String)} reads it:
 * {@code spmm/f32/i32/m33k47n19/d0.3/random/s7}. For SPMV, n is 1; for ROUNDTRIP, k is the block
 * rows and n the block columns of the BSR step.
 */
public record ConformanceCase(CaseOp op, DType dtype, DType indexType, long m, long k, long n, double density,
        Pattern pattern, long seed) {

    public ConformanceCase {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("case dtype must be a float type: " + dtype);
        }
        if (!indexType.isIndex()) {
            throw new IllegalArgumentException("case index type must be i32 or i64: " + indexType);
        }
        if (m < 0 || k < 0 || n < 0) {
            throw new IllegalArgumentException("case sizes must be >= 0");
        }
        if (density < 0 || density > 1) {
            throw new IllegalArgumentException("density must be in [0, 1]: " + density);
        }
    }

    public String id() {
        return op.label() + "/" + dtype + "/" + indexType + "/m" + m + "k" + k + "n" + n + "/d" + density + "/" + pattern.label()
                + "/s" + seed;
    }

    /** Parses an {@link #id()}; throws IllegalArgumentException naming the bad part. */
    public static ConformanceCase parse(String text) {
        String[] p = text.trim().split("/");
        if (p.length != 7) {
            throw new IllegalArgumentException("a case has 7 parts op/dtype/index/mKkKnN/dD/pattern/sSEED, got '" + text + "'");
        }
        try {
            String shape = p[3].toLowerCase(Locale.ROOT);
            int ki = shape.indexOf('k'), ni = shape.indexOf('n');
            if (!shape.startsWith("m") || ki < 0 || ni < ki) {
                throw new IllegalArgumentException("shape must look like m33k47n19, got '" + p[3] + "'");
            }
            long m = Long.parseLong(shape.substring(1, ki));
            long k = Long.parseLong(shape.substring(ki + 1, ni));
            long n = Long.parseLong(shape.substring(ni + 1));
            if (!p[4].startsWith("d") || !p[6].startsWith("s")) {
                throw new IllegalArgumentException("density must look like d0.3 and seed like s7 in '" + text + "'");
            }
            return new ConformanceCase(CaseOp.parse(p[0]), DType.parse(p[1]), DType.parse(p[2]), m, k, n,
                    Double.parseDouble(p[4].substring(1)), Pattern.parse(p[5]), Long.parseLong(p[6].substring(1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in case '" + text + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
