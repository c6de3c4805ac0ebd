package org.sparse4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparse4j.internal.Allocator;
import org.sparse4j.internal.Buffer;

/** The ownership tree: scopes free what they own; an allocator closed with live memory says so. */
class MemoryTest {
    @Test
    void scopeFreesEverythingMadeInside() {
        long before = Allocator.hostRoot().allocatedBytes();
        Tensor kept;
        try (Scope outer = Scope.open()) {
            kept = Tensor.zeros(DType.F32, 100);
            try (Scope inner = Scope.open()) {
                Tensor.zeros(DType.F64, 1000);
                assertEquals(8000 + 400, Allocator.hostRoot().allocatedBytes() - before);
            }
            assertEquals(400, Allocator.hostRoot().allocatedBytes() - before);
        }
        assertTrue(kept.isClosed());
        assertEquals(before, Allocator.hostRoot().allocatedBytes());
    }

    @Test
    void closingAnAllocatorWithLiveBuffersThrowsNamingTheBytes() {
        Allocator child = Allocator.hostRoot().newChild("leaky", Long.MAX_VALUE);
        Buffer b = child.allocate(1234, "f32[3]");
        IllegalStateException e = assertThrows(IllegalStateException.class, child::close);
        assertTrue(e.getMessage().contains("1 live buffer(s), 1234 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("f32[3]"), e.getMessage());
        assertTrue(b.isReleased(), "the leak report frees what it found");
    }

    @Test
    void allocatorLimitsAreEnforced() {
        try (Allocator child = Allocator.hostRoot().newChild("small", 1000)) {
            assertThrows(NativeOutOfMemoryError.class, () -> child.allocate(2000, "too big"));
            Buffer ok = child.allocate(800, "fits");
            ok.release();
            ok.release();  // a second release does nothing
        }
    }

    @Test
    void scopesMustCloseInOrder() {
        Scope a = Scope.open();
        Scope b = Scope.open();
        assertThrows(IllegalStateException.class, a::close);
        b.close();
        a.close();
    }

    @Test
    void halfConversionsMatchNativeForEveryBitPattern() {
        try (Scope s = Scope.open()) {
            short[] all = new short[65536];
            for (int i = 0; i < all.length; i++) {
                all[i] = (short) i;
            }
            float[] viaNative = Tensor.ofBits(all, DType.F16).toFloatArray();
            float[] viaNativeBf = Tensor.ofBits(all, DType.BF16).toFloatArray();
            for (int i = 0; i < all.length; i++) {
                assertEquals(Float.floatToIntBits(Float16.halfToFloat(all[i])), Float.floatToIntBits(viaNative[i]), "f16 " + i);
                assertEquals(Float.floatToIntBits(Float16.bf16ToFloat(all[i])), Float.floatToIntBits(viaNativeBf[i]), "bf16 " + i);
            }
            // float -> half rounding agrees on a sweep of values, ties included.
            float[] probe = new float[200_000];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
            for (int i = 0; i < probe.length; i++) {
                probe[i] = Float.intBitsToFloat(rng.nextInt());
            }
            probe[0] = 65520f;
            probe[1] = 0x1p-25f;
            probe[2] = 1.0009765625f + 0x1p-11f;
            short[] nh = Tensor.of(probe, DType.F16).toShortArray();
            short[] nb = Tensor.of(probe, DType.BF16).toShortArray();
            for (int i = 0; i < probe.length; i++) {
                assertEquals(Float16.floatToHalf(probe[i]), nh[i], "f16 of " + probe[i]);
                assertEquals(Float16.floatToBf16(probe[i]), nb[i], "bf16 of " + probe[i]);
            }
        }
    }
}
