package org.sparse4j.format;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.sparse4j.DType;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.Tensor;

/**
 * Reads and writes MatrixMarket (.mtx) text files.
 *
 * <p>Reading streams: the file is parsed a line at a time from a byte buffer and entries go in
 * chunks straight into native memory, so the Java heap needed does not grow with the file.
 * Supported: the {@code coordinate} and {@code array} formats; the {@code real}, {@code integer}
 * and {@code pattern} fields; the {@code general}, {@code symmetric} and {@code skew-symmetric}
 * symmetries. Header tokens are case-insensitive. Every malformation throws a
 * {@link MatrixMarketException} naming the line. I/O failures throw {@link UncheckedIOException}.
 *
 * <p>Results are made in the current {@link org.sparse4j.Scope}, like every other format.
 */
public final class MatrixMarket {
    private MatrixMarket() {}

    // ---- header model -----------------------------------------------------------------------------

    /** How entries are listed: {@code coordinate} (sparse triples) or {@code array} (dense, column-major). */
    public enum Format {
        COORDINATE, ARRAY;

        /** The token as written in a banner. */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Format parse(String s) {
            return MatrixMarket.parse(values(), s);
        }
    }

    /** The type of the values: {@code real}, {@code integer}, {@code pattern} (none) or {@code complex}. */
    public enum Field {
        REAL, INTEGER, PATTERN, COMPLEX;

        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Field parse(String s) {
            return MatrixMarket.parse(values(), s);
        }
    }

    /** Which part of the matrix is listed: all of it, or the lower triangle of a (skew-)symmetric one. */
    public enum Symmetry {
        GENERAL, SYMMETRIC, SKEW_SYMMETRIC, HERMITIAN;

        public String token() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Symmetry parse(String s) {
            return MatrixMarket.parse(values(), s);
        }
    }

