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
import org.sparse4j.Tensor;
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

    private Workload work;
    private DMatrixSparseCSC ejmlW;
    private DMatrixRMaj ejmlX;
    private DMatrixRMaj ejmlY;
    private float[] yArray;

    @Setup(Level.Trial)
    public void setUp() {
        int[] d = Workload.dims(shape);
        work = new Workload(Problems.sparse(d[0], d[1], sparsity, pattern, 42), n);
        yArray = new float[d[0] * n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        work.close();
    }

    @Benchmark
    public Tensor sparse4jCsr() {
        Spmm.mulInto(work.ctx, work.y, 1f, work.w, work.x, 0f, false);
        return work.y;
    }

    @Benchmark
    public Tensor onednnDense() {
        Peers.onednnGemm(work.wDense, work.x, work.y);
        return work.y;
    }

    @Benchmark
    public float[] plainJavaCsr() {
        Peers.plainJava(work.arrays, work.xArray, yArray, n);
        return yArray;
    }

    @Benchmark
    public DMatrixRMaj ejmlSparse() {
        if (ejmlW == null) {
            ejmlW = Peers.ejml(work.arrays);
            ejmlX = Peers.ejmlDense(work.arrays.cols(), n, work.xArray);
            ejmlY = new DMatrixRMaj(work.arrays.rows(), n);
        }
        CommonOps_DSCC.mult(ejmlW, ejmlX, ejmlY);
        return ejmlY;
    }
}
