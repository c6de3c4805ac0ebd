package org.sparse4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Raw address helpers over JavaCPP pointers. Internal. */
public final class Pointers {
    private Pointers() {}

    /** A pointer at {@code address} spanning {@code bytes}; it owns nothing. */
    public static BytePointer at(long addr, long bytes) {
        Pointer p = new Pointer() {
            {
                address = addr;  // a field of Pointer: the parameter must not share its name
            }
        };
        return new BytePointer(p).capacity(bytes).limit(bytes);
    }

    /** A little-endian direct buffer over native memory; at most 2 GiB. */
    public static ByteBuffer buffer(long address, long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a ByteBuffer view holds at most 2 GiB; this region has " + bytes + " bytes");
        }
        return at(address, bytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The native address of a direct buffer's position. */
    public static long address(ByteBuffer direct) {
        return new BytePointer(direct).address() + direct.position();
    }
}
