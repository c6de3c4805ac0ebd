package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmm;

/** Forcing one named implementation per op on a context, as benchmarks and conformance do to compare them. */
class ForcedImplementationTest {
    @Test
    void aForcedImplementationRunsAndCanBeCleared() {
        try (Scope s = Scope.open(); Context ctx = Context.cpu(1)) {
            Csr a = Csr.of(2, 3, new int[] {0, 2, 3}, new int[] {0, 2, 1}, new float[] {1, 2, 3});
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
            float[] best = Spmm.mul(ctx, a, b).toFloatArray();
            String bestName = ctx.lastImplementation();
            ctx.forceImplementation(Op.SPMM_CSR, "ref:spmm_csr");
            assertArrayEquals(best, Spmm.mul(ctx, a, b).toFloatArray(), 1e-6f);
            assertEquals("ref:spmm_csr", ctx.lastImplementation());
            ctx.forceImplementation(Op.SPMM_CSR, null);
            Spmm.mul(ctx, a, b);
            assertEquals(bestName, ctx.lastImplementation());
        }
    }

    @Test
    void unknownOrIneligibleNamesSayWhy() {
        try (Scope s = Scope.open(); Context ctx = Context.cpu(1)) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> ctx.forceImplementation(Op.SPMM_CSR, "no-such:spmm"));
            assertTrue(e.getMessage().contains("no-such:spmm"), e.getMessage());
            assertThrows(InvalidArgumentException.class, () -> ctx.forceImplementation(null, "ref:spmm_csr"));
            boolean cudaBuilt = Backends.implementations(Op.SPMM_CSR).stream().anyMatch(l -> l.startsWith("cuda:spmm_csr "));
            if (cudaBuilt) {
                ctx.forceImplementation(Op.SPMM_CSR, "cuda:spmm_csr");
                Csr a = Csr.of(1, 1, new int[] {0, 1}, new int[] {0}, new float[] {2});
                Tensor b = Tensor.of(new float[] {3}, 1, 1);
                UnsupportedBackendException u = assertThrows(UnsupportedBackendException.class, () -> Spmm.mul(ctx, a, b));
                assertTrue(u.getMessage().contains("forced") && u.getMessage().contains("other device"), u.getMessage());
            }
        }
    }

    static java.util.stream.Stream<String> spmmImplementations() {
        return Backends.implementations(Op.SPMM_CSR).stream().map(line -> line.trim().split("\\s+")[0]);
    }

    /**
     * With beta = 0, C is written, never read: every SpMM implementation, forced by name, turns an
     * output full of NaN into the exact product (values chosen so every order of summation gives the
     * same float). The shape suits every CUDA kernel's conditions (N = 128, density .1, even rows),
     * so none declines; a backend this machine lacks is skipped with the reason.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("spmmImplementations")
    void betaZeroNeverReadsTheOutput(String impl) {
        boolean cuda = impl.startsWith("cuda:");
        Assumptions.assumeTrue(!cuda || Backends.cudaDeviceCount() > 0, () -> "no CUDA device: " + Backends.cudaUnavailableReason());
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        int m = 300, k = 400, n = 128;
        float[] dense = new float[m * k];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = rng.nextDouble() < 0.1 ? rng.nextInt(1, 9) / 4f : 0;
        }
        float[] bv = new float[k * n];
        for (int i = 0; i < bv.length; i++) {
            bv[i] = rng.nextInt(-8, 9) / 4f;
        }
        float[] nan = new float[m * n];
        java.util.Arrays.fill(nan, Float.NaN);
        Device where = cuda ? Device.cuda(0) : Device.CPU;
        try (Scope s = Scope.open(); Context ref = Context.cpu(1); Context ctx = cuda ? Context.cuda(0) : Context.cpu(1)) {
            Csr a = Csr.fromDense(Tensor.of(dense, m, k));
            Tensor b = Tensor.of(bv, k, n);
            float[] expected = Spmm.mul(ref, a, b).toFloatArray();
            ctx.forceImplementation(Op.SPMM_CSR, impl);
            Tensor c = Tensor.of(nan, m, n).to(where);
            try {
                Spmm.mulInto(ctx, c, 1f, a.to(where), b.to(where), 0f, false);
            } catch (UnsupportedBackendException e) {
                Assumptions.abort(impl + " does not run here: " + e.getMessage());
            }
            assertEquals(impl, ctx.lastImplementation());
            assertArrayEquals(expected, c.toFloatArray(), impl);
        }
    }
}
