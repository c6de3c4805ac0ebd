package org.sparse4j.bench;

import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sparse4j.Context;
import org.sparse4j.DType;
import org.sparse4j.Tensor;
import org.sparse4j.format.Csr;
import org.sparse4j.ops.Spmv;

/**
 * CSR SpMV of a 50%-sparse 16384x16384 matrix (about 1 GiB of values and indices, several times
 * any last-level cache), and a STREAM triad measuring this machine's memory bandwidth in the same
 * run: the report divides the bytes SpMV must move by its time and compares with the triad's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx16g"})
public class BandwidthBenchmark {
    static final int SIZE = 16384;

    /** SpMV of a 50%-sparse 4096x11008 CSR weight, and the triad that gives the machine's bandwidth. */
    @State(Scope.Benchmark)
    public static class Data {
        Context ctx;
        Csr a;
        Tensor x;
        Tensor y;
        float[] ta;
        float[] tb;
        float[] tc;
        int threads;

        @Setup(Level.Trial)
        public void setUp() {
            ctx = Context.cpu();
            a = Problems.sparse(SIZE, SIZE, 0.5, "uniform", 5).toCsr();
            x = Tensor.of(Problems.dense(SIZE, 9));
            y = Tensor.zeros(DType.F32, SIZE);
            int n = 1 << 27;  // 3 arrays of 512 MiB: far past every cache
            ta = new float[n];
            tb = Problems.dense(n, 1);
            tc = Problems.dense(n, 2);
            threads = ctx.threads();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            a.close();
            x.close();
            y.close();
            ctx.close();
        }

        /** Bytes SpMV must move: values and column indices once, row pointers, x once, y written. */
        long spmvBytes() {
            return a.nnz() * 8 + (a.rows() + 1) * 4 + a.cols() * 4 + a.rows() * 4;
        }
    }

    @Benchmark
    public Tensor sparse4jSpmv50(Data b) {
        Spmv.mulInto(b.ctx, b.y, 1f, b.a, b.x, 0f, false);
        return b.y;
    }

    /** STREAM triad a = b + s·c on all threads: 12 bytes per element by STREAM's count. */
    @Benchmark
    public float[] streamTriad(Data b) {
        int n = b.ta.length, t = b.threads, chunk = (n + t - 1) / t;
        IntStream.range(0, t).parallel().forEach(p -> {
            float[] ta = b.ta, tb = b.tb, tc = b.tc;
            for (int i = p * chunk, end = Math.min(n, (p + 1) * chunk); i < end; i++) {
                ta[i] = tb[i] + 3f * tc[i];
            }
        });
        return b.ta;
    }
}
