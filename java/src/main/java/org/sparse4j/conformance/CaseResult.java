package org.sparse4j.conformance;

import org.sparse4j.Backend;

/**
 * The verdict of one case on one backend: which implementation ran, the worst error relative to
 * its bound (≤ 1 passes), where it was, and a line that reproduces the run.
 */
public record CaseResult(ConformanceCase testCase, Backend backend, Outcome outcome, String implementation,
        double worstRatio, String worstAt, String message, double millis) {

    public String reproducer() {
        return "sparse4j conformance --backend " + backend.label() + " --case " + testCase.id();
    }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
