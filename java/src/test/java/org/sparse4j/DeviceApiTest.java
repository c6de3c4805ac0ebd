package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.sparse4j.format.Csr;

/** What the device API does on a machine without CUDA: typed errors with the reason, nothing leaked. */
class DeviceApiTest {
    private static void needNoGpu() {
        assumeTrue(Backends.cudaDeviceCount() == 0, "a CUDA device is present (CudaTest covers it)");
    }

    @Test
    void deviceMemoryWithoutCudaSaysWhy() {
        needNoGpu();
        UnsupportedBackendException e = assertThrows(UnsupportedBackendException.class,
                () -> Tensor.zeros(Device.cuda(0), DType.F32, 4));
        assertTrue(e.getMessage().contains("no CUDA backend"), e.getMessage());
        assertThrows(UnsupportedBackendException.class, () -> Context.cuda(0));
        try (Scope s = Scope.open()) {
            Csr a = Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1, 2});
            assertThrows(UnsupportedBackendException.class, () -> a.to(Device.cuda(0)));
            assertThrows(UnsupportedBackendException.class, () -> a.values().toHost().to(Device.cuda(1)));
        }
    }

    @Test
    void aNegativeDeviceIndexIsATypedError() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Device.cuda(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void cpuContextsHaveNoStreamToMakeAndNothingToWaitFor() {
        try (Context ctx = Context.cpu(1)) {
            assertDoesNotThrow(ctx::synchronize);
            assertThrows(InvalidArgumentException.class, ctx::useNewStream);
        }
    }

    @Test
    void hostToHostMovesAreCopies() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor c = t.transpose().to(Device.CPU);
            assertTrue(c.isContiguous());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 3, 2, 4}, c.toFloatArray());
            org.junit.jupiter.api.Assertions.assertArrayEquals(t.toFloatArray(), t.toHost().toFloatArray());
            assertThrows(InvalidArgumentException.class, () -> t.to((Device) null));
            Csr a = Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1, 2});
            Csr b = a.to(Device.CPU);
            org.junit.jupiter.api.Assertions.assertArrayEquals(a.values().toFloatArray(), b.values().toFloatArray());
            Csr w = a.withValues(Tensor.of(new float[] {5, 6}));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {5, 0, 0, 6}, w.toDense().toFloatArray());
            assertThrows(InvalidFormatException.class, () -> a.withValues(Tensor.of(new float[] {5})));
        }
    }
}
