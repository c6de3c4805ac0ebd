package org.sparse4j.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparse4j.DType;

/**
 * The conformance cases, defined once: JUnit and {@code sparse4j conformance} both run this list.
 * Every op × float dtype × an edge-shape list (1×1, empty dimensions, nnz = 0, empty rows, all
 * dense, explicit zeros, sizes off every tile multiple, one very long row, power-law rows, and
 * sizes large enough for full SIMD tiles, several column blocks and every thread).
 */
public final class ConformanceSuite {
    private ConformanceSuite() {}

    /** One shape of the edge list: m, k, n, density, pattern. */
    private record Shape(long m, long k, long n, double density, Pattern pattern) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape(1, 1, 1, 1.0, Pattern.RANDOM),
            new Shape(0, 5, 3, 0.5, Pattern.RANDOM),
            new Shape(4, 0, 3, 0.5, Pattern.RANDOM),
            new Shape(4, 5, 0, 0.5, Pattern.RANDOM),
            new Shape(8, 8, 4, 0.0, Pattern.RANDOM),
            new Shape(17, 13, 5, 0.5, Pattern.EMPTY_ROWS),
            new Shape(12, 10, 6, 1.0, Pattern.RANDOM),
            new Shape(9, 11, 7, 0.4, Pattern.ZERO_VALUES),
            new Shape(33, 47, 19, 0.3, Pattern.RANDOM),
            new Shape(40, 70, 9, 0.05, Pattern.LONG_ROW),
            new Shape(64, 96, 33, 0.1, Pattern.POWER_LAW),
            // Wide enough for full 4-vector column tiles, several column blocks and every thread.
            new Shape(130, 200, 300, 0.03, Pattern.POWER_LAW),
            new Shape(257, 129, 70, 0.08, Pattern.LONG_ROW),
            // K past the SpMM panel height (2048 B rows per panel at this width): several panels.
            new Shape(40, 4500, 300, 0.01, Pattern.RANDOM),
            new Shape(64, 80, 20, 0.9, Pattern.BLOCK_DIAGONAL));

    private static final List<DType> DTYPES = List.of(DType.F32, DType.F16, DType.BF16, DType.F64);

    public static List<ConformanceCase> defaultCases() {
        List<ConformanceCase> out = new ArrayList<>();
        for (CaseOp op : CaseOp.values()) {
            for (DType dt : DTYPES) {
                for (int s = 0; s < SHAPES.size(); s++) {
                    Shape sh = SHAPES.get(s);
                    DType index = s % 2 == 0 ? DType.I32 : DType.I64;
                    long n = switch (op) {
                        case SPMV, SPMV_T, GEMV_SPARSE_X -> 1;
                        case ROUNDTRIP -> 1 + (sh.n() % 4);  // block rows; block columns are one more
                        default -> sh.n();
                    };
                    out.add(new ConformanceCase(op, dt, index, sh.m(), sh.k(), n, sh.density(), sh.pattern(), 1000L * s + op.ordinal()));
                }
            }
        }
        return out;
    }

    /** Cases from a batch file: one case id per line; '#' starts a comment. */
    public static List<ConformanceCase> readBatch(Path file) throws IOException {
        List<ConformanceCase> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                out.add(ConformanceCase.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
