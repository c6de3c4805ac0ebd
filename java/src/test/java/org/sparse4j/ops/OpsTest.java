package org.sparse4j.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparse4j.Backend;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Device;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.Scope;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.UnsupportedBackendException;
import org.sparse4j.format.Csr;

/** Op entry points: a worked example, alpha/beta, and typed refusals of bad operands. */
class OpsTest {
    // A = [[1 0 2], [0 0 0], [0 3 0]]
    private static Csr a() {
        return Csr.of(3, 3, new int[] {0, 2, 2, 3}, new int[] {0, 2, 1}, new float[] {1, 2, 3});
    }

    @Test
    void workedExample() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
            assertArrayEquals(new float[] {11, 14, 0, 0, 9, 12}, Spmm.mul(a(), b).toFloatArray());
            assertArrayEquals(new float[] {1, 2, 15, 18, 2, 4}, Spmm.mulTransposed(a(), b).toFloatArray());
            assertArrayEquals(new float[] {7, 0, 6}, Spmv.mul(a(), Tensor.of(new float[] {1, 2, 3})).toFloatArray());
            assertArrayEquals(new float[] {1, 9, 2}, Spmv.mulTransposed(a(), Tensor.of(new float[] {1, 2, 3})).toFloatArray());
            Tensor out = Tensor.of(new float[] {1, 1, 1, 1, 1, 1}, 3, 2);
            Spmm.mulInto(null, out, 2f, a(), b, 0.5f, false);
            assertArrayEquals(new float[] {22.5f, 28.5f, 0.5f, 0.5f, 18.5f, 24.5f}, out.toFloatArray());
            // SDDMM on A's pattern with X (3x2) · Y (2x3).
            Tensor x = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
            Tensor y = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Csr g = Sddmm.sample(x, y, a());
            assertArrayEquals(new float[] {1, 3, 7}, g.values().toFloatArray());
            assertArrayEquals(a().colIdx().toIntArray(), g.colIdx().toIntArray());
            assertArrayEquals(new float[] {14, 32, 32, 77}, Gemm.mul(y, y.transpose()).toFloatArray(), 0f);
        }
    }

    @Test
    void contextsReportTheImplementationAndHonourTheCap() {
        try (Scope s = Scope.open(); Context ctx = Context.cpu(1).capBackend(Backend.REFERENCE)) {
            Spmm.mul(ctx, a(), Tensor.of(new float[] {1, 2, 3}, 3, 1));
            assertEquals("ref:spmm_csr", ctx.lastImplementation());
            assertEquals(Backend.REFERENCE, ctx.backendCap());
            assertEquals(1, ctx.threads());
        }
    }

    @Test
    void badOperandsAreTypedExceptions() {
        try (Scope s = Scope.open()) {
            Csr a = a();
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Spmm.mul(a, Tensor.zeros(DType.F32, 4, 2)));
            assertTrue(e.getMessage().contains("B has 4 rows"), e.getMessage());
            assertThrows(ShapeMismatchException.class, () -> Spmm.mul(a, Tensor.zeros(DType.F64, 3, 2)));
            assertThrows(ShapeMismatchException.class, () -> Spmm.mul(a, Tensor.zeros(DType.F32, 3)));
            assertThrows(ShapeMismatchException.class, () -> Spmm.mulInto(Tensor.zeros(DType.F32, 2, 2), a, Tensor.zeros(DType.F32, 3, 2)));
            assertThrows(InvalidArgumentException.class, () -> Spmm.mul((Csr) null, Tensor.zeros(DType.F32, 3, 2)));
            assertThrows(InvalidArgumentException.class, () -> Spmm.mul(a, null));
            Tensor closed = Tensor.zeros(DType.F32, 3, 2);
            closed.close();
            assertThrows(InvalidArgumentException.class, () -> Spmm.mul(a, closed));
            Csr pattern = Csr.of(3, 3, Tensor.of(new int[] {0, 1, 1, 1}), Tensor.of(new int[] {0}), null);
            assertThrows(InvalidArgumentException.class, () -> Spmm.mul(pattern, Tensor.zeros(DType.F32, 3, 2)));
            assertThrows(ShapeMismatchException.class, () -> Spmv.mul(a, Tensor.zeros(DType.F32, 4)));
            assertThrows(ShapeMismatchException.class,
                    () -> Sddmm.sample(Tensor.zeros(DType.F32, 3, 2), Tensor.zeros(DType.F32, 3, 3), a));
            assertThrows(ShapeMismatchException.class, () -> Gemm.mul(Tensor.zeros(DType.F32, 2, 3), Tensor.zeros(DType.F32, 2, 3)));
            Tensor ints = Tensor.of(new int[] {1, 2, 3, 4}, 2, 2);
            assertThrows(InvalidArgumentException.class, () -> Gemm.mul(ints, ints));
        }
    }

    @Test
    void aCpuContextHasNoStream() {
        try (Context ctx = Context.cpu(1)) {
            assertEquals(null, ctx.stream());
            ctx.setStream(null);  // the default stream is fine anywhere
            org.bytedeco.javacpp.Pointer fake = new org.bytedeco.javacpp.BytePointer(8);
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ctx.setStream(fake));
            assertTrue(e.getMessage().contains("no CUDA stream"), e.getMessage());
            fake.close();
        }
    }

    @Test
    void cudaWithoutADeviceSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.sparse4j.Backends.cudaDeviceCount() == 0, "a CUDA device is present");
        UnsupportedBackendException e = assertThrows(UnsupportedBackendException.class, () -> Context.on(Device.cuda(0)));
        assertTrue(e.getMessage().contains("no CUDA device"), e.getMessage());
        try (Scope s = Scope.open()) {
            assertThrows(UnsupportedBackendException.class, () -> Tensor.zeros(DType.F32, 2).to(Device.cuda(0)));
        }
    }
}
