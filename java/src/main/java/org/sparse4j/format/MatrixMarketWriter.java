package org.sparse4j.format;

import java.io.IOException;
import java.io.Writer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.sparse4j.DType;
import org.sparse4j.Float16;
import org.sparse4j.Tensor;

/**
 * Writes MatrixMarket text from native arrays, reading them in chunks so the heap holds only a
 * chunk at a time. Values are printed with the shortest text that reads back to the same float
 * (Float.toString for f32, f16 and bf16, Double.toString for f64).
 */
final class MatrixMarketWriter {
    private static final int CHUNK = MatrixMarketReader.CHUNK;

    private MatrixMarketWriter() {}

    static void write(Writer w, SparseMatrix m) throws IOException {
        if (m instanceof Csr csr) {
            writeCsr(w, csr);
        } else if (m instanceof Coo coo && coo.isCanonical()) {
            writeCoo(w, coo);
        } else {
            try (Csr csr = m.toCsr()) {
                writeCsr(w, csr);
            }
        }
    }

    private static void banner(Writer w, SparseMatrix m) throws IOException {
        w.write("%%MatrixMarket matrix coordinate " + (m.valueType() == null ? "pattern" : "real") + " general\n");
        w.write(m.rows() + " " + m.cols() + " " + m.nnz() + "\n");
    }

    private static void writeCsr(Writer w, Csr m) throws IOException {
        banner(w, m);
        long nnz = m.nnz();
        IndexCursor rowPtr = new IndexCursor(m.rowPtr());
        IndexCursor colIdx = new IndexCursor(m.colIdx());
        ValueCursor values = m.values() == null ? null : new ValueCursor(m.values());
        rowPtr.next();
        long row = 0;
        long rowEnd = m.rows() > 0 ? rowPtr.next() : 0;
        for (long k = 0; k < nnz; k++) {
            while (k == rowEnd) {
                row++;
                rowEnd = rowPtr.next();
            }
            entry(w, row, colIdx.next(), values);
        }
    }

    private static void writeCoo(Writer w, Coo m) throws IOException {
        banner(w, m);
        long nnz = m.nnz();
        IndexCursor rowIdx = new IndexCursor(m.rowIdx());
        IndexCursor colIdx = new IndexCursor(m.colIdx());
        ValueCursor values = m.values() == null ? null : new ValueCursor(m.values());
        for (long k = 0; k < nnz; k++) {
            entry(w, rowIdx.next(), colIdx.next(), values);
        }
    }

    private static void entry(Writer w, long row, long col, ValueCursor values) throws IOException {
        w.write(Long.toString(row + 1));
        w.write(' ');
        w.write(Long.toString(col + 1));
        if (values != null) {
            w.write(' ');
            w.write(values.next());
        }
        w.write('\n');
    }

    /** A rank-2 float tensor as "array real general", column by column. */
    static void writeDense(Writer w, Tensor t) throws IOException {
        long rows = t.shape(0);
        long cols = t.shape(1);
        long s0 = t.strides()[0];
        long s1 = t.strides()[1];
        w.write("%%MatrixMarket matrix array real general\n");
        w.write(rows + " " + cols + "\n");
        DType dt = t.dtype();
        FloatPointer f32 = dt == DType.F32 ? new FloatPointer(t.pointer()) : null;
        DoublePointer f64 = dt == DType.F64 ? new DoublePointer(t.pointer()) : null;
        ShortPointer f16 = dt == DType.F16 || dt == DType.BF16 ? new ShortPointer(t.pointer()) : null;
        for (long j = 0; j < cols; j++) {
            for (long i = 0; i < rows; i++) {
                long off = i * s0 + j * s1;
                String v = switch (dt) {
                    case F32 -> Float.toString(f32.get(off));
                    case F64 -> Double.toString(f64.get(off));
                    case F16 -> Float.toString(Float16.halfToFloat(f16.get(off)));
                    case BF16 -> Float.toString(Float16.bf16ToFloat(f16.get(off)));
                    default -> throw new IllegalStateException("dtype " + dt);
                };
                w.write(v);
                w.write('\n');
            }
        }
    }

    /** Reads an I32 or I64 tensor front to back, a chunk at a time. */
    private static final class IndexCursor {
        private final Tensor t;
        private final boolean i32;
        private final int[] ints;
        private final long[] longs;
        private long loaded;
        private int pos;
        private int n;

        IndexCursor(Tensor t) {
            this.t = t;
            this.i32 = t.dtype() == DType.I32;
            int size = (int) Math.min(CHUNK, Math.max(1, t.elementCount()));
            this.ints = i32 ? new int[size] : null;
            this.longs = i32 ? null : new long[size];
        }

        long next() {
            if (pos == n) {
                loaded += n;
                n = (int) Math.min(i32 ? ints.length : longs.length, t.elementCount() - loaded);
                if (n <= 0) {
                    throw new IllegalStateException("read past the end of an index array of " + t.elementCount());
                }
                if (i32) {
                    new IntPointer(t.pointer()).position(loaded).get(ints, 0, n);
                } else {
                    new LongPointer(t.pointer()).position(loaded).get(longs, 0, n);
                }
                pos = 0;
            }
            return i32 ? ints[pos++] : longs[pos++];
        }
    }

    /** Reads a float tensor front to back as text, a chunk at a time. */
    private static final class ValueCursor {
        private final Tensor t;
        private final DType dt;
        private final float[] f32;
        private final double[] f64;
        private final short[] f16;
        private final int size;
        private long loaded;
        private int pos;
        private int n;

        ValueCursor(Tensor t) {
            this.t = t;
            this.dt = t.dtype();
            this.size = (int) Math.min(CHUNK, Math.max(1, t.elementCount()));
            this.f32 = dt == DType.F32 ? new float[size] : null;
            this.f64 = dt == DType.F64 ? new double[size] : null;
            this.f16 = dt == DType.F16 || dt == DType.BF16 ? new short[size] : null;
        }

        String next() {
            if (pos == n) {
                loaded += n;
                n = (int) Math.min(size, t.elementCount() - loaded);
                if (n <= 0) {
                    throw new IllegalStateException("read past the end of a value array of " + t.elementCount());
                }
                switch (dt) {
                    case F32 -> new FloatPointer(t.pointer()).position(loaded).get(f32, 0, n);
                    case F64 -> new DoublePointer(t.pointer()).position(loaded).get(f64, 0, n);
                    default -> new ShortPointer(t.pointer()).position(loaded).get(f16, 0, n);
                }
                pos = 0;
            }
            int k = pos++;
            return switch (dt) {
                case F32 -> Float.toString(f32[k]);
                case F64 -> Double.toString(f64[k]);
                case F16 -> Float.toString(Float16.halfToFloat(f16[k]));
                case BF16 -> Float.toString(Float16.bf16ToFloat(f16[k]));
                default -> throw new IllegalStateException("dtype " + dt);
            };
        }
    }
}
