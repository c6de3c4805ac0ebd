package org.sparse4j.format;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparse4j.DType;
import org.sparse4j.InvalidArgumentException;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Scope;
import org.sparse4j.ShapeMismatchException;
import org.sparse4j.Tensor;

/**
 * Every malformed structure is refused with a typed exception whose message names the offending
 * position and value. Each case: a name, the expected type, text the message must contain, and
 * the construction.
 */
class MalformedFormatTest {
    private static Arguments bad(String name, Class<? extends Throwable> type, String mustContain, Supplier<Object> build) {
        return Arguments.of(name, type, mustContain, build);
    }

    static Stream<Arguments> malformations() {
        return Stream.of(
                bad("csr row_ptr not monotone", InvalidFormatException.class, "row 1: 3 then 2",
                        () -> Csr.of(3, 4, new int[] {0, 3, 2, 4}, new int[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1})),
                bad("csr column index out of range", InvalidFormatException.class, "row 17: column index 9001 out of range [0, 4096)",
                        () -> csrWithColumn(18, 4096, 17, 9001)),
                bad("csr negative column index", InvalidFormatException.class, "column index -1",
                        () -> Csr.of(2, 2, new int[] {0, 1, 1}, new int[] {-1}, new float[] {1})),
                bad("csr unsorted columns", InvalidFormatException.class, "row 0: column indices not sorted at position 1",
                        () -> Csr.of(1, 4, new int[] {0, 2}, new int[] {3, 1}, new float[] {1, 1})),
                bad("csr duplicate column", InvalidFormatException.class, "row 0: duplicate column index 2 at position 1",
                        () -> Csr.of(1, 4, new int[] {0, 2}, new int[] {2, 2}, new float[] {1, 1})),
                bad("csr row_ptr[0] not zero", InvalidFormatException.class, "row_ptr[0] is 1",
                        () -> Csr.of(1, 4, new int[] {1, 1}, new int[] {0}, new float[] {1})),
                bad("csr row_ptr end differs from nnz", InvalidFormatException.class, "row_ptr[2] = 1 but nnz is 2",
                        () -> Csr.of(2, 4, new int[] {0, 1, 1}, new int[] {0, 1}, new float[] {1, 1})),
                bad("csr row_ptr beyond nnz", InvalidFormatException.class, "row_ptr[1] = 5 exceeds nnz 2",
                        () -> Csr.of(2, 4, new int[] {0, 5, 2}, new int[] {0, 1}, new float[] {1, 1})),
                bad("csr row_ptr length wrong", InvalidFormatException.class, "rowPtr has 2 entries, expected 4",
                        () -> Csr.of(3, 4, new int[] {0, 0}, new int[] {}, new float[] {})),
                bad("csr values length differs from nnz", InvalidFormatException.class, "values has 1 entries, expected 2",
                        () -> Csr.of(1, 4, new int[] {0, 2}, new int[] {0, 1}, new float[] {1})),
                bad("csr negative rows", InvalidFormatException.class, "negative row count -3",
                        () -> Csr.of(-3, 4, new int[] {0}, new int[] {}, new float[] {})),
                bad("csr negative cols", InvalidFormatException.class, "negative column count -4",
                        () -> Csr.of(3, -4, new int[] {0, 0, 0, 0}, new int[] {}, new float[] {})),
                bad("csr rows past int32 with i32 indices", InvalidFormatException.class, "3000000000 rows do not fit int32",
                        () -> Csr.of(3_000_000_000L, 4, Tensor.of(new int[] {0}), Tensor.of(new int[] {}), null)),
                bad("csr mixed index dtypes", InvalidFormatException.class, "colIdx has dtype i64, expected i32",
                        () -> Csr.of(1, 2, Tensor.of(new int[] {0, 1}), Tensor.of(new long[] {0}), Tensor.of(new float[] {1}))),
                bad("csr integer values", InvalidFormatException.class, "values must have a float dtype, got i32",
                        () -> Csr.of(1, 2, Tensor.of(new int[] {0, 1}), Tensor.of(new int[] {0}), Tensor.of(new int[] {1}))),
                bad("csr float index dtype", InvalidFormatException.class, "index type must be i32 or i64, got f32",
                        () -> Csr.of(1, 2, Tensor.of(new float[] {0, 1}), Tensor.of(new float[] {0}), null)),
                bad("csr rank-2 colIdx", InvalidFormatException.class, "colIdx",
                        () -> Csr.of(1, 2, Tensor.of(new int[] {0, 1}), Tensor.of(new int[] {0}, 1, 1), null)),
                bad("coo row index out of range", InvalidFormatException.class, "entry 1: row index 5 out of range [0, 3)",
                        () -> Coo.of(3, 3, new long[] {0, 5}, new long[] {0, 0}, new float[] {1, 1})),
                bad("coo column index out of range", InvalidFormatException.class, "entry 0 (row 0): column index 3 out of range [0, 3)",
                        () -> Coo.of(3, 3, new long[] {0}, new long[] {3}, new float[] {1})),
                bad("coo arrays of different lengths", InvalidFormatException.class, "rowIdx 2, colIdx 1",
                        () -> Coo.of(3, 3, new long[] {0, 1}, new long[] {0}, null)),
                bad("csc row index out of range", InvalidFormatException.class, "col 1: row index 7 out of range [0, 3)",
                        () -> Csc.of(3, 2, Tensor.of(new int[] {0, 1, 2}), Tensor.of(new int[] {0, 7}), Tensor.of(new float[] {1, 1}))),
                bad("csc col_ptr not monotone", InvalidFormatException.class, "col_ptr not monotone at col 1: 2 then 1",
                        () -> Csc.of(3, 2, Tensor.of(new int[] {0, 2, 1}), Tensor.of(new int[] {0, 1}), Tensor.of(new float[] {1, 1}))),
                bad("bsr zero block shape", InvalidFormatException.class, "block shape 0x2 must be positive",
                        () -> Bsr.of(4, 4, 0, 2, Tensor.of(new int[] {0}), Tensor.of(new int[] {}), Tensor.of(new float[] {}))),
                bad("bsr block column out of range", InvalidFormatException.class, "block row 0: block column index 2 out of range [0, 2)",
                        () -> Bsr.of(4, 4, 2, 2, Tensor.of(new int[] {0, 1, 1}), Tensor.of(new int[] {2}), Tensor.of(new float[4]))),
                bad("bsr values not a whole number of blocks", InvalidFormatException.class, "values has 3 entries, expected 4",
                        () -> Bsr.of(4, 4, 2, 2, Tensor.of(new int[] {0, 1, 1}), Tensor.of(new int[] {0}), Tensor.of(new float[3]))),
                bad("bsr row_ptr length for ragged rows", InvalidFormatException.class, "rowPtr has 3 entries, expected 4",
                        () -> Bsr.of(5, 4, 2, 2, Tensor.of(new int[] {0, 0, 0}), Tensor.of(new int[] {}), Tensor.of(new float[0]))),
                bad("csr to bsr with a zero block", org.sparse4j.InvalidArgumentException.class, "block shape 0x4 must be positive",
                        () -> Csr.of(2, 2, new int[] {0, 0, 0}, new int[] {}, new float[] {}).toBsr(0, 4)),
                bad("tensor negative extent", InvalidArgumentException.class, "negative extent -2 in dimension 1",
                        () -> Tensor.zeros(DType.F32, 3, -2)),
                bad("tensor array and shape disagree", ShapeMismatchException.class, "holds 6 elements but the array has 5",
                        () -> Tensor.of(new float[5], 2, 3)),
                bad("tensor index out of range", InvalidArgumentException.class, "index 4 out of range [0, 3) in dimension 0",
                        () -> Tensor.of(new float[3]).getDouble(4)));
    }

