package org.sparse4j;

import org.bytedeco.javacpp.BytePointer;
import org.sparse4j.internal.Native;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_context_t;

/**
 * Where and how ops run: the device, the CPU thread count, and a cap on the backend tier (which is
 * how conformance runs every tier on one machine). Calls on one context are ordered; use one
 * context per thread. {@link #defaultContext()} gives each thread its own.
 */
public final class Context implements AutoCloseable {
    private static final ThreadLocal<Context> DEFAULT = ThreadLocal.withInitial(() -> new Context(Device.CPU, 0));

    private final Device device;
    private s4j_context_t handle;
    private org.bytedeco.javacpp.Pointer ownStream;  // made by useNewStream, destroyed with the context

    private Context(Device device, int threads) {
        Native.load();
        this.device = device;
        s4j_context_t h = new s4j_context_t();
        Native.check(Sparse4jNative.s4j_context_create(h, device.kind().code(), device.index(), threads));
        this.handle = h;
    }

    /** A CPU context using every hardware thread. */
    public static Context cpu() {
        return new Context(Device.CPU, 0);
    }

    /** A CPU context using {@code threads} threads (0: every hardware thread). */
    public static Context cpu(int threads) {
        if (threads < 0) {
            throw new InvalidArgumentException("thread count must be >= 0, got " + threads);
        }
        return new Context(Device.CPU, threads);
    }

    /** A context on {@code device}; a CUDA device fails with the reason when there is no CUDA backend. */
    public static Context on(Device device) {
        return new Context(device, 0);
    }

    /** A context on CUDA device {@code index}; fails with the reason when there is no CUDA backend. */
    public static Context cuda(int index) {
        return new Context(Device.cuda(index), 0);
    }

    /** This thread's CPU context with every tier allowed; never close it. */
    public static Context defaultContext() {
        return DEFAULT.get();
    }

    /** Allows only backends up to {@code cap}; {@link Backend#REFERENCE} forces the scalar oracle. */
    public Context capBackend(Backend cap) {
        Native.check(Sparse4jNative.s4j_context_set_backend_cap(handle(), cap.code()));
        return this;
    }

    public Backend backendCap() {
        return Backend.fromCode(Sparse4jNative.s4j_context_backend_cap(handle()));
    }

    public int threads() {
        return Sparse4jNative.s4j_context_threads(handle());
    }

    public Device device() {
        return device;
    }

    /**
     * Queues this context's ops on a CUDA stream (a {@code cudaStream_t}, e.g. from another CUDA
     * library); null selects the default stream. A CPU context has no stream: a non-null one is an
     * InvalidArgumentException.
     */
    public Context setStream(org.bytedeco.javacpp.Pointer stream) {
        if (!device.isCpu()) {
            synchronize();  // ops on the old stream finish before any on the new one starts
        }
        Native.check(Sparse4jNative.s4j_context_set_stream(handle(), stream));
        return this;
    }

    /**
     * Queues this context's ops on a new CUDA stream of its own (blocking with respect to the legacy
     * default stream, so frees and copies stay ordered after the ops), destroyed when the context
     * closes. Ops on a CUDA context are asynchronous: {@link #synchronize()} waits for them, and
     * reading a result back to the host ({@link Tensor#toHost()}) does too.
     */
    public Context useNewStream() {
        if (device.isCpu()) {
            throw new InvalidArgumentException("a CPU context has no CUDA stream");
        }
        s4j_context_t h = handle();  // a closed context gets no stream
        org.bytedeco.javacpp.Pointer s;
        try (org.bytedeco.javacpp.PointerPointer<org.bytedeco.javacpp.Pointer> out = new org.bytedeco.javacpp.PointerPointer<>(1)) {
            Native.check(Sparse4jNative.s4j_cuda_stream_create(device.index(), out));
            s = out.get(0);
        }
        org.bytedeco.javacpp.Pointer old = ownStream;
        try {
            setStream(s);  // waits for the work already queued, so the switch keeps the calls in order
        } catch (RuntimeException e) {
            Sparse4jNative.s4j_cuda_stream_destroy(device.index(), s);
            throw e;
        }
        ownStream = s;
        if (old != null) {
            Native.check(Sparse4jNative.s4j_cuda_stream_destroy(device.index(), old));
        }
        java.lang.ref.Reference.reachabilityFence(h);
        return this;
    }

    /**
     * Waits until every op queued on this context has finished; errors of asynchronous CUDA work
     * surface here as {@link CudaException}. Returns at once on a CPU context, whose ops are synchronous.
     */
    public void synchronize() {
        Native.check(Sparse4jNative.s4j_context_synchronize(handle()));
    }

    /** The CUDA stream ops are queued on, or null for the default stream (always null on a CPU context). */
    public org.bytedeco.javacpp.Pointer stream() {
        org.bytedeco.javacpp.Pointer p = Sparse4jNative.s4j_context_stream(handle());
        return p == null || p.isNull() ? null : p;
    }

    /** Name of the implementation that ran the last op on this context, "" before any. */
    public String lastImplementation() {
        return Native.string(Sparse4jNative.s4j_context_last_impl(handle()));
    }

    /**
     * Runs {@code op} on this context only with the implementation called {@code name} (as
     * {@link Backends} lists them, e.g. "avx2:spmm_csr"), to compare implementations; null goes back
     * to the best eligible one. An unknown name is an InvalidArgumentException; a call the forced
     * implementation cannot take fails with the reason instead of falling back.
     */
    public Context forceImplementation(Op op, String name) {
        if (op == null) {
            throw new InvalidArgumentException("op is null");
        }
        Native.check(Sparse4jNative.s4j_context_force_impl(handle(), op.code(), name));
        return this;
    }

    /** The implementation this context would pick for an op and dtype; throws with the reason when none. */
    public String implementationFor(Op op, DType dtype) {
        BytePointer name = new BytePointer((org.bytedeco.javacpp.Pointer) null);
        Native.check(Sparse4jNative.s4j_op_query(handle(), op.code(), dtype.code(), name));
        return Native.string(name);
    }

    /** The native handle, for the op classes. Internal. */
    public s4j_context_t handle() {
        if (handle == null) {
            throw new InvalidArgumentException("context is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (this == DEFAULT.get()) {
            return;  // the thread's default context lives as long as the thread
        }
        if (handle != null) {
            // Wait for the last ops, then release everything before reporting what the wait said:
            // an asynchronous CUDA error of those ops must not be lost.
            int status = device.isCpu() ? 0 : Sparse4jNative.s4j_context_synchronize(handle);
            if (ownStream != null) {
                Sparse4jNative.s4j_cuda_stream_destroy(device.index(), ownStream);
                ownStream = null;
            }
            Sparse4jNative.s4j_context_destroy(handle);
            handle = null;
            Native.check(status);
        }
    }
}
