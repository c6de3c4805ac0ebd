package org.sparse4j;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.logging.Logger;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.sparse4j.internal.Allocator;
import org.sparse4j.internal.Buffer;
import org.sparse4j.internal.Native;
import org.sparse4j.internal.Pointers;
import org.sparse4j.nativeapi.Sparse4jNative;
import org.sparse4j.nativeapi.Sparse4jNative.s4j_dense;

/**
 * A strided n-dimensional array in native memory: dtype, shape, strides (in elements) and device.
 * A tensor either owns its memory (made by a factory: freed by {@link #close()} or by the
 * {@link Scope} it was made in) or borrows it (a view of another tensor, or a direct ByteBuffer).
 */
public final class Tensor implements AutoCloseable {
    public static final int MAX_RANK = 8;
    private static final Logger LOG = Logger.getLogger(Tensor.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final Device device;
    private final long address;
    private final Buffer buffer;   // non-null when this tensor owns its memory
    private final Tensor base;     // the owner this view reads from, or null
    private final Object keepAlive; // a ByteBuffer this tensor borrows
    private volatile Scope scope;   // the scope that owns this tensor, if any
    private volatile boolean readOnly;
    private s4j_dense descriptor;   // made on first use, freed on close
    private volatile boolean closed;

    private Tensor(DType dtype, long[] shape, long[] strides, Device device, long address, Buffer buffer, Tensor base,
            Object keepAlive) {
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.device = device;
        this.address = address;
        this.buffer = buffer;
        this.base = base;
        this.keepAlive = keepAlive;
    }

    // ---- factories ----------------------------------------------------------------------------

    /** A zero-filled contiguous tensor in host memory. */
    public static Tensor zeros(DType dtype, long... shape) {
        return zeros(Device.CPU, dtype, shape);
    }

    /**
     * A zero-filled contiguous tensor on {@code device}. Host memory comes from the current
     * {@link Scope}'s allocator, CUDA memory from the device's pool; either way the tensor joins the
     * current scope.
     */
    public static Tensor zeros(Device device, DType dtype, long... shape) {
        long[] s = checkShape(shape);
        long bytes = byteCount(s, dtype);
        Native.load();
        Buffer b = (device.isCpu() ? Scope.currentAllocator() : Allocator.root(device)).allocate(bytes, dtype + Arrays.toString(s));
        Tensor t = new Tensor(dtype, s, contiguousStrides(s), device, b.address(), b, null, null);
        CLEANER.register(t, new Reclaim(b, dtype + Arrays.toString(s)));
        Scope owner = Scope.current();
        if (owner != null) {
            owner.own(t);
            t.scope = owner;
        }
        return t;
    }

    /** An F32 tensor holding a copy of {@code data}; shape defaults to {@code [data.length]}. */
    public static Tensor of(float[] data, long... shape) {
        Tensor t = zeros(DType.F32, shapeFor(data.length, shape));
        new FloatPointer(t.pointer()).put(data, 0, data.length);
        return t;
    }

    /** An F64 tensor holding a copy of {@code data}. */
    public static Tensor of(double[] data, long... shape) {
        Tensor t = zeros(DType.F64, shapeFor(data.length, shape));
        new DoublePointer(t.pointer()).put(data, 0, data.length);
        return t;
    }

    /** A float tensor of {@code dtype} (F32, F64, F16, BF16) holding {@code data} rounded to it. */
    public static Tensor of(float[] data, DType dtype, long... shape) {
        try (Tensor f32 = of(data, shapeFor(data.length, shape))) {
            return f32.to(dtype);
        }
    }

    /** A float tensor of {@code dtype} holding {@code data} rounded to it. */
    public static Tensor of(double[] data, DType dtype, long... shape) {
        requireFloat(dtype, "of(double[], dtype)");
        Tensor t = of(data, shape);
        if (dtype == DType.F64) {
            return t;
        }
        try (t) {
            return t.to(dtype);
        }
    }

    /** A F16 or BF16 tensor holding the raw 16-bit patterns in {@code bits}. */
    public static Tensor ofBits(short[] bits, DType dtype, long... shape) {
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new InvalidArgumentException("ofBits takes f16 or bf16, got " + dtype);
        }
        Tensor t = zeros(dtype, shapeFor(bits.length, shape));
        new ShortPointer(t.pointer()).put(bits, 0, bits.length);
        return t;
    }

