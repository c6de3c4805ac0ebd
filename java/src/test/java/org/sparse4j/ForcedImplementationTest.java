package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
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
}
