package org.sparse4j;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void roundTripsEveryArrayType() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toFloatArray());
            assertArrayEquals(new double[] {1.5, -2}, Tensor.of(new double[] {1.5, -2}).toDoubleArray());
            assertArrayEquals(new int[] {7, -8}, Tensor.of(new int[] {7, -8}).toIntArray());
            assertArrayEquals(new long[] {1L << 40, -3}, Tensor.of(new long[] {1L << 40, -3}).toLongArray());
            assertArrayEquals(new byte[] {1, -1}, Tensor.of(new byte[] {1, -1}).toByteArray());
            short[] bits = {Float16.floatToHalf(1.5f), Float16.floatToHalf(-0.25f)};
            assertArrayEquals(bits, Tensor.ofBits(bits, DType.F16).toShortArray());
            assertArrayEquals(new float[] {1.5f, -0.25f}, Tensor.ofBits(bits, DType.F16).toFloatArray());
            assertArrayEquals(new float[] {1f, 3f}, Tensor.of(new float[] {1f, 3f}, DType.BF16).toFloatArray());
        }
    }

    @Test
    void transposeIsAView() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor tt = t.transpose();
            assertArrayEquals(new long[] {3, 2}, tt.shape());
            assertEquals(4.0, tt.getDouble(0, 1));
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, tt.toFloatArray());
            t.close();
            assertThrows(InvalidArgumentException.class, () -> tt.getDouble(0, 0));
        }
    }

    @Test
    void wrapsDirectBuffersWithoutCopy() {
        ByteBuffer bb = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        bb.putFloat(0, 2f);
        Tensor t = Tensor.wrap(bb, DType.F32, 2, 2);
        bb.putFloat(4, 3f);
        assertEquals(3.0, t.getDouble(0, 1));
        t.setDouble(9, 1, 1);
        assertEquals(9f, bb.getFloat(12));
        assertThrows(InvalidArgumentException.class, () -> Tensor.wrap(ByteBuffer.allocate(16), DType.F32, 4));
        assertThrows(ShapeMismatchException.class, () -> Tensor.wrap(bb, DType.F32, 5));
    }
}
