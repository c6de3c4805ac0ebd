package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmm;
import org.sparse4j.ops.Spmv;

/** Inputs that once reached native code unchecked: each must now be a typed exception or a correct result. */
class SafetyTest {
    private static Csr permutation() {
        return Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {1, 0}, new float[] {1, 1});
    }

    @Test
    void outputsMayNotAliasInputs() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> Spmm.mulInto(null, b, 1f, permutation(), b, 0f, false));
            assertTrue(e.getMessage().contains("C overlaps B"), e.getMessage());
            Tensor x = Tensor.of(new float[] {1, 2});
            assertThrows(InvalidArgumentException.class, () -> Spmv.mulInto(null, x, 1f, permutation(), x, 0f, false));
            Csr p = permutation();
            assertThrows(InvalidArgumentException.class, () -> Spmm.mulInto(null, p.values().reshape(2, 1), 1f, p,
                    Tensor.of(new float[] {1, 2}, 2, 1), 0f, false));
            assertArrayEquals(new float[] {3, 4, 1, 2}, Spmm.mul(permutation(), b).toFloatArray());
        }
    }

    @Test
    void formatArraysAreFrozenOnceValidated() {
        try (Scope s = Scope.open()) {
            Csr a = permutation();
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> a.colIdx().setDouble(1e9, 1));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertTrue(a.values().asByteBuffer().isReadOnly());
            assertThrows(InvalidArgumentException.class,
                    () -> Spmm.mulInto(null, a.values().reshape(2, 1), 1f, a, Tensor.of(new float[] {1, 2}, 2, 1), 0f, false));
        }
    }

    @Test
    void formatsCopyWrappedBuffersSoLaterWritesCannotBreakThem() {
        ByteBuffer cols = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        cols.putInt(0, 1).putInt(4, 0);
        try (Scope s = Scope.open()) {
            Csr a = Csr.of(2, 2, Tensor.of(new int[] {0, 1, 2}), Tensor.wrap(cols, DType.I32, 2), Tensor.of(new float[] {5, 6}));
            cols.putInt(0, 9001);  // the user's buffer changes; the validated matrix must not
            assertArrayEquals(new float[] {0, 5, 6, 0}, a.toDense().toFloatArray());
            assertArrayEquals(new float[] {6, 0}, Spmv.mulTransposed(a, Tensor.of(new float[] {0, 1})).toFloatArray());
        }
    }

    @Test
    void readOnlyBuffersAreInputsNotOutputs() {
        ByteBuffer ro = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        Tensor t = Tensor.wrap(ro, DType.F32, 2, 2);
        assertTrue(t.isReadOnly());
        try (Scope s = Scope.open()) {
            assertThrows(InvalidArgumentException.class, () -> Spmm.mulInto(t, permutation(), Tensor.of(new float[4], 2, 2)));
            assertArrayEquals(new float[4], Spmm.mul(permutation(), t).toFloatArray());
        }
        assertThrows(InvalidArgumentException.class, () -> t.setDouble(1, 0, 0));
    }

    @Test
    void hugeSizesAreTypedExceptions() {
        try (Scope s = Scope.open()) {
            assertThrows(InvalidArgumentException.class, () -> Tensor.zeros(DType.F32, 1L << 40, 1L << 40));
            Csr a = permutation();
            Sparse4jException e = assertThrows(Sparse4jException.class, () -> a.toBsr(1L << 32, 1L << 32));
            assertTrue(e.getMessage().contains("overflow"), e.getMessage());
            // An int64 CSR with 2^61 columns times a 1x0 B: a (2^61)x0 result, computed without allocating.
            Csr wide = Csr.of(1, 1L << 61, new long[] {0, 0}, new long[] {}, new float[] {});
            Tensor out = Spmm.mulTransposed(wide, Tensor.zeros(DType.F32, 1, 0));
            assertArrayEquals(new long[] {1L << 61, 0}, out.shape());
        }
    }

    @Test
    void closedArraysOfAFormatAreRefused() {
        try (Scope s = Scope.open()) {
            Tensor rp = Tensor.of(new int[] {0, 1, 2});
            Tensor ci = Tensor.of(new int[] {1, 0});
            Tensor v = Tensor.of(new float[] {1, 1});
            Csr a = Csr.of(2, 2, rp, ci, v);
            v.close();
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Spmm.mul(a, Tensor.zeros(DType.F32, 2, 2)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(InvalidArgumentException.class, a::toDense);
        }
    }
}
