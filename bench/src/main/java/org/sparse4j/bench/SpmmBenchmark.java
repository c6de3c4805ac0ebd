package org.sparse4j.bench;

import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.DMatrixSparseCSC;
import org.ejml.sparse.csc.CommonOps_DSCC;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmm;

/**
 * CSR weights × dense activations, C = W·X with W rows×cols and X cols×n: sparse4j (the best tier
 * of this CPU, all its threads) against oneDNN dense sgemm on the densified W, EJML sparse
 * (DMatrixSparseCSC, fp64, one thread) and a plain Java CSR loop — the same matrix in one run.
 * <pre>java -jar bench/target/benchmarks.jar SpmmBenchmark -rf json -rff spmm.json</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g"})
public class SpmmBenchmark {
    /** rows x cols of the weight. */
    @Param({"4096x4096"})
    String shape;

    @Param({"128"})
    int n;

    @Param({"0.5", "0.7", "0.8", "0.9", "0.95", "0.99"})
    double sparsity;

    @Param({"uniform", "powerlaw"})
    String pattern;

    private Context ctx;
    private Problems.CsrArrays arrays;
    private Csr w;
    private Tensor x;
    private Tensor y;
    private Tensor wDense;
    private DMatrixSparseCSC ejmlW;
    private DMatrixRMaj ejmlX;
    private DMatrixRMaj ejmlY;
    private float[] xArray;
    private float[] yArray;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int rows = Integer.parseInt(p[0]), cols = Integer.parseInt(p[1]);
        arrays = Problems.sparse(rows, cols, sparsity, pattern, 42);
        ctx = Context.cpu();
        w = arrays.toCsr();
        xArray = Problems.dense(cols * n, 7);
        x = Tensor.of(xArray, cols, n);
        y = Tensor.zeros(DType.F32, rows, n);
        yArray = new float[rows * n];
        wDense = Tensor.of(arrays.toDense(), rows, cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Problems.closeAll(w, x, y, wDense, ctx);
    }

    @Benchmark
    public Tensor sparse4jCsr() {
        Spmm.mulInto(ctx, y, 1f, w, x, 0f, false);
        return y;
    }

    @Benchmark
    public Tensor onednnDense() {
        Peers.onednnGemm(wDense, x, y);
        return y;
    }

    @Benchmark
    public float[] plainJavaCsr() {
        Peers.plainJava(arrays, xArray, yArray, n);
        return yArray;
    }

    @Benchmark
    public DMatrixRMaj ejmlSparse() {
        if (ejmlW == null) {
            ejmlW = Peers.ejml(arrays);
            ejmlX = Peers.ejmlDense(arrays.cols(), n, xArray);
            ejmlY = new DMatrixRMaj(arrays.rows(), n);
        }
        CommonOps_DSCC.mult(ejmlW, ejmlX, ejmlY);
        return ejmlY;
    }
}
