package org.sparse4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.sparse4j.format.MatrixMarket;
import org.sparse4j.format.SparseFiles;
import org.sparse4j.format.SparseMatrix;

/** Reads and writes matrices by file extension: .mtx (MatrixMarket) or .s4j (sparse4j binary). */
final class MatrixFiles {
    private MatrixFiles() {}

    static boolean isMatrixMarket(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".mtx") || name.endsWith(".mm");
    }

    static boolean isBinary(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".s4j");
    }

    static SparseMatrix read(Path p) throws IOException {
        if (isBinary(p)) {
            return SparseFiles.read(p);
        }
        if (isMatrixMarket(p)) {
            return MatrixMarket.read(p);
        }
        throw new IllegalArgumentException(p + ": unknown file type (expected .mtx, .mm or .s4j)");
    }

    static void write(Path p, SparseMatrix m) throws IOException {
        if (isBinary(p)) {
            SparseFiles.write(p, m);
        } else if (isMatrixMarket(p)) {
            MatrixMarket.write(p, m);
        } else {
            throw new IllegalArgumentException(p + ": unknown file type (expected .mtx, .mm or .s4j)");
        }
    }
}
