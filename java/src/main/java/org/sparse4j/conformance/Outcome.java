package org.sparse4j.conformance;

/** Verdicts, as benchdnn names them. */
public enum Outcome {
    /** Matched the fp64 expectation within tolerance, structure checked. */
    PASSED,
    /** Wrong values or structure, or an unexpected exception. */
    FAILED,
    /** The backend cannot run on this machine (no such ISA, no GPU); the reason says why. */
    SKIPPED,
    /** The backend runs here but has no implementation for this op and dtype. */
    UNIMPLEMENTED
}
