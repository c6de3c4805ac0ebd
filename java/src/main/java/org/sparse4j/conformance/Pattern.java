package org.sparse4j.conformance;

import java.util.Locale;

/** How the sparsity structure of a case's sparse operand is drawn. */
public enum Pattern {
    /** Each entry present with probability = density. */
    RANDOM,
    /** Every other row empty, the rest random. */
    EMPTY_ROWS,
    /** Row 0 full, the others at the given density. */
    LONG_ROW,
    /** Row lengths drawn from a power law (a few very long rows). */
    POWER_LAW,
    /** Structure at the given density, every stored value an explicit zero. */
    ZERO_VALUES,
    /** Entries only in 16x16 diagonal blocks (Monarch-style block-diagonal), at the given density. */
    BLOCK_DIAGONAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Pattern parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
