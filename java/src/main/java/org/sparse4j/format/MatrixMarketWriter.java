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
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;
import org.sparse4j.format.MatrixMarket.Symmetry;

/**
 * Writes MatrixMarket text from native arrays, reading them in chunks so the heap holds only a
 * chunk at a time. Values are printed with the shortest text that reads back to the same float
 * (Float.toString for f32, f16 and bf16, Double.toString for f64).
 */
final class MatrixMarketWriter {
    private static final int CHUNK = MatrixMarketReader.CHUNK;

    private MatrixMarketWriter() {}

    static void write(Writer w, SparseMatrix m) throws IOException {
        Formats.requireHost("MatrixMarket write", m);
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
        banner(w, m, Symmetry.GENERAL, m.nnz());
    }

    private static void banner(Writer w, SparseMatrix m, Symmetry symmetry, long entries) throws IOException {
        w.write("%%MatrixMarket matrix coordinate " + (m.valueType() == null ? "pattern" : "real") + " " + symmetry.token() + "\n");
        w.write(m.rows() + " " + m.cols() + " " + entries + "\n");
    }

    /**
     * Writes one triangle of a symmetric or skew-symmetric matrix (the lower one, as the format
     * says; strictly lower for skew-symmetric), after checking that the matrix really is one.
     */
    static void write(Writer w, SparseMatrix m, Symmetry symmetry) throws IOException {
        Formats.requireHost("MatrixMarket write", m);
        if (symmetry == Symmetry.GENERAL) {
            write(w, m);
            return;
        }
        if (symmetry != Symmetry.SYMMETRIC && symmetry != Symmetry.SKEW_SYMMETRIC) {
            throw new InvalidArgumentException("MatrixMarket: cannot write " + symmetry.token() + " matrices");
        }
        if (m.rows() != m.cols()) {
            throw new ShapeMismatchException("MatrixMarket: a " + symmetry.token() + " matrix must be square, this one is "
                    + m.rows() + "x" + m.cols());
        }
        boolean skew = symmetry == Symmetry.SKEW_SYMMETRIC;
        if (skew && m.valueType() == null) {
            throw new InvalidArgumentException("MatrixMarket: a pattern matrix cannot be skew-symmetric");
        }
        try (Csr owned = m instanceof Csr ? null : m.toCsr(); Csr t = (owned != null ? owned : (Csr) m).transpose()) {
            Csr a = owned != null ? owned : (Csr) m;
            long lower = checkMirror(a, t, skew);
            banner(w, a, symmetry, lower);
            RowWalker entries = new RowWalker(a);
            ValueCursor values = a.values() == null ? null : new ValueCursor(a.values());
            while (entries.next()) {
                long row = entries.row();
                long col = entries.col();
                String v = values == null ? null : values.next();
                if (skew ? row > col : row >= col) {
                    w.write(Long.toString(row + 1));
                    w.write(' ');
                    w.write(Long.toString(col + 1));
                    if (v != null) {
                        w.write(' ');
                        w.write(v);
                    }
                    w.write('\n');
                }
            }
        }
    }

    /**
     * Checks that a equals its transpose t (or minus it, with a zero diagonal, when skew): both are
     * CSR, so equal structure means the k-th entries of a and t are mirror images. Returns the
     * number of entries in the triangle to write.
     */
    private static long checkMirror(Csr a, Csr t, boolean skew) {
        String kind = skew ? "skew-symmetric" : "symmetric";
        IndexCursor ap = new IndexCursor(a.rowPtr());
        IndexCursor tp = new IndexCursor(t.rowPtr());
        for (long i = 0; i <= a.rows(); i++) {
            long x = ap.next();
            long y = tp.next();
            if (x != y) {
                throw new InvalidArgumentException("MatrixMarket: the matrix is not " + kind + ": row " + Math.max(0, i - 1)
                        + " has a different number of entries than column " + Math.max(0, i - 1));
            }
        }
        RowWalker entries = new RowWalker(a);
        IndexCursor tc = new IndexCursor(t.colIdx());
        ValueCursor av = a.values() == null ? null : new ValueCursor(a.values());
        ValueCursor tv = a.values() == null ? null : new ValueCursor(t.values());
        long lower = 0;
        while (entries.next()) {
            long row = entries.row();
            long col = entries.col();
            if (col != tc.next()) {
                throw new InvalidArgumentException("MatrixMarket: the matrix is not " + kind + ": entry (" + row + ", " + col
                        + ") has no mirror entry");
            }
            if (av != null) {
                double v = av.nextValue();
                double mirror = tv.nextValue();
                if (skew ? (v != -mirror || (row == col && v != 0)) : v != mirror) {
                    throw new InvalidArgumentException("MatrixMarket: the matrix is not " + kind + ": (" + row + ", " + col + ") = "
                            + v + " but (" + col + ", " + row + ") = " + mirror);
                }
            }
            if (skew ? row > col : row >= col) {
                lower++;
            }
        }
        return lower;
    }

    private static void writeCsr(Writer w, Csr m) throws IOException {
        banner(w, m);
        RowWalker entries = new RowWalker(m);
        ValueCursor values = m.values() == null ? null : new ValueCursor(m.values());
        while (entries.next()) {
            entry(w, entries.row(), entries.col(), values);
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
        t.requireHost("MatrixMarket writeDense");
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

    /**
     * Walks the entries of a CSR matrix in storage order (row by row), recovering each entry's row
     * from row_ptr. Values are not read: callers that need them keep a {@link ValueCursor} in step.
     */
    private static final class RowWalker {
        private final IndexCursor rowPtr;
        private final IndexCursor colIdx;
        private final long nnz;
        private long k;
        private long row;
        private long rowEnd;
        private long col;

        RowWalker(Csr m) {
            this.rowPtr = new IndexCursor(m.rowPtr());
            this.colIdx = new IndexCursor(m.colIdx());
            this.nnz = m.nnz();
            rowPtr.next();  // row_ptr[0] is 0
            this.rowEnd = m.rows() > 0 ? rowPtr.next() : 0;
        }

        /** Moves to the next entry; false after the last. */
        boolean next() {
            if (k == nnz) {
                return false;
            }
            while (k == rowEnd) {
                row++;
                rowEnd = rowPtr.next();
            }
            col = colIdx.next();
            k++;
            return true;
        }

        /** The 0-based row of the current entry. */
        long row() {
            return row;
        }

        /** The 0-based column of the current entry. */
        long col() {
            return col;
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
            return format(nextValue());
        }

        /** The shortest text that reads back to the same value of this dtype. */
        String format(double v) {
            return dt == DType.F64 ? Double.toString(v) : Float.toString((float) v);
        }

        double nextValue() {
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
                case F32 -> f32[k];
                case F64 -> f64[k];
                case F16 -> Float16.halfToFloat(f16[k]);
                case BF16 -> Float16.bf16ToFloat(f16[k]);
                default -> throw new IllegalStateException("dtype " + dt);
            };
        }
    }
}