    private static Csr csrWithColumn(int rows, int cols, int badRow, int badCol) {
        int[] rp = new int[rows + 1];
        for (int i = badRow + 1; i <= rows; i++) {
            rp[i] = 1;
        }
        return Csr.of(rows, cols, rp, new int[] {badCol}, new float[] {1});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformations")
    void isRefusedWithItsPosition(String name, Class<? extends Throwable> type, String mustContain, Supplier<Object> build) {
        try (Scope s = Scope.open()) {
            Throwable e = assertThrows(type, build::get, name);
            assertTrue(e.getMessage().contains(mustContain), () -> "message '" + e.getMessage() + "' lacks '" + mustContain + "'");
        }
    }

    @Test
    void truncatedBinaryFile(@TempDir Path dir) throws Exception {
        try (Scope s = Scope.open()) {
            Path f = dir.resolve("a.s4j");
            SparseFiles.write(f, Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1, 2}));
            byte[] all = Files.readAllBytes(f);
            Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
            InvalidFormatException e = assertThrows(InvalidFormatException.class, () -> SparseFiles.read(f));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            ByteBuffer bad = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            bad.putInt(0, 0x12345678);
            Files.write(f, bad.array());
            InvalidFormatException e2 = assertThrows(InvalidFormatException.class, () -> SparseFiles.read(f));
            assertTrue(e2.getMessage().contains("bad magic at byte 0"), e2.getMessage());
        }
    }

    @Test
    void binaryFileFailingValidationFreesItsArraysOutsideAnyScope(@TempDir Path dir) throws Exception {
        // No scope here: the leak check around every test fails if the arrays loaded are kept.
        Path f = dir.resolve("c.s4j");
        try (Csr m = Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1, 2})) {
            SparseFiles.write(f, m);
        }
        byte[] all = Files.readAllBytes(f);
        int colIdx = 64 + 3 * Integer.BYTES;  // after the header and row_ptr
        all[colIdx + Integer.BYTES] = 9;  // row 1's column: 1 becomes 9
        Files.write(f, all);
        InvalidFormatException e = assertThrows(InvalidFormatException.class, () -> SparseFiles.read(f));
        assertTrue(e.getMessage().contains("row 1: column index 9 out of range [0, 2)"), e.getMessage());

        try (Coo m = Coo.of(3, 3, new long[] {0, 2}, new long[] {1, 2}, new float[] {1, 2})) {
            SparseFiles.write(f, m);
        }
        all = Files.readAllBytes(f);
        all[64 + 2 * Integer.BYTES] = 7;  // entry 0's column: 1 becomes 7
        Files.write(f, all);
        InvalidFormatException e2 = assertThrows(InvalidFormatException.class, () -> SparseFiles.read(f));
        assertTrue(e2.getMessage().contains("entry 0 (row 0): column index 7 out of range [0, 3)"), e2.getMessage());
    }

    @Test
    void binaryHeaderSizesThatOverflowAreFormatErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.s4j");
        try (Scope s = Scope.open()) {
            Csr csr = Csr.of(4, 4, new int[] {0, 1, 1, 2, 2}, new int[] {0, 3}, new float[] {1, 2});
            SparseFiles.write(f, csr.toBsr(2, 2));
            byte[] bsr = Files.readAllBytes(f);
            SparseFiles.write(f, csr);
            byte[] plain = Files.readAllBytes(f);
            Object[][] cases = {
                {bsr, new long[] {48, 1L << 32, 56, 1L << 32}, "block rows x block cols (bytes 48 and 56)"},
                {bsr, new long[] {48, 1L << 20, 56, 1L << 20, 40, 1L << 30}, "count (byte 40) times the block size 1048576x1048576"},
                {bsr, new long[] {48, 2, 56, 1, 40, 1L << 60}, "count (byte 40) times the block size 2x1"},
                {bsr, new long[] {48, 1, 24, Long.MAX_VALUE}, "rows (byte 24)"},
                {plain, new long[] {24, Long.MAX_VALUE}, "rows (byte 24)"},
                {plain, new long[] {40, Long.MAX_VALUE / 8}, "count (byte 40)"},
            };
            for (Object[] c : cases) {
                ByteBuffer b = ByteBuffer.wrap(((byte[]) c[0]).clone()).order(ByteOrder.LITTLE_ENDIAN);
                long[] puts = (long[]) c[1];
                for (int k = 0; k < puts.length; k += 2) {
                    b.putLong((int) puts[k], puts[k + 1]);
                }
                Files.write(f, b.array());
                InvalidFormatException e = assertThrows(InvalidFormatException.class, () -> SparseFiles.read(f), (String) c[2]);
                assertTrue(e.getMessage().contains("header field " + c[2] + " overflows a 64-bit size"), e.getMessage());
            }
        }
    }

    @Test
    void closedTensorsAreRefusedNotCrashed() {
        Tensor t = Tensor.of(new float[] {1, 2});
        t.close();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> t.toFloatArray());
        assertTrue(e.getMessage().contains("is closed"));
        Tensor rp = Tensor.of(new int[] {0, 1});
        Tensor ci = Tensor.of(new int[] {0});
        ci.close();
        assertThrows(InvalidArgumentException.class, () -> Csr.of(1, 1, rp, ci, null));
        rp.close();
    }

    @Test
    void failedArrayFactoriesFreeWhatTheyAllocatedOutsideAnyScope() {
        // No scope here: the leak check around every test fails if the arrays copied in are kept.
        assertThrows(InvalidFormatException.class, () -> Csr.of(2, 2, new int[] {0, 1, 2}, new int[] {0, 5}, new float[] {1, 1}));
        assertThrows(InvalidFormatException.class, () -> Coo.of(2, 2, new long[] {0}, new long[] {9}, new float[] {1}));
    }
    @Test
    void aRowLengthHintThatDisagreesWithTheRowsIsRefused() {
        try (Scope s = Scope.open()) {
            Csr a = Csr.of(3, 4, new int[] {0, 2, 2, 3}, new int[] {0, 3, 1}, new float[] {1, 2, 3});
            org.sparse4j.nativeapi.Sparse4jNative.s4j_csr d = a.descriptor();
            try {
                d.max_row_nnz(1);
                InvalidFormatException wrong = assertThrows(InvalidFormatException.class,
                        () -> org.sparse4j.internal.Native.check(org.sparse4j.nativeapi.Sparse4jNative.s4j_csr_validate(d)));
                assertTrue(wrong.getMessage().contains("max_row_nnz is 1 but the longest row has 2"), wrong.getMessage());
                d.max_row_nnz(5);
                InvalidArgumentException range = assertThrows(InvalidArgumentException.class,
                        () -> org.sparse4j.internal.Native.check(org.sparse4j.nativeapi.Sparse4jNative.s4j_csr_validate(d)));
                assertTrue(range.getMessage().contains("max_row_nnz 5 is out of range"), range.getMessage());
                // Computing the hint does not read the field it is meant to fill.
                d.max_row_nnz(-7);
                long[] longest = new long[1];
                org.sparse4j.internal.Native.check(org.sparse4j.nativeapi.Sparse4jNative.s4j_csr_max_row_nnz(d, longest));
                org.junit.jupiter.api.Assertions.assertEquals(2, longest[0]);
            } finally {
                d.max_row_nnz(2);
            }
            org.sparse4j.internal.Native.check(org.sparse4j.nativeapi.Sparse4jNative.s4j_csr_validate(d));
        }
    }
}
