package org.sparse4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sparse4j.Scope;
import org.sparse4j.format.Csr;
import org.sparse4j.format.SparseMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Shape, nnz, density and the row-length histogram of a matrix file. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print shape, nnz, density, dtypes and a row-length histogram of a .mtx or .s4j file.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Matrix file (.mtx, .mm or .s4j).")
    Path file;

    @Override
    public Integer call() throws Exception {
        try (Scope scope = Scope.open()) {
            SparseMatrix m = MatrixFiles.read(file);
            Csr csr = m instanceof Csr c ? c : m.toCsr();
            RowStats s = RowStats.of(csr);
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"file", file.toString()});
            rows.add(new String[] {"format", m.toString()});
            rows.add(new String[] {"shape", m.rows() + " x " + m.cols()});
            rows.add(new String[] {"nnz", Long.toString(csr.nnz())});
            rows.add(new String[] {"density", String.format(Locale.ROOT, "%.6g (sparsity %.4f%%)", csr.density(), 100 * (1 - csr.density()))});
            rows.add(new String[] {"values", csr.valueType() == null ? "pattern" : csr.valueType().toString()});
            rows.add(new String[] {"indices", csr.indexType().toString()});
            rows.add(new String[] {"row length", String.format(Locale.ROOT, "min %d, mean %.2f, max %d, empty rows %d", s.min(), s.mean(),
                    s.max(), s.emptyRows())});
            Table.print(System.out, new String[] {"item", "value"}, rows);
            System.out.println();
            System.out.println("row-length histogram:");
            System.out.print(s.histogram());
        }
        return 0;
    }
}
