package org.sparse4j.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.sparse4j.NativeOutOfMemoryError;

/**
 * A node of the native memory tree: a root per device, a child per scope. Every native buffer is
 * registered with exactly one allocator and released exactly once; closing an allocator that still
 * holds buffers throws, naming the bytes and where each buffer was made when debugging is on
 * ({@code -Dsparse4j.memory.debug=true}).
 */
public final class Allocator implements AutoCloseable {
    static final boolean DEBUG = Boolean.getBoolean("sparse4j.memory.debug");
    /** Host buffers are aligned for the widest vector loads (AVX-512) and cache lines. */
    public static final int ALIGNMENT = 64;

    private static final Allocator HOST_ROOT = new Allocator("host", null, Long.MAX_VALUE);

    private final String name;
    private final Allocator parent;
    private final long limit;
    private final AtomicLong allocated = new AtomicLong();
    private final Map<Buffer, Boolean> live = new IdentityHashMap<>();
    private final List<Allocator> children = new ArrayList<>();
    private boolean closed;

    private Allocator(String name, Allocator parent, long limit) {
        this.name = name;
        this.parent = parent;
        this.limit = limit;
    }

    public static Allocator hostRoot() {
        return HOST_ROOT;
    }

    public synchronized Allocator newChild(String childName, long childLimit) {
        ensureOpen();
        Allocator child = new Allocator(childName, this, childLimit);
        children.add(child);
        return child;
    }

    public String name() {
        return name;
    }

    /** Bytes held by this allocator and all its children. */
    public long allocatedBytes() {
        return allocated.get();
    }

    public synchronized int liveBuffers() {
        int n = live.size();
        for (Allocator c : children) {
            n += c.liveBuffers();
        }
        return n;
    }

    /** Allocates {@code bytes} of zeroed, aligned host memory owned by this allocator. */
    public Buffer allocate(long bytes, String what) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        reserve(bytes);
        long raw = 0;
        try {
            Pointer p = Pointer.calloc(bytes + ALIGNMENT, 1);
            if (p == null || p.isNull()) {
                throw new NativeOutOfMemoryError("could not allocate " + bytes + " bytes of host memory for " + what
                        + " (" + name + " holds " + allocated.get() + ")");
            }
            raw = p.address();
            long aligned = (raw + ALIGNMENT - 1) & -(long) ALIGNMENT;
            Buffer b = new Buffer(this, raw, aligned, bytes, what, DEBUG ? new Throwable("allocated here") : null);
            synchronized (this) {
                live.put(b, Boolean.TRUE);
            }
            return b;
        } catch (RuntimeException | Error e) {
            unreserve(bytes);
            throw e;
        }
    }

    private void reserve(long bytes) {
        for (Allocator a = this; a != null; a = a.parent) {
            long now = a.allocated.addAndGet(bytes);
            if (now > a.limit) {
                for (Allocator b = this; b != a.parent; b = b.parent) {
                    b.allocated.addAndGet(-bytes);
                }
                throw new NativeOutOfMemoryError("allocator '" + a.name + "' limit " + a.limit + " bytes exceeded by a request of "
                        + bytes + " bytes");
            }
        }
    }

    private void unreserve(long bytes) {
        for (Allocator a = this; a != null; a = a.parent) {
            a.allocated.addAndGet(-bytes);
        }
    }

    void release(Buffer b) {
        synchronized (this) {
            if (live.remove(b) == null) {
                return;
            }
        }
        Pointer.free(new Pointer() {
            {
                address = b.rawAddress();
            }
        });
        unreserve(b.size());
    }

    @Override
    public void close() {
        List<Buffer> leaked;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            leaked = new ArrayList<>(live.keySet());
        }
        if (parent != null) {
            synchronized (parent) {
                parent.children.remove(this);
            }
        }
        if (!leaked.isEmpty()) {
            long bytes = 0;
            StringBuilder sb = new StringBuilder();
            for (Buffer b : leaked) {
                bytes += b.size();
                sb.append("\n  ").append(b.describe());
                b.release();
            }
            throw new IllegalStateException("allocator '" + name + "' closed with " + leaked.size() + " live buffer(s), "
                    + bytes + " bytes:" + sb);
        }
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("allocator '" + name + "' is closed");
        }
    }

    /** A printable tree of allocators and their live buffers, for leak reports. */
    public synchronized String dump() {
        StringBuilder sb = new StringBuilder();
        dump(sb, "");
        return sb.toString();
    }

    private synchronized void dump(StringBuilder sb, String indent) {
        sb.append(indent).append(name).append(": ").append(allocated.get()).append(" bytes, ").append(live.size())
                .append(" buffer(s)\n");
        for (Buffer b : live.keySet()) {
            sb.append(indent).append("  - ").append(b.describe()).append('\n');
        }
        for (Allocator c : children) {
            c.dump(sb, indent + "  ");
        }
    }

    /** Descriptions of every live buffer under this allocator. */
    public synchronized List<String> liveDescriptions() {
        List<String> out = new ArrayList<>();
        for (Buffer b : live.keySet()) {
            out.add(b.describe());
        }
        for (Allocator c : children) {
            out.addAll(c.liveDescriptions());
        }
        return out;
    }
}
