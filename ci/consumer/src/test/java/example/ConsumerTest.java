package example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparse4j.Backend;
import org.sparse4j.Context;
import org.sparse4j.Scope;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.format.MatrixMarket;
import org.sparse4j.ops.Spmm;

/** Read a MatrixMarket file, multiply by a dense matrix, and match the scalar oracle and a hand check. */
class ConsumerTest {
    @Test
    void readMultiplyAndMatchTheOracle() throws Exception {
        Path file = Path.of(ConsumerTest.class.getResource("/small.mtx").toURI());
        try (Scope scope = Scope.open()) {
            Csr a = MatrixMarket.readCsr(file);
            assertEquals(5, a.rows());
            assertEquals(4, a.cols());
            assertEquals(7, a.nnz());
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
            Tensor c = Spmm.mul(a, b);
            float[] oracle;
            try (Context ref = Context.cpu().capBackend(Backend.REFERENCE)) {
                oracle = Spmm.mul(ref, a, b).toFloatArray();
                assertEquals("ref:spmm_csr", ref.lastImplementation());
            }
            assertArrayEquals(oracle, c.toFloatArray(), 1e-6f);
            // By hand: row 0 = 1.5*[1 2] - 2*[5 6]; row 1 = 4*[3 4]; row 2 = 0.25*[7 8]; row 3 empty;
            // row 4 = 3*[1 2] - [3 4] + 2*[7 8].
            assertArrayEquals(new float[] {-8.5f, -9f, 12, 16, 1.75f, 2, 0, 0, 14, 18}, c.toFloatArray(), 1e-6f);
        }
    }
}
