package org.sparse4j.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.sparse4j.Device;
import org.sparse4j.NativeOutOfMemoryError;
import org.sparse4j.nativeapi.Sparse4jNative;

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

    private static final Allocator HOST_ROOT = new Allocator("host", null, Long.MAX_VALUE, Device.CPU);
    private static final Map<Integer, Allocator> CUDA_ROOTS = new ConcurrentHashMap<>();

    private final String name;
    private final Device device;
    private final Allocator parent;
    private final long limit;
    private final AtomicLong allocated = new AtomicLong();
    private final Map<Buffer, Boolean> live = new IdentityHashMap<>();
    private final List<Allocator> children = new ArrayList<>();
    private boolean closed;

    private Allocator(String name, Allocator parent, long limit, Device device) {
        this.name = name;
        this.parent = parent;
        this.limit = limit;
        this.device = device;
    }

    public static Allocator hostRoot() {
        return HOST_ROOT;
    }

    /**
     * The root for a device's memory: the host root for the CPU, one root per CUDA device. CUDA
     * buffers come from the device's stream-ordered pool (see the C ABI), so freeing and
     * reallocating does not reach cudaMalloc.
     */
    public static Allocator root(Device device) {
        if (device.isCpu()) {
            return HOST_ROOT;
        }
        return CUDA_ROOTS.computeIfAbsent(device.index(), i -> new Allocator(device.toString(), null, Long.MAX_VALUE, device));
    }

    /** Every CUDA root made so far (for leak checks). */
    public static java.util.Collection<Allocator> cudaRoots() {
        return java.util.List.copyOf(CUDA_ROOTS.values());
    }

    public Device device() {
        return device;
    }

    public synchronized Allocator newChild(String childName, long childLimit) {
        ensureOpen();
        Allocator child = new Allocator(childName, this, childLimit, device);
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

    /** Allocates {@code bytes} of zeroed memory on this allocator's device (host memory aligned to 64 bytes). */
    public Buffer allocate(long bytes, String what) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        reserve(bytes);
        if (!device.isCpu()) {
            return allocateCuda(bytes, what);
        }
        long raw = 0;
        try {
            Pointer p = Pointer.calloc(bytes + ALIGNMENT, 1);
            if (p == null || p.isNull()) {
                throw new NativeOutOfMemoryError("could not allocate " + bytes + " bytes of host memory for " + what
                        + " (" + name + " holds " + allocated.get() + ")");
            }
            raw = p.address();
            long aligned = (raw + ALIGNMENT - 1) & -(long) ALIGNMENT;
            return track(new Buffer(this, raw, aligned, bytes, what, DEBUG ? new Throwable("allocated here") : null));
        } catch (RuntimeException | Error e) {
            unreserve(bytes);
            throw e;
        }
    }

    private Buffer allocateCuda(long bytes, String what) {
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            Native.check(Sparse4jNative.s4j_cuda_alloc(device.index(), bytes, out));
            long address = out.get(0) == null ? 0 : out.get(0).address();
            try {
                return track(new Buffer(this, address, address, bytes, what, DEBUG ? new Throwable("allocated here") : null));
            } catch (RuntimeException | Error e) {
                Sparse4jNative.s4j_cuda_free(device.index(), out.get(0));
                throw e;
            }
        } catch (RuntimeException | Error e) {
            unreserve(bytes);
            throw e;
        }
    }

    private synchronized Buffer track(Buffer b) {
        live.put(b, Boolean.TRUE);
        return b;
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
        unreserve(b.size());
        if (!device.isCpu()) {
            // Queued behind the work already on blocking streams; an error here is a sticky CUDA
            // error from earlier work, and it is reported rather than hidden.
            Native.check(Sparse4jNative.s4j_cuda_free(device.index(), Pointers.at(b.rawAddress(), 0)));
            return;
        }
        Pointer.free(new Pointer() {
            {
                address = b.rawAddress();
            }
        });
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
