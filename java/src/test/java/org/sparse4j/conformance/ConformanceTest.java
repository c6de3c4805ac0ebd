package org.sparse4j.conformance;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparse4j.Backend;
import org.sparse4j.Backends;

/** The conformance suite under JUnit: every case on every CPU backend here, and on CUDA (tag gpu). */
class ConformanceTest {
    @org.junit.jupiter.api.BeforeAll
    static void sayWhyGpuCasesSkip() {
        if (Backends.cudaDeviceCount() == 0) {
            System.out.println("[sparse4j] GPU conformance cases are skipped: no CUDA device: " + Backends.cudaUnavailableReason());
        }
    }

    /** Ops with CUDA kernels: on a GPU their cases must pass, not merely skip. */
    private static final java.util.Set<CaseOp> ON_CUDA =
            java.util.EnumSet.of(CaseOp.SPMM, CaseOp.SPMM_T, CaseOp.SPMM_PLAN, CaseOp.SPMV, CaseOp.SPMV_T, CaseOp.SDDMM, CaseOp.GEMM, CaseOp.SPMM_BSR,
                    CaseOp.GEMV_SPARSE_X);

    static Stream<Arguments> cpuCases() {
        return Backends.available().stream().filter(b -> b != Backend.CUDA)
                .flatMap(b -> ConformanceSuite.defaultCases().stream().map(c -> Arguments.of(b, c)));
    }

    static Stream<Arguments> gpuCases() {
        return ConformanceSuite.defaultCases().stream().map(c -> Arguments.of(Backend.CUDA, c));
    }

    /** Every CUDA implementation after each op's first (those run only when forced), with that op's cases. */
    static Stream<Arguments> gpuAlternativeCases() {
        return ConformanceSuite.defaultCases().stream().flatMap(c -> {
            org.sparse4j.Op op = ConformanceRunner.nativeOp(c.op());
            // A plan's split kernels are not in the dispatch table; forcing a CSR kernel would only
            // move its remainder.
            if (op == null || c.op() == CaseOp.SPMM_PLAN) {
                return Stream.empty();
            }
            java.util.List<String> cuda = Backends.implementations(op).stream().filter(l -> l.startsWith("cuda:"))
                    .map(l -> l.substring(0, l.indexOf(' '))).toList();
            return cuda.stream().skip(1).map(name -> Arguments.of(name, c));
        });
    }

    @Tag("gpu")
    @ParameterizedTest(name = "{0} {1}", allowZeroInvocations = true)  // none in a build without CUDA
    @MethodSource("gpuAlternativeCases")
    void gpuAlternative(String implementation, ConformanceCase c) {
        assumeTrue(Backends.cudaDeviceCount() > 0, () -> "no CUDA device: " + Backends.cudaUnavailableReason());
        CaseResult r = ConformanceRunner.run(c, Backend.CUDA, implementation);
        assertNotEquals(Outcome.FAILED, r.outcome(), () -> r.message() + "\n  reproduce: " + r.reproducer());
        // An alternative may decline layouts it was not written for (then the default takes them).
        assumeTrue(r.outcome() == Outcome.PASSED, () -> r.outcome() + ": " + r.message());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cpuCases")
    void cpu(Backend backend, ConformanceCase c) {
        CaseResult r = ConformanceRunner.run(c, backend);
        assertNotEquals(Outcome.FAILED, r.outcome(), () -> r.message() + "\n  reproduce: " + r.reproducer());
        assertTrue(r.outcome() == Outcome.PASSED, () -> r.outcome() + ": " + r.message());
    }

    @Tag("gpu")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("gpuCases")
    void gpu(Backend backend, ConformanceCase c) {
        assumeTrue(Backends.cudaDeviceCount() > 0, () -> "no CUDA device: " + Backends.cudaUnavailableReason());
        CaseResult r = ConformanceRunner.run(c, backend);
        assertNotEquals(Outcome.FAILED, r.outcome(), () -> r.message() + "\n  reproduce: " + r.reproducer());
        if (ON_CUDA.contains(c.op())) {
            assertTrue(r.outcome() == Outcome.PASSED, () -> r.outcome() + ": " + r.message());
        } else {
            // Not on the GPU yet (or, for conversions, host-only by design): the case must say so.
            assumeTrue(r.outcome() == Outcome.PASSED, () -> r.outcome() + ": " + r.message());
        }
    }
}
