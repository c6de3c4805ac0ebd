package org.sparse4j.conformance;

import org.sparse4j.Backend;

/**
 * The verdict of one case on one backend: which implementation ran, the worst error relative to
 * its bound (≤ 1 passes), where it was, and a line that reproduces the run. forced: the
 * implementation the run was forced to, or null.
 */
public record CaseResult(ConformanceCase testCase, Backend backend, Outcome outcome, String implementation,
        double worstRatio, String worstAt, String message, double millis, String forced) {

    public String reproducer() {
        return "sparse4j conformance --backend " + backend.label() + (forced == null ? "" : " --impl " + forced) + " --case "
                + testCase.id();
    }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
