package org.sparse4j.format;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparse4j.DType;
import org.sparse4j.Float16;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Scope;
import org.sparse4j.Tensor;
import org.sparse4j.format.MatrixMarket.Field;
import org.sparse4j.format.MatrixMarket.Format;
import org.sparse4j.format.MatrixMarket.Header;
import org.sparse4j.format.MatrixMarket.Options;
import org.sparse4j.format.MatrixMarket.Symmetry;

class MatrixMarketTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.US_ASCII);
        return f;
    }

    /** A random COO (f32 values, or none) with distinct positions. */
    private static Coo randomCoo(long rows, long cols, int nnz, long seed, boolean pattern) {
        Random rnd = new Random(seed);
        long cells = rows * cols;
        int n = (int) Math.min(nnz, cells);
        java.util.Set<Long> seen = new java.util.LinkedHashSet<>();
        while (seen.size() < n) {
            seen.add((long) (rnd.nextDouble() * cells));
        }
        long[] r = new long[n];
        long[] c = new long[n];
        float[] v = new float[n];
        int k = 0;
        for (long cell : seen) {
            r[k] = cell / cols;
            c[k] = cell % cols;
            v[k] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6));
            k++;
        }
        return Coo.of(rows, cols, r, c, pattern ? null : v);
    }

    // ---- round trips ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}x{1} nnz {2}")
    @CsvSource({"0,0,0", "0,7,0", "7,0,0", "1,1,1", "1,1,0", "5,5,0", "3,4,12", "50,40,300", "1000,3,2000", "17,200000,5000"})
    void roundTripsRandomMatrices(long rows, long cols, int nnz) {
        try (Scope s = Scope.open()) {
            Coo m = randomCoo(rows, cols, nnz, rows * 31 + cols + nnz, false);
            Path f = dir.resolve("m.mtx");
            MatrixMarket.write(f, m);
            Coo back = MatrixMarket.read(f);
            assertEquals(rows, back.rows());
            assertEquals(cols, back.cols());
            assertEquals(m.nnz(), back.nnz());
            assertEquals(DType.F32, back.valueType());
            assertEquals(DType.I32, back.indexType());
            assertTrue(back.isCanonical(), "entries are written in CSR order");
            assertArrayEquals(m.toDense().toFloatArray(), back.toDense().toFloatArray());

            Csr csr = m.toCsr();
            MatrixMarket.write(f, csr);
            assertArrayEquals(m.toDense().toFloatArray(), MatrixMarket.readCsr(f).toDense().toFloatArray());
            MatrixMarket.write(f, csr.toCsc());
            assertArrayEquals(m.toDense().toFloatArray(), MatrixMarket.read(f).toDense().toFloatArray());
            if (rows > 0 && cols > 0) {
                MatrixMarket.write(f, csr.toBsr(2, 3));
                assertArrayEquals(m.toDense().toFloatArray(), MatrixMarket.read(f).toDense().toFloatArray());
            }
        }
    }

    @Test
    void writesNonCanonicalCooInCsrOrder() throws IOException {
        try (Scope s = Scope.open()) {
            Coo m = Coo.of(3, 3, new long[] {2, 0, 2, 0}, new long[] {1, 2, 1, 0}, new float[] {1, 2, 3, 4});
            Path f = dir.resolve("dups.mtx");
            MatrixMarket.write(f, m);
            assertEquals("%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 4.0\n1 3 2.0\n3 2 4.0\n", Files.readString(f));
        }
    }

    @Test
    void roundTripsPatternMatrices() throws IOException {
        try (Scope s = Scope.open()) {
            Coo m = randomCoo(30, 20, 100, 7, true);
            Path f = dir.resolve("p.mtx");
            MatrixMarket.write(f, m);
            assertTrue(Files.readString(f).startsWith("%%MatrixMarket matrix coordinate pattern general\n30 20 100\n"));
            Coo back = MatrixMarket.read(f);
            assertNull(back.values());
            assertNull(back.valueType());
            assertEquals(100, back.nnz());
            assertArrayEquals(m.toDense().toFloatArray(), back.toDense().toFloatArray());
            Csr csr = MatrixMarket.readCsr(f);
            assertNull(csr.values());
            Tensor dense = MatrixMarket.readDense(f, Options.defaults().withValueType(DType.F64));
            assertEquals(DType.F64, dense.dtype());
            assertEquals(100, Arrays.stream(dense.toDoubleArray()).filter(x -> x == 1.0).count());
        }
    }

    @Test
    void roundTripsF64ValuesExactly() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(3);
            int n = 500;
            long[] r = new long[n];
            long[] c = new long[n];
            double[] v = new double[n];
            for (int k = 0; k < n; k++) {
                r[k] = k / 10;
                c[k] = k % 10;
                v[k] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
            }
            v[0] = Double.MIN_VALUE;
            v[1] = -Double.MAX_VALUE;
            v[2] = 0.1;
            v[3] = 1e300;
            Coo m = Coo.of(50, 10, Tensor.of(r), Tensor.of(c), Tensor.of(v));
            Path f = dir.resolve("f64.mtx");
            MatrixMarket.write(f, m);
            Coo back = MatrixMarket.read(f, Options.defaults().withValueType(DType.F64));
            assertEquals(DType.F64, back.valueType());
            assertArrayEquals(v, back.values().toDoubleArray());
            assertArrayEquals(m.toDense().toDoubleArray(), back.toDense().toDoubleArray());
        }
    }

    @Test
    void roundTripsHalfPrecisionBits() {
        try (Scope s = Scope.open()) {
            for (DType dt : new DType[] {DType.F16, DType.BF16}) {
                Random rnd = new Random(11);
                int n = 300;
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    v[k] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(20) - 10));
                }
                long[] r = new long[n];
                long[] c = new long[n];
                for (int k = 0; k < n; k++) {
                    r[k] = k / 20;
                    c[k] = k % 20;
                }
                Coo m = Coo.of(15, 20, Tensor.of(r), Tensor.of(c), Tensor.of(v, dt));
                Path f = dir.resolve("h.mtx");
                MatrixMarket.write(f, m);
                Coo back = MatrixMarket.read(f, Options.defaults().withValueType(dt));
                assertEquals(dt, back.valueType());
                assertArrayEquals(m.values().toShortArray(), back.values().toShortArray(), dt.toString());
            }
        }
    }

    @Test
    void floatValuesRoundTripBitForBit() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(5);
            int n = 200_000;
            float[] v = new float[n];
            long[] r = new long[n];
            long[] c = new long[n];
            for (int k = 0; k < n; k++) {
                v[k] = Float.intBitsToFloat(rnd.nextInt());
                if (Float.isNaN(v[k]) || Float.isInfinite(v[k])) {
                    v[k] = 1.5f;
                }
                r[k] = k / 1000;
                c[k] = k % 1000;
            }
            v[0] = Float.MIN_VALUE;
            v[1] = Float.MIN_NORMAL;
            v[2] = -Float.MAX_VALUE;
            v[3] = 0.1f;
            v[4] = -0.0f;
            Coo m = Coo.of(200, 1000, Tensor.of(r), Tensor.of(c), Tensor.of(v));
            Path f = dir.resolve("bits.mtx");
            MatrixMarket.write(f, m);
            float[] back = MatrixMarket.read(f).values().toFloatArray();
            for (int k = 0; k < n; k++) {
                assertEquals(Float.floatToRawIntBits(v[k]), Float.floatToRawIntBits(back[k]), "entry " + k + ": " + v[k]);
            }
        }
    }

    @Test
    void honoursTheIndexTypeOption() throws IOException {
        try (Scope s = Scope.open()) {
            Coo m = randomCoo(40, 30, 200, 9, false);
            Path f = dir.resolve("i64.mtx");
            MatrixMarket.write(f, m);
            Coo back = MatrixMarket.read(f, Options.defaults().withIndexType(DType.I64));
            assertEquals(DType.I64, back.indexType());
            assertArrayEquals(m.toDense().toFloatArray(), back.toDense().toFloatArray());
            Csr csr = MatrixMarket.readCsr(f, Options.defaults().withIndexType(DType.I64));
            assertEquals(DType.I64, csr.indexType());
            MatrixMarket.write(f, csr);
            assertArrayEquals(m.toDense().toFloatArray(), MatrixMarket.read(f).toDense().toFloatArray());

            // Sizes past int32 choose i64 automatically.
            Path big = file("big.mtx", "%%MatrixMarket matrix coordinate real general\n3000000000 5 2\n3000000000 5 1.5\n1 1 2\n");
            Coo b = MatrixMarket.read(big);
            assertEquals(DType.I64, b.indexType());
            assertArrayEquals(new long[] {2_999_999_999L, 0}, b.rowIdx().toLongArray());
            assertArrayEquals(new long[] {4, 0}, b.colIdx().toLongArray());
        }
    }

    // ---- symmetry ---------------------------------------------------------------------------------

    @Test
    void expandsSymmetricCoordinate() throws IOException {
        Path f = file("sym.mtx", """
                %%MatrixMarket matrix coordinate real symmetric
                % a comment
                3 3 4
                1 1 2.0
                2 1 -1.5
                3 2 4
                3 3 7
                """);
        try (Scope s = Scope.open()) {
            Coo m = MatrixMarket.read(f);
            assertEquals(6, m.nnz());
            assertArrayEquals(new float[] {2, -1.5f, 0, -1.5f, 0, 4, 0, 4, 7}, m.toDense().toFloatArray());
            Coo lower = MatrixMarket.read(f, Options.defaults().withExpandSymmetry(false));
            assertEquals(4, lower.nnz());
            assertArrayEquals(new float[] {2, 0, 0, -1.5f, 0, 0, 0, 4, 7}, lower.toDense().toFloatArray());
            Csr csr = MatrixMarket.readCsr(f);
            assertArrayEquals(new int[] {0, 2, 4, 6}, csr.rowPtr().toIntArray());
        }
    }

    @Test
    void expandsSkewSymmetricCoordinate() throws IOException {
        Path f = file("skew.mtx", """
                %%MatrixMarket matrix coordinate real skew-symmetric
                3 3 2
                2 1 3
                3 1 -2
                """);
        try (Scope s = Scope.open()) {
            Coo m = MatrixMarket.read(f);
            assertEquals(4, m.nnz());
            assertArrayEquals(new float[] {0, -3, 2, 3, 0, 0, -2, 0, 0}, m.toDense().toFloatArray());
        }
    }

    @Test
    void expandsSymmetricPatternAndIntegerFiles() throws IOException {
        Path p = file("symp.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n");
        Path i = file("symi.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n2 2 2\n1 1 -4\n2 1 +9\n");
        try (Scope s = Scope.open()) {
            Coo pm = MatrixMarket.read(p);
            assertNull(pm.values());
            assertArrayEquals(new float[] {1, 1, 1, 0}, pm.toDense().toFloatArray());
            assertArrayEquals(new float[] {-4, 9, 9, 0}, MatrixMarket.read(i).toDense().toFloatArray());
        }
    }

    @Test
    void readsArrayGeneral() throws IOException {
        Path f = file("a.mtx", """
                %%MatrixMarket matrix array real general
                % column-major
                2 3
                1
                2
                3
                4
                5.5
                -6e0
                """);
        try (Scope s = Scope.open()) {
            Tensor t = MatrixMarket.readDense(f);
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {1, 3, 5.5f, 2, 4, -6}, t.toFloatArray());
            Coo coo = MatrixMarket.read(f);
            assertEquals(6, coo.nnz());
            assertArrayEquals(t.toFloatArray(), coo.toDense().toFloatArray());
            Header h = MatrixMarket.readHeader(f);
            assertEquals(new Header("matrix", Format.ARRAY, Field.REAL, Symmetry.GENERAL, 2, 3, 6), h);
        }
    }

    @Test
    void readsArraySymmetricAndSkew() throws IOException {
        Path sym = file("as.mtx", "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n");
        Path skew = file("ak.mtx", "%%MatrixMarket matrix array integer skew-symmetric\n3 3\n1\n2\n3\n");
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {1, 2, 3, 2, 4, 5, 3, 5, 6}, MatrixMarket.readDense(sym).toFloatArray());
            assertArrayEquals(new float[] {1, 0, 0, 2, 4, 0, 3, 5, 6},
                    MatrixMarket.readDense(sym, Options.defaults().withExpandSymmetry(false)).toFloatArray());
            assertArrayEquals(new float[] {0, -1, -2, 1, 0, -3, 2, 3, 0}, MatrixMarket.readDense(skew).toFloatArray());
            assertEquals(6, MatrixMarket.readHeader(sym).nnz());
            assertEquals(3, MatrixMarket.readHeader(skew).nnz());
        }
    }

    @Test
    void roundTripsDenseIncludingViews() {
        try (Scope s = Scope.open()) {
            float[] data = new float[35];
            for (int k = 0; k < data.length; k++) {
                data[k] = k * 0.37f - 3;
            }
            Tensor t = Tensor.of(data, 5, 7);
            Path f = dir.resolve("d.mtx");
            MatrixMarket.writeDense(f, t);
            assertArrayEquals(data, MatrixMarket.readDense(f).toFloatArray());
            MatrixMarket.writeDense(f, t.transpose());
            Tensor back = MatrixMarket.readDense(f);
            assertArrayEquals(new long[] {7, 5}, back.shape());
            assertArrayEquals(t.transpose().toFloatArray(), back.toFloatArray());
            Tensor d64 = Tensor.of(new double[] {Math.PI, -1e-300, 2, 0}, 2, 2);
            MatrixMarket.writeDense(f, d64);
            assertArrayEquals(d64.toDoubleArray(), MatrixMarket.readDense(f, Options.defaults().withValueType(DType.F64)).toDoubleArray());
            Tensor empty = Tensor.zeros(DType.F32, 0, 3);
            MatrixMarket.writeDense(f, empty);
            assertArrayEquals(new long[] {0, 3}, MatrixMarket.readDense(f).shape());
        }
    }

    // ---- duplicates, lenient layout, headers ----------------------------------------------------

    @Test
    void readCsrSumsDuplicates() throws IOException {
        Path f = file("dup.mtx", """
                %%MatrixMarket matrix coordinate real general
                2 3 5
                2 3 1.5
                1 1 1
                2 3 2.25
                1 1 -3
                1 2 4
                """);
        try (Scope s = Scope.open()) {
            Coo raw = MatrixMarket.read(f);
            assertEquals(5, raw.nnz());
            assertFalse(raw.isCanonical());
            Csr csr = MatrixMarket.readCsr(f);
            assertEquals(3, csr.nnz());
            assertArrayEquals(new int[] {0, 2, 3}, csr.rowPtr().toIntArray());
            assertArrayEquals(new int[] {0, 1, 2}, csr.colIdx().toIntArray());
            assertArrayEquals(new float[] {-2, 4, 3.75f}, csr.values().toFloatArray());
        }
    }

    @Test
    void acceptsCaseCommentsBlanksTabsAndCrlf() throws IOException {
        Path f = file("loose.mtx", "%%matrixmarket MATRIX Coordinate REAL General\r\n% comment\r\n\r\n  \t\r\n%another\r\n"
                + "  2\t2   3  \r\n1 1 1.0\r\n\r\n% inside\r\n\t2  2\t+2.5E+1\r\n2 1 -.5\r\n\r\n% trailing\r\n");
        try (Scope s = Scope.open()) {
            Coo m = MatrixMarket.read(f);
            assertArrayEquals(new float[] {1, 0, -0.5f, 25}, m.toDense().toFloatArray());
            Header h = MatrixMarket.readHeader(f);
            assertEquals(Format.COORDINATE, h.format());
            assertEquals("%%MatrixMarket matrix coordinate real general", h.banner());
        }
        // no final newline
        Path g = file("nonl.mtx", "%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 7");
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {7}, MatrixMarket.read(g).toDense().toFloatArray());
        }
    }

    @Test
    void parsesAssortedNumbers() throws IOException {
        String[] tokens = {"0", "-0", "1", "-1.25", "3.", ".5", "1e3", "1E-3", "12345678901234567890", "0.1000000000000000055511151231257827",
            "1e-40", "6.02214076e23", "inf", "-Infinity", "1.17549435E-38", "3.4028235e38", "0000012", "+7"};
        StringBuilder sb = new StringBuilder("%%MatrixMarket matrix coordinate real general\n1 " + tokens.length + " " + tokens.length + "\n");
        for (int k = 0; k < tokens.length; k++) {
            sb.append("1 ").append(k + 1).append(' ').append(tokens[k]).append('\n');
        }
        Path f = file("nums.mtx", sb.toString());
        try (Scope s = Scope.open()) {
            float[] f32 = MatrixMarket.read(f).values().toFloatArray();
            double[] f64 = MatrixMarket.read(f, Options.defaults().withValueType(DType.F64)).values().toDoubleArray();
            for (int k = 0; k < tokens.length; k++) {
                String t = tokens[k].toLowerCase().replace("inf", "Infinity").replace("Infinityinity", "Infinity");
                assertEquals(Float.parseFloat(t), f32[k], tokens[k]);
                assertEquals(Double.parseDouble(t), f64[k], tokens[k]);
            }
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f32[1]));
        }
    }

    @Test
    void readsHeadersCheaply() throws IOException {
        Path f = file("h.mtx", "%%MatrixMarket matrix coordinate complex hermitian\n% c\n4 4 3\n1 1 1 0\n");
        Header h = MatrixMarket.readHeader(f);
        assertEquals(new Header("matrix", Format.COORDINATE, Field.COMPLEX, Symmetry.HERMITIAN, 4, 4, 3), h);
        assertEquals("skew-symmetric", Symmetry.SKEW_SYMMETRIC.token());
    }

    @Test
    void readsAndWritesStreams() {
        try (Scope s = Scope.open()) {
            Coo m = randomCoo(9, 8, 20, 1, false);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MatrixMarket.write(out, m);
            byte[] bytes = out.toByteArray();
            Coo back = MatrixMarket.read(new ByteArrayInputStream(bytes), "mem.mtx");
            assertArrayEquals(m.toDense().toFloatArray(), back.toDense().toFloatArray());
            Csr csr = MatrixMarket.readCsr(new ByteArrayInputStream(bytes), "mem.mtx");
            assertEquals(20, csr.nnz());
            Header h = MatrixMarket.readHeader(new ByteArrayInputStream(bytes), "mem.mtx");
            assertEquals(20, h.nnz());
            MatrixMarketException e = assertThrows(MatrixMarketException.class,
                    () -> MatrixMarket.read(new ByteArrayInputStream("hello\n".getBytes(StandardCharsets.US_ASCII)), "mem.mtx"));
            assertTrue(e.getMessage().startsWith("mem.mtx: line 1: "), e.getMessage());
            assertEquals("mem.mtx", e.source());
        }
    }

    // ---- malformations ------------------------------------------------------------------------------

    record Bad(String name, String text, Options options, long line, String... fragments) {
        Bad(String name, String text, long line, String... fragments) {
            this(name, text, Options.defaults(), line, fragments);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String COORD = "%%MatrixMarket matrix coordinate real general\n";

    static Stream<Bad> malformed() {
        Options i32 = Options.defaults().withIndexType(DType.I32);
        return Stream.of(
                new Bad("empty file", "", 1, "empty"),
                new Bad("missing banner", "3 3 1\n1 1 1\n", 1, "missing banner"),
                new Bad("garbled banner", "%%MatrixMarkt matrix coordinate real general\n1 1 0\n", 1, "missing banner"),
                new Bad("banner too short", "%%MatrixMarket matrix coordinate real\n1 1 0\n", 1, "4 tokens, expected 5"),
                new Bad("unknown object", "%%MatrixMarket vector coordinate real general\n1 1 0\n", 1, "unknown object 'vector'"),
                new Bad("unknown format", "%%MatrixMarket matrix sparse real general\n1 1 0\n", 1, "unknown format 'sparse'"),
                new Bad("unknown field", "%%MatrixMarket matrix coordinate double general\n1 1 0\n", 1, "unknown field 'double'"),
                new Bad("unknown symmetry", "%%MatrixMarket matrix coordinate real lower\n1 1 0\n", 1, "unknown symmetry 'lower'"),
                new Bad("complex", "%%MatrixMarket matrix coordinate complex general\n% c\n2 2 1\n1 1 1 0\n", 1, "complex", "not supported"),
                new Bad("hermitian real", "%%MatrixMarket matrix coordinate real hermitian\n2 2 0\n", 1, "hermitian"),
                new Bad("array pattern", "%%MatrixMarket matrix array pattern general\n2 2\n", 1, "pattern", "coordinate"),
                new Bad("missing size line", COORD + "% only a comment\n\n", 3, "missing size line"),
                new Bad("non-numeric size", COORD + "% c\n\n3 x 4\n", 4, "column count 'x' is not an integer"),
                new Bad("negative size", COORD + "3 -3 1\n1 1 1\n", 2, "negative column count -3"),
                new Bad("size line too short", COORD + "3 3\n", 2, "size line has 2 tokens, expected 3"),
                new Bad("size line too long", COORD + "3 3 1 7\n1 1 1\n", 2, "size line has 4 tokens, expected 3"),
                new Bad("array size line with nnz", "%%MatrixMarket matrix array real general\n2 2 4\n1\n2\n3\n4\n", 2,
                        "size line has 3 tokens, expected 2"),
                new Bad("rows past int32", COORD + "3000000000 3 0\n", i32, 2, "3000000000 rows", "int32"),
                new Bad("cols past int32", COORD + "3 2147483648 0\n", i32, 2, "2147483648 columns", "int32"),
                new Bad("size out of long range", COORD + "99999999999999999999 3 0\n", 2, "row count", "out of range"),
                new Bad("nnz over cells", COORD + "2 2 5\n", 2, "nnz 5 > rows*cols = 4"),
                new Bad("symmetric not square", "%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 1 1\n", 2, "must be square", "3x4"),
                new Bad("truncated", COORD + "4 4 3\n1 1 1\n2 2 2\n", 4, "expected 3 entries, found 2"),
                new Bad("lying header", COORD + "100000 100000 2000000000\n1 1 1\n", 2, "declares 2000000000 entries",
                        "the file has only"),
                new Bad("lying array header", "%%MatrixMarket matrix array real general\n100000 100000\n1\n", 2,
                        "declares 10000000000 values"),
                new Bad("truncated after blank lines", COORD + "4 4 3\n1 1 1\n\n% c\n", 5, "expected 3 entries, found 1"),
                new Bad("too many entries", COORD + "4 4 1\n1 1 1\n2 2 2\n", 4, "more entries than the 1 declared"),
                new Bad("too few tokens", COORD + "4 4 1\n1\n", 3, "expected 3 tokens", "found 1"),
                new Bad("too many tokens", COORD + "4 4 1\n1 1 1 1\n", 3, "expected 3 tokens", "found 4"),
                new Bad("missing value", COORD + "4 4 2\n1 1 1\n2 2\n", 4, "missing value"),
                new Bad("value in pattern file", "%%MatrixMarket matrix coordinate pattern general\n4 4 2\n1 1\n2 2 5\n", 4,
                        "header says pattern"),
                new Bad("non-numeric value", COORD + "4 4 1\n1 1 abc\n", 3, "value 'abc' is not a number"),
                new Bad("value with suffix", COORD + "4 4 1\n1 1 1.0f\n", 3, "value '1.0f' is not a number"),
                new Bad("value without exponent digits", COORD + "4 4 1\n1 1 1e\n", 3, "value '1e' is not a number"),
                new Bad("hex value", COORD + "4 4 1\n1 1 0x1p3\n", 3, "value '0x1p3' is not a number"),
                new Bad("row index zero", COORD + "4 4 2\n1 1 1\n0 2 1\n", 4, "row index 0"),
                new Bad("column index zero", COORD + "4 4 1\n2 0 1\n", 3, "column index 0"),
                new Bad("negative row index", COORD + "4 4 1\n-3 1 1\n", 3, "row index -3", "negative"),
                new Bad("negative column index", COORD + "4 4 1\n1 -2 1\n", 3, "column index -2", "negative"),
                new Bad("row index past rows", COORD + "4 4 1\n5 1 1\n", 3, "row index 5 > rows 4"),
                new Bad("column index past cols", COORD + "% c\n4096 4096 1\n1 9001 1\n", 4, "column index 9001 > cols 4096"),
                new Bad("non-integer index", COORD + "4 4 1\n1.5 2 3\n", 3, "row index '1.5'", "not an integer"),
                new Bad("index past long", COORD + "4 4 1\n1 99999999999999999999 3\n", 3, "column index 99999999999999999999",
                        "out of range"),
                new Bad("upper triangle in symmetric", "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n1 1 1\n1 2 3\n", 4,
                        "(1, 2)", "above the diagonal"),
                new Bad("diagonal in skew", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1\n2 2 3\n", 4,
                        "diagonal entry (2, 2)", "skew-symmetric"),
                new Bad("upper triangle in skew", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 1\n1 3 3\n", 3,
                        "(1, 3)", "above the diagonal"),
                new Bad("non-integer value in integer file", "%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 2.5\n", 3,
                        "value '2.5' is not an integer"),
                new Bad("array truncated", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", 5, "expected 4 values, found 3"),
                new Bad("array two values on a line", "%%MatrixMarket matrix array real general\n2 2\n1\n2 3\n4\n", 4, "found 2"),
                new Bad("array too many values", "%%MatrixMarket matrix array real general\n1 2\n1\n2\n3\n", 5, "more values than the 2"),
                new Bad("array non-numeric", "%%MatrixMarket matrix array real general\n1 2\n1\nx\n", 4, "value 'x' is not a number"),
                new Bad("array symmetric not square", "%%MatrixMarket matrix array real symmetric\n2 3\n", 2, "must be square"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedFiles(Bad bad) throws IOException {
        Path f = file("bad.mtx", bad.text());
        try (Scope s = Scope.open()) {
            MatrixMarketException e = assertThrows(MatrixMarketException.class, () -> MatrixMarket.read(f, bad.options()));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("bad.mtx: line " + bad.line() + ": "), "message should name line " + bad.line() + ": " + msg);
            assertEquals(bad.line(), e.line(), msg);
            assertTrue(msg.contains("line " + bad.line()), msg);
            for (String fragment : bad.fragments()) {
                assertTrue(msg.contains(fragment), "message should contain '" + fragment + "': " + msg);
            }
            assertInstanceOf(InvalidFormatException.class, e);
            assertEquals(0, s.allocatedBytes(), "nothing is left allocated after a failed read");
        }
    }

    @Test
    void readsEmptyAndDegenerateMatrices() throws IOException {
        Path sym = file("e.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 0\n");
        Path wide = file("w.mtx", COORD + "0 5 0\n");
        try (Scope s = Scope.open()) {
            Coo c = MatrixMarket.read(sym);
            assertEquals(DType.I32, c.indexType());
            assertEquals(0, c.nnz());
            assertArrayEquals(new float[9], c.toDense().toFloatArray());
            Csr w = MatrixMarket.readCsr(wide);
            assertEquals(0, w.rows());
            assertEquals(5, w.cols());
            assertArrayEquals(new long[] {0, 5}, MatrixMarket.readDense(wide).shape());
        }
    }

    // ---- streaming ----------------------------------------------------------------------------------

    @Test
    void streamsMillionsOfEntries() throws IOException {
        int n = 4_000_000;
        int rows = 200_000;
        int cols = 50_000;
        int perRow = n / rows;
        Path f = dir.resolve("large.mtx");
        try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.US_ASCII)) {
            w.write("%%MatrixMarket matrix coordinate real general\n");
            w.write("% generated by the test\n");
            w.write(rows + " " + cols + " " + n + "\n");
            StringBuilder sb = new StringBuilder(64);
            for (int k = 0; k < n; k++) {
                int r = k / perRow;
                int c = (k % perRow) * 2500 + r % 2500;
                sb.setLength(0);
                sb.append(r + 1).append(' ').append(c + 1).append(' ').append(valueText(k)).append('\n');
                w.append(sb);
            }
        }
        long bytes = Files.size(f);
        try (Scope s = Scope.open()) {
            long t0 = System.nanoTime();
            Coo m = MatrixMarket.read(f);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("MatrixMarket: read %d entries (%.1f MB) in %.3f s: %.1f M entries/s%n", n, bytes / 1e6, secs, n / secs / 1e6);
            assertEquals(n, m.nnz());
            assertTrue(m.isCanonical());
            // Values around chunk boundaries check that each chunk lands at its offset.
            int chunk = MatrixMarketReader.CHUNK;
            for (int k : new int[] {0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17, n / 2, n - 2, n - 1}) {
                int r = k / perRow;
                int c = (k % perRow) * 2500 + r % 2500;
                assertEquals(r, m.rowIdx().getLong(k), "row of entry " + k);
                assertEquals(c, m.colIdx().getLong(k), "column of entry " + k);
                assertEquals(Float.parseFloat(valueText(k)), (float) m.values().getDouble(k), "value of entry " + k);
            }
        }
    }

    /** A size line the input cannot back: from a stream it is found at the end of the input, not by allocating. */
    @Test
    void lyingSizeLineOnAStreamIsATruncationErrorWithoutLeaking() {
        // No scope here: the leak check around every test sees any array a failed read keeps.
        String[][] cases = {
            {COORD + "1000000 1000000 900000000000\n1 1 1\n", "3", "expected 900000000000 entries, found 1"},
            {"%%MatrixMarket matrix coordinate pattern symmetric\n1000000 1000000 900000000000\n1 1\n2 1\n", "4",
                "expected 900000000000 entries, found 2"},
            {"%%MatrixMarket matrix coordinate integer general\n% c\n1000000 1000000 900000000000\n1 1 1\n\n", "5",
                "expected 900000000000 entries, found 1"},
            {"%%MatrixMarket matrix array real general\n1000000 1000000\n1\n2\n", "4", "expected 1000000000000 values, found 2"},
            {"%%MatrixMarket matrix array real symmetric\n1000000 1000000\n1\n", "3", "expected 500000500000 values, found 1"},
            {"%%MatrixMarket matrix array real general\n3037000499 3037000499\n1\n", "2", "overflow a 64-bit byte count"},
        };
        for (String[] c : cases) {
            byte[] bytes = c[0].getBytes(StandardCharsets.US_ASCII);
            long line = Long.parseLong(c[1]);
            for (int how = 0; how < 3; how++) {
                int reader = how;
                MatrixMarketException e = assertThrows(MatrixMarketException.class, () -> {
                    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
                    switch (reader) {
                        case 0 -> MatrixMarket.read(in, "bad.mtx").close();
                        case 1 -> MatrixMarket.readCsr(in, "bad.mtx").close();
                        default -> MatrixMarket.readDense(in, "bad.mtx").close();
                    }
                }, c[0]);
                String msg = e.getMessage();
                assertTrue(msg.startsWith("bad.mtx: line " + line + ": "), "message should name line " + line + ": " + msg);
                assertEquals(line, e.line(), msg);
                assertTrue(msg.contains(c[2]), "message should contain '" + c[2] + "': " + msg);
            }
        }
    }

    /** Streams start with a bounded allocation and grow: entries on both sides of each growth land in place. */
    @Test
    void streamsGrowPastTheirFirstAllocation() throws IOException {
        int n = (int) MatrixMarketReader.INITIAL_ENTRIES + MatrixMarketReader.CHUNK + 5;
        long cells = 2000L * 1000;
        StringBuilder general = new StringBuilder(n * 20).append(COORD).append("2000 1000 ").append(n).append('\n');
        for (long k = 0; k < n; k++) {
            long cell = k * 7919 % cells;  // distinct cells, not in row order
            general.append(cell / 1000 + 1).append(' ').append(cell % 1000 + 1).append(' ').append(k % 1000).append(".5\n");
        }
        StringBuilder lower = new StringBuilder(n * 12).append("%%MatrixMarket matrix coordinate pattern symmetric\n");
        lower.append("2000 2000 ").append(n).append('\n');
        int listed = 0;
        for (int i = 1; listed < n; i++) {
            for (int j = 1; j <= i && listed < n; j++, listed++) {
                lower.append(i).append(' ').append(j).append('\n');
            }
        }
        for (StringBuilder text : new StringBuilder[] {general, lower}) {
            byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            Path f = dir.resolve("grow.mtx");
            Files.write(f, bytes);
            try (Scope s = Scope.open()) {
                Coo fromFile = MatrixMarket.read(f);
                Coo fromStream = MatrixMarket.read(new ByteArrayInputStream(bytes), "grow.mtx");
                assertEquals(fromFile.nnz(), fromStream.nnz());
                assertEquals(fromFile.isCanonical(), fromStream.isCanonical());
                assertArrayEquals(fromFile.rowIdx().toIntArray(), fromStream.rowIdx().toIntArray());
                assertArrayEquals(fromFile.colIdx().toIntArray(), fromStream.colIdx().toIntArray());
                if (fromFile.values() != null) {
                    assertArrayEquals(fromFile.values().toFloatArray(), fromStream.values().toFloatArray());
                }
            }
        }
    }

    /** Array files read from a stream are gathered first, then placed: the result is the file's. */
    @Test
    void streamedArraysMatchFiles() throws IOException {
        Random rnd = new Random(11);
        record Case(String symmetry, long rows, long cols, Options options) {}
        Options o = Options.defaults();
        Case[] cases = {
            new Case("general", 1100, 1000, o),  // more values than the first staging allocation
            new Case("general", 4, 3, o.withValueType(DType.F64)),
            new Case("symmetric", 7, 7, o),
            new Case("symmetric", 7, 7, o.withExpandSymmetry(false).withValueType(DType.F16)),
            new Case("skew-symmetric", 6, 6, o.withValueType(DType.BF16)),
            new Case("skew-symmetric", 6, 6, o.withValueType(DType.F64)),
            new Case("skew-symmetric", 1, 1, o),
            new Case("general", 0, 3, o),
        };
        for (Case c : cases) {
            long values = switch (c.symmetry()) {
                case "general" -> c.rows() * c.cols();
                case "symmetric" -> c.rows() * (c.rows() + 1) / 2;
                default -> c.rows() * (c.rows() - 1) / 2;
            };
            StringBuilder text = new StringBuilder().append("%%MatrixMarket matrix array real ").append(c.symmetry()).append('\n');
            text.append(c.rows()).append(' ').append(c.cols()).append('\n');
            for (long k = 0; k < values; k++) {
                text.append(rnd.nextInt(200_001) - 100_000).append('e').append(rnd.nextInt(9) - 6).append('\n');
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            Path f = dir.resolve("arr.mtx");
            Files.write(f, bytes);
            try (Scope s = Scope.open()) {
                Tensor fromFile = MatrixMarket.readDense(f, c.options());
                Tensor fromStream = MatrixMarket.readDense(new ByteArrayInputStream(bytes), "arr.mtx", c.options());
                assertArrayEquals(fromFile.shape(), fromStream.shape(), c.toString());
                if (fromFile.dtype() == DType.F16 || fromFile.dtype() == DType.BF16) {
                    assertArrayEquals(fromFile.toShortArray(), fromStream.toShortArray(), c.toString());
                } else {
                    assertArrayEquals(fromFile.toDoubleArray(), fromStream.toDoubleArray(), c.toString());
                }
                Coo coo = MatrixMarket.read(new ByteArrayInputStream(bytes), "arr.mtx", c.options());
                assertEquals(Csr.fromDense(fromFile).nnz(), coo.nnz(), c.toString());
            }
        }
        byte[] skew = "%%MatrixMarket matrix array integer skew-symmetric\n3 3\n1\n2\n3\n".getBytes(StandardCharsets.US_ASCII);
        try (Scope s = Scope.open()) {
            assertArrayEquals(new float[] {0, -1, -2, 1, 0, -3, 2, 3, 0},
                    MatrixMarket.readDense(new ByteArrayInputStream(skew), "ak.mtx").toFloatArray());
        }
    }

    private static String valueText(int k) {
        return switch (k % 4) {
            case 0 -> Integer.toString(k % 1000);
            case 1 -> (k % 977) + ".25";
            case 2 -> "-" + (k % 89) + ".123456e-3";
            default -> Float.toString(k * 1.37f);
        };
    }

    @Test
    void halfValuesRoundFromTheDecimal() throws IOException {
        Path f = file("h.mtx", COORD + "1 2 2\n1 1 0.1\n1 2 65504\n");
        try (Scope s = Scope.open()) {
            short[] bits = MatrixMarket.read(f, Options.defaults().withValueType(DType.F16)).values().toShortArray();
            assertEquals(Float16.floatToHalf(0.1f), bits[0]);
            assertEquals(Float16.floatToHalf(65504f), bits[1]);
        }
    }

    @Test
    void writesSymmetricAndSkewSymmetricTriangles() throws IOException {
        try (Scope s = Scope.open()) {
            double[] sym = {2, 1, 0, 1, 0, -3, 0, -3, 5};
            Path f = dir.resolve("sym.mtx");
            MatrixMarket.write(f, Csr.fromDense(Tensor.of(sym, DType.F32, 3, 3)), MatrixMarket.Symmetry.SYMMETRIC);
            String text = Files.readString(f);
            assertTrue(text.startsWith("%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n"), text);
            assertArrayEquals(sym, MatrixMarket.read(f).toDense().toDoubleArray());
            double[] skew = {0, -1.5, 2, 1.5, 0, 0, -2, 0, 0};
            Path g = dir.resolve("skew.mtx");
            MatrixMarket.write(g, Coo.fromDense(Tensor.of(skew, DType.F64, 3, 3)), MatrixMarket.Symmetry.SKEW_SYMMETRIC);
            assertTrue(Files.readString(g).contains("skew-symmetric\n3 3 2\n"), Files.readString(g));
            assertArrayEquals(skew, MatrixMarket.read(g, Options.defaults().withValueType(DType.F64)).toDense().toDoubleArray());
            Csr notSym = Csr.fromDense(Tensor.of(new double[] {1, 2, 3, 4}, DType.F32, 2, 2));
            org.sparse4j.InvalidArgumentException e = assertThrows(org.sparse4j.InvalidArgumentException.class,
                    () -> MatrixMarket.write(dir.resolve("x.mtx"), notSym, MatrixMarket.Symmetry.SYMMETRIC));
            assertTrue(e.getMessage().contains("(0, 1) = 2.0 but (1, 0) = 3.0"), e.getMessage());
            assertThrows(org.sparse4j.ShapeMismatchException.class, () -> MatrixMarket.write(dir.resolve("y.mtx"),
                    Csr.fromDense(Tensor.of(new double[] {1, 2}, DType.F32, 1, 2)), MatrixMarket.Symmetry.SYMMETRIC));
        }
    }
}