    public static Tensor of(int[] data, long... shape) {
        Tensor t = zeros(DType.I32, shapeFor(data.length, shape));
        new IntPointer(t.pointer()).put(data, 0, data.length);
        return t;
    }

    public static Tensor of(long[] data, long... shape) {
        Tensor t = zeros(DType.I64, shapeFor(data.length, shape));
        new LongPointer(t.pointer()).put(data, 0, data.length);
        return t;
    }

    public static Tensor of(byte[] data, long... shape) {
        Tensor t = zeros(DType.I8, shapeFor(data.length, shape));
        new BytePointer(t.pointer()).put(data, 0, data.length);
        return t;
    }

    /**
     * Borrows a direct, little-endian ByteBuffer without copying, from its position. The buffer must
     * stay reachable and unchanged in size while the tensor is used; the tensor keeps a reference.
     */
    public static Tensor wrap(ByteBuffer buffer, DType dtype, long... shape) {
        if (buffer == null) {
            throw new InvalidArgumentException("buffer is null");
        }
        if (!buffer.isDirect()) {
            throw new InvalidArgumentException("only a direct ByteBuffer can be wrapped without copying; copy heap buffers with of(...)");
        }
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN && dtype.byteSize() > 1) {
            throw new InvalidArgumentException("the buffer must be in little-endian order (ByteOrder.nativeOrder()), it is " + buffer.order());
        }
        long[] s = checkShape(shape);
        long bytes = byteCount(s, dtype);
        if (bytes > buffer.remaining()) {
            throw new ShapeMismatchException("shape " + Arrays.toString(s) + " of " + dtype + " needs " + bytes
                    + " bytes but the buffer has " + buffer.remaining() + " remaining");
        }
        Native.load();
        Tensor t = new Tensor(dtype, s, contiguousStrides(s), Device.CPU, Pointers.address(buffer), null, null, buffer);
        if (buffer.isReadOnly()) {
            t.readOnly = true;  // usable as an input, refused as an output
        }
        return t;
    }

    // ---- properties ---------------------------------------------------------------------------

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long shape(int dim) {
        return shape[dim];
    }

    public long[] strides() {
        return strides.clone();
    }

    public int rank() {
        return shape.length;
    }

    public Device device() {
        return device;
    }

    public long elementCount() {
        return count(shape);
    }

    public boolean isContiguous() {
        return Arrays.equals(strides, contiguousStrides(shape));
    }

    public boolean isClosed() {
        return closed || (base != null && base.isClosed()) || (buffer != null && buffer.isReleased());
    }

    /**
     * Freezes this tensor: sparse4j then refuses every write through it (setDouble, a writable
     * ByteBuffer, use as an op output). Formats freeze their arrays, so a validated structure cannot
     * be broken afterwards. Views made later are frozen too.
     */
    public Tensor makeReadOnly() {
        readOnly = true;
        return this;
    }

    public boolean isReadOnly() {
        return readOnly || (base != null && base.isReadOnly());
    }

    /** Throws unless this tensor is open and writable; names it as {@code what}. */
    public void ensureWritable(String what) {
        ensureOpen();
        if (isReadOnly()) {
            throw new InvalidArgumentException(what + " is read-only (a wrapped read-only buffer, or an array of a format)");
        }
    }

    /** True when this tensor owns its memory (not a view or a wrapped buffer). */
    public boolean ownsMemory() {
        return buffer != null;
    }

    // ---- views and copies ---------------------------------------------------------------------

    /** A rank-2 transposed view sharing this tensor's memory. */
    public Tensor transpose() {
        ensureOpen();
        if (rank() != 2) {
            throw new ShapeMismatchException("transpose needs a rank-2 tensor, this one has rank " + rank());
        }
        return new Tensor(dtype, new long[] {shape[1], shape[0]}, new long[] {strides[1], strides[0]}, device, address, null,
                owner(), null);
    }

    /** A contiguous view with another shape of the same element count; this tensor must be contiguous. */
    public Tensor reshape(long... newShape) {
        ensureOpen();
        long[] s = checkShape(newShape);
        if (count(s) != elementCount()) {
            throw new ShapeMismatchException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(s));
        }
        if (!isContiguous()) {
            throw new InvalidArgumentException("reshape needs a contiguous tensor; call copy() first");
        }
        return new Tensor(dtype, s, contiguousStrides(s), device, address, null, owner(), null);
    }

    /** A contiguous copy of this tensor's elements on the same device (in the current scope). */
    public Tensor copy() {
        ensureOpen();
        if (!device.isCpu()) {
            if (!isContiguous()) {
                try (Tensor h = toHost()) {
                    return h.to(device);
                }
            }
            return copyContiguousTo(device);
        }
        Tensor out = zeros(dtype, shape);
        if (isContiguous()) {
            org.bytedeco.javacpp.Pointer.memcpy(out.pointer(), pointer(), byteSize());
        } else {
            long n = elementCount();
            long[] idx = new long[rank()];
            int es = dtype.byteSize();
            long dst = out.address;
            for (long i = 0; i < n; i++) {
                org.bytedeco.javacpp.Pointer.memcpy(Pointers.at(dst + i * es, es), Pointers.at(address + offsetOf(idx) * es, es), es);
                increment(idx);
            }
        }
        return out;
    }

    /** A contiguous copy converted to another float dtype (rounding to nearest even). */
    public Tensor to(DType target) {
        ensureOpen();
        requireFloat(dtype, "to(dtype) source");
        requireFloat(target, "to(dtype) target");
        if (!device.isCpu()) {  // converted on the host, then moved back
            try (Tensor h = toHost(); Tensor c = h.to(target)) {
                return c.to(device);
            }
        }
        try (Tensor src = isContiguous() ? null : copy()) {
            Tensor from = src == null ? this : src;
            Tensor out = zeros(target, shape);
            Native.check(Sparse4jNative.s4j_convert_values(from.pointer(), dtype.code(), out.pointer(), target.code(),
                    elementCount()));
            return out;
        }
    }

    /**
     * A contiguous copy on {@code target} (host or a CUDA device); to the same device it is {@link #copy()}.
     * The copy is complete when this returns. A CUDA target needs the CUDA backend: without one this
     * throws {@link UnsupportedBackendException} with the reason.
     */
    public Tensor to(Device target) {
        ensureOpen();
        if (target == null) {
            throw new InvalidArgumentException("target device is null");
        }
        if (target.equals(device)) {
            return copy();
        }
        if (!target.isCpu() && Backends.cudaDeviceCount() == 0) {
            throw new UnsupportedBackendException("cannot move a tensor to " + target + ": " + Backends.cudaUnavailableReason());
        }
        if (!isContiguous()) {
            if (device.isCpu()) {
                try (Tensor c = copy()) {
                    return c.to(target);
                }
            }
            // A view of device memory: bring its whole base over, take the same view there, copy it.
            Tensor base = owner();
            try (Tensor hostBase = base.to(Device.CPU)) {
                Tensor view = new Tensor(dtype, shape, strides, Device.CPU, hostBase.address + (address - base.address), null,
                        hostBase, null);
                if (target.isCpu()) {
                    return view.copy();
                }
                try (Tensor c = view.copy()) {
                    return c.to(target);
                }
            }
        }
        return copyContiguousTo(target);
    }

    /** This contiguous tensor copied to {@code target} by the CUDA runtime (any pair of host and devices). */
    private Tensor copyContiguousTo(Device target) {
        Tensor out = zeros(target, dtype, shape);
        try {
            Native.check(Sparse4jNative.s4j_cuda_memcpy(out.pointer(), pointer(), byteSize()));
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** A contiguous host copy ({@code to(Device.CPU)}). */
    public Tensor toHost() {
        return to(Device.CPU);
    }

    // ---- element and bulk access --------------------------------------------------------------

    /** Reads one element as a double (any dtype). */
    public double getDouble(long... index) {
        ensureOpen();
        requireHost("getDouble");
        long off = offsetOf(checkIndex(index));
        return readDouble(off);
    }

    /** Reads one integer element as a long (I8, I32, I64). */
    public long getLong(long... index) {
        ensureOpen();
        requireHost("getLong");
        long off = offsetOf(checkIndex(index));
        return switch (dtype) {
            case I8 -> new BytePointer(Pointers.at(address, 0)).get(off);
            case I32 -> new IntPointer(Pointers.at(address, 0)).get(off);
            case I64 -> new LongPointer(Pointers.at(address, 0)).get(off);
            default -> throw new InvalidArgumentException("getLong needs an integer tensor, this one is " + dtype);
        };
    }

    /** Writes one element (rounded to this tensor's dtype). */
    public void setDouble(double value, long... index) {
        ensureWritable("this tensor");
        requireHost("setDouble");
        long off = offsetOf(checkIndex(index));
        BytePointer p = Pointers.at(address, 0);
        switch (dtype) {
            case F32 -> new FloatPointer(p).put(off, (float) value);
            case F64 -> new DoublePointer(p).put(off, value);
            case F16 -> new ShortPointer(p).put(off, Float16.floatToHalf((float) value));
            case BF16 -> new ShortPointer(p).put(off, Float16.floatToBf16((float) value));
            case I8 -> new BytePointer(p).put(off, (byte) value);
            case I32 -> new IntPointer(p).put(off, (int) value);
            case I64 -> new LongPointer(p).put(off, (long) value);
        }
    }

    /** All elements in row-major order, converted to float (float dtypes only). */
    public float[] toFloatArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toFloatArray();
            }
        }
        requireFloat(dtype, "toFloatArray");
        if (dtype == DType.F32 && isContiguous()) {
            float[] out = new float[arrayLength()];
            new FloatPointer(pointer()).get(out);
            return out;
        }
        try (Tensor f = to(DType.F32)) {
            return f.toFloatArray();
        }
    }

    /** All elements in row-major order, converted to double (float dtypes only). */
    public double[] toDoubleArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toDoubleArray();
            }
        }
        requireFloat(dtype, "toDoubleArray");
        if (dtype == DType.F64 && isContiguous()) {
            double[] out = new double[arrayLength()];
            new DoublePointer(pointer()).get(out);
            return out;
        }
        try (Tensor f = to(DType.F64)) {
            return f.toDoubleArray();
        }
    }

    /** The raw 16-bit patterns of an F16 or BF16 tensor, row-major. */
    public short[] toShortArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toShortArray();
            }
        }
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new InvalidArgumentException("toShortArray needs f16 or bf16, this tensor is " + dtype);
        }
        try (Tensor c = isContiguous() ? null : copy()) {
            Tensor t = c == null ? this : c;
            short[] out = new short[arrayLength()];
            new ShortPointer(t.pointer()).get(out);
            return out;
        }
    }

    /** Elements of an I32 (or I8) tensor, row-major. */
    public int[] toIntArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toIntArray();
            }
        }
        if (dtype == DType.I8) {
            byte[] b = toByteArray();
            int[] out = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i];
            }
            return out;
        }
        if (dtype != DType.I32) {
            throw new InvalidArgumentException("toIntArray needs i32 or i8, this tensor is " + dtype);
        }
        try (Tensor c = isContiguous() ? null : copy()) {
            Tensor t = c == null ? this : c;
            int[] out = new int[arrayLength()];
            new IntPointer(t.pointer()).get(out);
            return out;
        }
    }

    /** Elements of an integer tensor widened to long, row-major. */
    public long[] toLongArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toLongArray();
            }
        }
        if (dtype == DType.I32 || dtype == DType.I8) {
            int[] v = toIntArray();
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i];
            }
            return out;
        }
        if (dtype != DType.I64) {
            throw new InvalidArgumentException("toLongArray needs an integer tensor, this tensor is " + dtype);
        }
        try (Tensor c = isContiguous() ? null : copy()) {
            Tensor t = c == null ? this : c;
            long[] out = new long[arrayLength()];
            new LongPointer(t.pointer()).get(out);
            return out;
        }
    }

    public byte[] toByteArray() {
        if (!device.isCpu()) {  // read through a host copy
            try (Tensor h = toHost()) {
                return h.toByteArray();
            }
        }
        if (dtype != DType.I8) {
            throw new InvalidArgumentException("toByteArray needs i8, this tensor is " + dtype);
        }
        try (Tensor c = isContiguous() ? null : copy()) {
            Tensor t = c == null ? this : c;
            byte[] out = new byte[arrayLength()];
            new BytePointer(t.pointer()).get(out);
            return out;
        }
    }

    /**
     * A little-endian ByteBuffer over this contiguous tensor's memory, without copying (≤ 2 GiB);
     * read-only when the tensor is. The buffer does not own the memory: using it after the tensor
     * is closed (or its Scope ends) reads freed memory and can crash the JVM. Copy what must outlive
     * the tensor.
     */
    public ByteBuffer asByteBuffer() {
        ensureOpen();
        requireHost("asByteBuffer");
        if (!isContiguous()) {
            throw new InvalidArgumentException("asByteBuffer needs a contiguous tensor; call copy() first");
        }
        ByteBuffer b = Pointers.buffer(address, byteSize());
        return isReadOnly() ? b.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN) : b;
    }

    /** Bytes spanned by the elements (contiguous size). */
    public long byteSize() {
        return elementCount() * dtype.byteSize();
    }

    /** A pointer at element 0 spanning the tensor's bytes. Internal. */
    public BytePointer pointer() {
        ensureOpen();
        return Pointers.at(address, byteSize());
    }

    /**
     * The C ABI descriptor of this tensor, made once (shape and address never change) and freed
     * with the tensor, so an op call allocates nothing. Internal; native code must not write it.
     */
    public synchronized s4j_dense descriptor() {
        ensureOpen();
        if (descriptor == null) {
            descriptor = newDescriptor();
        }
        return descriptor;
    }

    private s4j_dense newDescriptor() {
        if (rank() > MAX_RANK) {
            throw new ShapeMismatchException("rank " + rank() + " exceeds " + MAX_RANK);
        }
        s4j_dense d = new s4j_dense();
        d.data(Pointers.at(address, byteSize()));
        d.dtype(dtype.code());
        d.device(device.kind().code());
        d.device_index(device.index());
        d.rank(rank());
        for (int i = 0; i < rank(); i++) {
            d.shape(i, shape[i]);
            d.strides(i, strides[i]);
        }
        return d;
    }

    /** Throws when this tensor (or the tensor it views) has been closed. */
    public void ensureOpen() {
        if (isClosed()) {
            throw new InvalidArgumentException("tensor " + dtype + Arrays.toString(shape) + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (buffer != null) {
                buffer.release();  // a CUDA free can report an earlier asynchronous error
            }
        } finally {
            synchronized (this) {
                if (descriptor != null) {
                    descriptor.close();
                    descriptor = null;
                }
            }
            forgetScope();
        }
    }

    private void forgetScope() {
        Scope owner = scope;
        if (owner != null) {
            scope = null;
            owner.forget(this);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(Arrays.toString(shape)).append(", ").append(device);
        if (isClosed()) {
            return sb.append(", closed)").toString();
        }
        long n = elementCount();
        if (n <= 16 && device.isCpu()) {  // device values are not read here (no implicit copy or wait)
            sb.append(", [");
            long[] idx = new long[rank()];
            for (long i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(dtype.isFloating() ? Double.toString(readDouble(offsetOf(idx))) : Long.toString(getLong(idx)));
                increment(idx);
            }
            sb.append(']');
        }
        return sb.append(')').toString();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Tensor owner() {
        return base != null ? base : this;
    }

    private double readDouble(long off) {
        BytePointer p = Pointers.at(address, 0);
        return switch (dtype) {
            case F32 -> new FloatPointer(p).get(off);
            case F64 -> new DoublePointer(p).get(off);
            case F16 -> Float16.halfToFloat(new ShortPointer(p).get(off));
            case BF16 -> Float16.bf16ToFloat(new ShortPointer(p).get(off));
            case I8 -> new BytePointer(p).get(off);
            case I32 -> new IntPointer(p).get(off);
            case I64 -> new LongPointer(p).get(off);
        };
    }

    private int arrayLength() {
        ensureOpen();
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidArgumentException("a Java array holds at most 2^31 elements; this tensor has " + n
                    + " (use asByteBuffer or a view)");
        }
        return (int) n;
    }

    private long[] checkIndex(long[] index) {
        if (index.length != rank()) {
            throw new InvalidArgumentException("index has " + index.length + " coordinates, tensor has rank " + rank());
        }
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new InvalidArgumentException("index " + index[i] + " out of range [0, " + shape[i] + ") in dimension " + i);
            }
        }
        return index;
    }

    private long offsetOf(long[] idx) {
        long off = 0;
        for (int i = 0; i < idx.length; i++) {
            off += idx[i] * strides[i];
        }
        return off;
    }

    private void increment(long[] idx) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return;
            }
            idx[d] = 0;
        }
    }

    /** Refuses a tensor in device memory for {@code what}, which reads it on the host. Internal. */
    public void requireHost(String what) {
        if (!device.isCpu()) {
            throw new InvalidArgumentException(what + ": this tensor is on " + device + "; copy it with toHost() first");
        }
    }

    private static void requireFloat(DType d, String what) {
        if (!d.isFloating()) {
            throw new InvalidArgumentException(what + " needs a float dtype, got " + d);
        }
    }

    private static long[] shapeFor(int length, long[] shape) {
        long[] s = shape.length == 0 ? new long[] {length} : shape;
        long n = count(checkShape(s));
        if (n != length) {
            throw new ShapeMismatchException("shape " + Arrays.toString(s) + " holds " + n + " elements but the array has " + length);
        }
        return s;
    }

    private static long[] checkShape(long[] shape) {
        if (shape == null) {
            throw new InvalidArgumentException("shape is null");
        }
        if (shape.length > MAX_RANK) {
            throw new InvalidArgumentException("rank " + shape.length + " exceeds the maximum " + MAX_RANK);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new InvalidArgumentException("negative extent " + shape[i] + " in dimension " + i);
            }
        }
        return shape.clone();
    }

    /** Bytes of a contiguous tensor; a shape too large for 64-bit sizes is an InvalidArgumentException. */
    private static long byteCount(long[] shape, DType dtype) {
        try {
            return Math.multiplyExact(count(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " overflows 64-bit sizes");
        }
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InvalidArgumentException("shape " + Arrays.toString(shape) + " has more elements than 64-bit sizes hold");
            }
        }
        return n;
    }

    static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return st;
    }

    /** The safety net: frees memory of a tensor that was never closed, and says so. */
    private record Reclaim(Buffer buffer, String what) implements Runnable {
        @Override
        public void run() {
            if (!buffer.isReleased()) {
                LOG.warning("sparse4j: a tensor " + what + " was garbage-collected without close(); freed " + buffer.size()
                        + " bytes. Close tensors or open a Scope.");
                buffer.release();
            }
        }
    }
}
