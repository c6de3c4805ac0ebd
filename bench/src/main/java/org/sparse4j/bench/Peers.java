package org.sparse4j.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.dnnl.global.dnnl;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.DMatrixSparseCSC;
import org.ejml.data.DMatrixSparseTriplet;
import org.ejml.ops.DConvertMatrixStruct;
import org.sparse4j.Tensor;

/** The peers sparse4j is compared with: oneDNN dense GEMM, EJML sparse, a plain Java CSR loop. */
final class Peers {
    private Peers() {}

    /** C = A·B with oneDNN's sgemm (row-major), on the tensors' own memory. */
    static void onednnGemm(Tensor a, Tensor b, Tensor c) {
        long m = a.shape(0), k = a.shape(1), n = b.shape(1);
        int st = dnnl.dnnl_sgemm((byte) 'N', (byte) 'N', m, n, k, 1f, new FloatPointer(a.pointer()), k,
                new FloatPointer(b.pointer()), n, 0f, new FloatPointer(c.pointer()), n);
        if (st != 0) {
            throw new IllegalStateException("dnnl_sgemm failed with status " + st);
        }
    }

    static DMatrixSparseCSC ejml(Problems.CsrArrays a) {
        DMatrixSparseTriplet t = new DMatrixSparseTriplet(a.rows(), a.cols(), (int) a.nnz());
        for (int i = 0; i < a.rows(); i++) {
            for (int p = a.rowPtr()[i]; p < a.rowPtr()[i + 1]; p++) {
                t.addItem(i, a.colIdx()[p], a.values()[p]);
            }
        }
        return DConvertMatrixStruct.convert(t, (DMatrixSparseCSC) null);
    }

    static DMatrixRMaj ejmlDense(int rows, int cols, float[] data) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < data.length; i++) {
            m.data[i] = data[i];
        }
        return m;
    }

    /** C = A·B with a straightforward CSR loop over Java arrays (row-major B and C). */
    static void plainJava(Problems.CsrArrays a, float[] b, float[] c, int n) {
        java.util.Arrays.fill(c, 0f);
        int[] rp = a.rowPtr();
        int[] ci = a.colIdx();
        float[] v = a.values();
        for (int i = 0; i < a.rows(); i++) {
            int co = i * n;
            for (int p = rp[i]; p < rp[i + 1]; p++) {
                float av = v[p];
                int bo = ci[p] * n;
                for (int j = 0; j < n; j++) {
                    c[co + j] += av * b[bo + j];
                }
            }
        }
    }
}
