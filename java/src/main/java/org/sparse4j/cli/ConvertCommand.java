package org.sparse4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparse4j.DType;
import org.sparse4j.Scope;
import org.sparse4j.format.Csr;
import org.sparse4j.format.SparseMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Converts between MatrixMarket and sparse4j's binary formats (COO, CSR, CSC, BSR). */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a matrix between MatrixMarket (.mtx) and sparse4j binary (.s4j) files, choosing the format, value dtype and block shape.")
final class ConvertCommand implements Callable<Integer> {
    enum Target { coo, csr, csc, bsr }

    @Parameters(index = "0", description = "Input file (.mtx, .mm or .s4j).")
    Path input;

    @Parameters(index = "1", description = "Output file (.mtx, .mm or .s4j).")
    Path output;

    @Option(names = "--to", defaultValue = "csr", description = "Format of a .s4j output: coo, csr, csc, bsr. Default: ${DEFAULT-VALUE}.")
    Target to;

    @Option(names = "--block", defaultValue = "16x16", description = "BSR block shape ROWSxCOLS. Default: ${DEFAULT-VALUE}.")
    String block;

    @Option(names = "--dtype", description = "Value dtype of the output: f32, f64, f16, bf16 (default: as read).")
    String dtype;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (Scope scope = Scope.open()) {
            SparseMatrix in = MatrixFiles.read(input);
            Csr csr = in instanceof Csr c ? c : in.toCsr();
            if (dtype != null) {
                csr = csr.toValueType(DType.parse(dtype));
            }
            SparseMatrix out = switch (to) {
                case coo -> csr.toCoo();
                case csr -> csr;
                case csc -> csr.toCsc();
                case bsr -> {
                    String[] p = block.toLowerCase(Locale.ROOT).split("x");
                    if (p.length != 2) {
                        throw new IllegalArgumentException("--block must look like 16x16, got '" + block + "'");
                    }
                    yield csr.toBsr(Long.parseLong(p[0]), Long.parseLong(p[1]));
                }
            };
            MatrixFiles.write(output, out);
            System.out.printf(Locale.ROOT, "%s -> %s: %dx%d, nnz %d, %s, %.1f ms%n", input, output, out.rows(), out.cols(), out.nnz(),
                    out, (System.nanoTime() - t0) / 1e6);
        }
        return 0;
    }
}
