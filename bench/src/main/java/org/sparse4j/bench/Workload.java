package org.sparse4j.bench;

import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;

/** One SpMM problem as every peer sees it: the CSR weight, its dense copy, X (K×n) and Y (M×n). */
final class Workload implements AutoCloseable {
    final Problems.CsrArrays arrays;
    final Context ctx = Context.cpu();
    final Csr w;
    final float[] xArray;
    final Tensor x;
    final Tensor y;
    final Tensor wDense;

    Workload(Problems.CsrArrays arrays, int n) {
        this.arrays = arrays;
        w = arrays.toCsr();
        xArray = Problems.dense(arrays.cols() * n, 7);
        x = Tensor.of(xArray, arrays.cols(), n);
        y = Tensor.zeros(DType.F32, arrays.rows(), n);
        wDense = Tensor.of(arrays.toDense(), arrays.rows(), arrays.cols());
    }

    /** "4096x11008" as {rows, cols}. */
    static int[] dims(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    @Override
    public void close() {
        Problems.closeAll(w, x, y, wDense, ctx);
    }
}
