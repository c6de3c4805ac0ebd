package org.sparse4j.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/** One native allocation: released exactly once, by its owner, through its allocator. */
public final class Buffer {
    private final Allocator allocator;
    private final long raw;
    private final long address;
    private final long size;
    private final String what;
    private final Throwable origin;
    private final AtomicBoolean released = new AtomicBoolean();

    Buffer(Allocator allocator, long raw, long address, long size, String what, Throwable origin) {
        this.allocator = allocator;
        this.raw = raw;
        this.address = address;
        this.size = size;
        this.what = what;
        this.origin = origin;
    }

    public long address() {
        return address;
    }

    long rawAddress() {
        return raw;
    }

    public long size() {
        return size;
    }

    public boolean isReleased() {
        return released.get();
    }

    /** Frees the memory; later calls do nothing. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            allocator.release(this);
        }
    }

    String describe() {
        String s = what + " (" + size + " bytes)";
        if (origin != null) {
            StringWriter w = new StringWriter();
            origin.printStackTrace(new PrintWriter(w));
            s += " " + w.toString().replace("\n", "\n      ");
        }
        return s;
    }
}