    private static <E extends Enum<E>> E parse(E[] values, String token) {
        for (E e : values) {
            String name = e.name().replace('_', '-');
            if (name.equalsIgnoreCase(token)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The banner and size line of a file.
     *
     * @param object always {@code "matrix"}
     * @param nnz the entries the file lists: the size line's count for {@code coordinate}; the
     *     values stored for {@code array} (rows × cols, or one triangle when symmetric)
     */
    public record Header(String object, Format format, Field field, Symmetry symmetry, long rows, long cols, long nnz) {
        /** The banner line this header corresponds to. */
        public String banner() {
            return "%%MatrixMarket " + object + " " + format.token() + " " + field.token() + " " + symmetry.token();
        }
    }

    /**
     * Reading options.
     *
     * @param valueType f32 (default), f64, f16 or bf16; ignored for pattern files
     * @param indexType i32, i64, or null to pick i32 unless rows, cols or the (expanded) entry
     *     count pass {@link Integer#MAX_VALUE}
     * @param expandSymmetry for (skew-)symmetric files, mirror the lower triangle to the upper
     *     (default true); when false, the matrix holds only the triangle the file lists
     */
    public record Options(DType valueType, DType indexType, boolean expandSymmetry) {
        private static final Options DEFAULTS = new Options(DType.F32, null, true);

        public Options {
            if (valueType == null || !valueType.isFloating()) {
                throw new InvalidArgumentException("MatrixMarket value type must be f32, f64, f16 or bf16, got " + valueType);
            }
            if (indexType != null && !indexType.isIndex()) {
                throw new InvalidArgumentException("MatrixMarket index type must be i32, i64 or null (automatic), got " + indexType);
            }
        }

        /** f32 values, automatic index type, symmetry expanded. */
        public static Options defaults() {
            return DEFAULTS;
        }

        public Options withValueType(DType type) {
            return new Options(type, indexType, expandSymmetry);
        }

        public Options withIndexType(DType type) {
            return new Options(valueType, type, expandSymmetry);
        }

        public Options withExpandSymmetry(boolean expand) {
            return new Options(valueType, indexType, expand);
        }
    }

    // ---- reading ----------------------------------------------------------------------------------

    /** The banner and size line of a file, without reading its entries. */
    public static Header readHeader(Path file) {
        return withFile(file, (r) -> r.readHeader());
    }

    public static Header readHeader(InputStream in, String name) {
        return withStream(in, name, (r) -> r.readHeader());
    }

    /** A coordinate file as COO (0-based indices, f32 values, null values for pattern). */
    public static Coo read(Path file) {
        return read(file, Options.defaults());
    }

    /**
     * A file as COO. Coordinate entries keep the file's order (duplicates are kept; they mean a
     * sum); mirrored entries of a symmetric file follow the listed ones. An array file gives the
     * COO of its nonzeros.
     */
    public static Coo read(Path file, Options options) {
        Objects.requireNonNull(options, "options");
        return withFile(file, (r) -> readCoo(r, options));
    }

    /**
     * Like {@link #read(Path)}; {@code name} is used in messages. The stream is not closed. Its
     * length is unknown, so the size line is not trusted for allocation: the arrays grow as entries
     * arrive, and a size line promising more than the stream holds fails where the stream ends.
     */
    public static Coo read(InputStream in, String name) {
        return read(in, name, Options.defaults());
    }

    public static Coo read(InputStream in, String name, Options options) {
        Objects.requireNonNull(options, "options");
        return withStream(in, name, (r) -> readCoo(r, options));
    }

    /** A file as CSR: sorted, duplicates summed. */
    public static Csr readCsr(Path file) {
        return readCsr(file, Options.defaults());
    }

    public static Csr readCsr(Path file, Options options) {
        try (Coo coo = read(file, options)) {
            return coo.toCsr();
        }
    }

    public static Csr readCsr(InputStream in, String name) {
        return readCsr(in, name, Options.defaults());
    }

    public static Csr readCsr(InputStream in, String name, Options options) {
        try (Coo coo = read(in, name, options)) {
            return coo.toCsr();
        }
    }

    /**
     * A file as a dense rows × cols tensor, row-major. Array files (column-major in the file) are
     * read straight into it; coordinate files are read as COO first (pattern entries become 1).
     */
    public static Tensor readDense(Path file) {
        return readDense(file, Options.defaults());
    }

    public static Tensor readDense(Path file, Options options) {
        Objects.requireNonNull(options, "options");
        return withFile(file, (r) -> readDense(r, options));
    }

    public static Tensor readDense(InputStream in, String name) {
        return readDense(in, name, Options.defaults());
    }

    public static Tensor readDense(InputStream in, String name, Options options) {
        Objects.requireNonNull(options, "options");
        return withStream(in, name, (r) -> readDense(r, options));
    }

    private static Coo readCoo(MatrixMarketReader r, Options options) throws IOException {
        Header h = r.readHeader();
        if (h.format() == Format.COORDINATE) {
            return r.readCoordinate(h, options);
        }
        try (Tensor dense = r.readArray(h, options)) {
            try (Csr csr = Csr.fromDense(dense, options.indexType())) {
                return csr.toCoo();
            }
        }
    }

    private static Tensor readDense(MatrixMarketReader r, Options options) throws IOException {
        Header h = r.readHeader();
        if (h.format() == Format.ARRAY) {
            return r.readArray(h, options);
        }
        try (Coo coo = r.readCoordinate(h, options)) {
            if (coo.valueType() != null || options.valueType() == DType.F32) {
                return coo.toDense();
            }
            try (Tensor ones = coo.toDense()) {
                return ones.to(options.valueType());
            }
        }
    }

    private interface Body<T> {
        T apply(MatrixMarketReader reader) throws IOException;
    }

    private static <T> T withFile(Path file, Body<T> body) {
        Objects.requireNonNull(file, "file");
        Path name = file.getFileName();
        try (InputStream in = Files.newInputStream(file)) {
            return body.apply(new MatrixMarketReader(in, name == null ? file.toString() : name.toString(), Files.size(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> T withStream(InputStream in, String name, Body<T> body) {
        Objects.requireNonNull(in, "in");
        try {
            return body.apply(new MatrixMarketReader(in, name));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + (name == null ? "a stream" : name) + ": " + e.getMessage(), e);
        }
    }

    // ---- writing ----------------------------------------------------------------------------------

    /**
     * Writes a sparse matrix as {@code coordinate real general} ({@code pattern} when it has no
     * values), entries in CSR order (row by row, columns ascending). A non-canonical COO, a CSC or
     * a BSR is converted to CSR first (summing COO duplicates; BSR keeps the nonzeros of its blocks).
     */
    public static void write(Path file, SparseMatrix m) {
        Objects.requireNonNull(file, "file");
        requireMatrix(m);
        toFile(file, (w) -> MatrixMarketWriter.write(w, m));
    }

    /**
     * Writes a symmetric or skew-symmetric matrix as one triangle with that symmetry in the header
     * (GENERAL writes every entry). Throws InvalidArgumentException, naming an entry and its
     * mirror, when the matrix is not what the symmetry says.
     */
    public static void write(Path file, SparseMatrix m, Symmetry symmetry) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(symmetry, "symmetry");
        requireMatrix(m);
        toFile(file, (w) -> MatrixMarketWriter.write(w, m, symmetry));
    }

    /** Like {@link #write(Path, SparseMatrix)}; the stream is flushed, not closed. */
    public static void write(OutputStream out, SparseMatrix m) {
        Objects.requireNonNull(out, "out");
        requireMatrix(m);
        toStream(out, (w) -> MatrixMarketWriter.write(w, m));
    }

    /** Writes a rank-2 float tensor as {@code array real general} (column-major, as the format says). */
    public static void writeDense(Path file, Tensor t) {
        Objects.requireNonNull(file, "file");
        Dense.checkMatrix(t, "MatrixMarket.writeDense");
        t.requireHost("MatrixMarket writeDense");  // before the file is opened (and truncated)
        toFile(file, (w) -> MatrixMarketWriter.writeDense(w, t));
    }

    /** Like {@link #writeDense(Path, Tensor)}; the stream is flushed, not closed. */
    public static void writeDense(OutputStream out, Tensor t) {
        Objects.requireNonNull(out, "out");
        Dense.checkMatrix(t, "MatrixMarket.writeDense");
        toStream(out, (w) -> MatrixMarketWriter.writeDense(w, t));
    }

    private interface Output {
        void writeTo(Writer writer) throws IOException;
    }

    private static void toFile(Path file, Output body) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            body.writeTo(w);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    private static void toStream(OutputStream out, Output body) {
        try {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII), 1 << 16);
            body.writeTo(w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a MatrixMarket stream: " + e.getMessage(), e);
        }
    }

    private static void requireMatrix(SparseMatrix m) {
        if (m == null) {
            throw new InvalidArgumentException("MatrixMarket.write: matrix is null");
        }
        Formats.requireHost("MatrixMarket write", m);  // before any file is opened (and truncated)
    }
}
