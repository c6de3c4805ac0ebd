package org.sparse4j.format;

import java.util.Arrays;
import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.Tensor;

/** Shared checks for format constructors. */
final class Formats {
    static final long INT32_MAX = Integer.MAX_VALUE;

    private Formats() {}

    /** The narrowest index type that holds every size: I32 unless something passes 2^31 - 1. */
    static DType autoIndexType(long rows, long cols, long nnz) {
        return rows > INT32_MAX || cols > INT32_MAX || nnz > INT32_MAX ? DType.I64 : DType.I32;
    }

    static void checkSizes(String format, long rows, long cols) {
        if (rows < 0) {
            throw new InvalidFormatException(format + ": negative row count " + rows);
        }
        if (cols < 0) {
            throw new InvalidFormatException(format + ": negative column count " + cols);
        }
    }

    static void checkIndexType(String format, DType indexType, long rows, long cols, long nnz) {
        if (indexType == null || !indexType.isIndex()) {
            throw new InvalidFormatException(format + ": index type must be i32 or i64, got " + indexType);
        }
        if (indexType == DType.I32) {
            if (rows > INT32_MAX) {
                throw new InvalidFormatException(format + ": " + rows + " rows do not fit int32 indices; use i64");
            }
            if (cols > INT32_MAX) {
                throw new InvalidFormatException(format + ": " + cols + " columns do not fit int32 indices; use i64");
            }
            if (nnz > INT32_MAX) {
                throw new InvalidFormatException(format + ": nnz " + nnz + " does not fit int32 indices; use i64");
            }
        }
    }

    /** nnzb · blockRows · blockCols, or an InvalidFormatException when it overflows 64 bits. */
    static long blockValues(String format, long nnzb, long blockRows, long blockCols) {
        try {
            return Math.multiplyExact(nnzb, Math.multiplyExact(blockRows, blockCols));
        } catch (ArithmeticException e) {
            throw new InvalidFormatException(format + ": " + nnzb + " blocks of " + blockRows + "x" + blockCols
                    + " values overflow 64-bit sizes");
        }
    }

    /** A rank-1 host index tensor of the given length. */
    static void checkIndexArray(String format, String name, Tensor t, DType indexType, long length) {
        if (t == null) {
            throw new InvalidFormatException(format + ": " + name + " is null");
        }
        t.ensureOpen();
        if (t.dtype() != indexType) {
            throw new InvalidFormatException(format + ": " + name + " has dtype " + t.dtype() + ", expected " + indexType);
        }
        checkVector(format, name, t, length);
    }

    static void checkValueArray(String format, Tensor t, long length) {
        if (t == null) {
            return;
        }
        t.ensureOpen();
        if (!t.dtype().isFloating()) {
            throw new InvalidFormatException(format + ": values must have a float dtype, got " + t.dtype());
        }
        checkVector(format, "values", t, length);
    }

    /** File writers and conversions read arrays on the host: a device matrix is refused, never read. */
    static void requireHost(String what, SparseMatrix m) {
        if (m instanceof SparseBase<?> b && !b.device().isCpu()) {
            throw new org.sparse4j.InvalidArgumentException(what + ": the matrix is on " + b.device()
                    + "; move it to the host with to(Device.CPU) first");
        }
    }

    /** Values for an already validated structure: any device, but the structure's. */
    static void checkValuesOn(String format, Tensor t, long length, org.sparse4j.Device device) {
        if (t == null) {
            throw new InvalidFormatException(format + ": values are null");
        }
        t.ensureOpen();
        if (!t.dtype().isFloating()) {
            throw new InvalidFormatException(format + ": values must have a float dtype, got " + t.dtype());
        }
        if (t.rank() != 1 || t.shape(0) != length || !t.isContiguous()) {
            throw new InvalidFormatException(format + ": values must be a contiguous vector of " + length + " entries, got shape "
                    + Arrays.toString(t.shape()));
        }
        if (!t.device().equals(device)) {
            throw new InvalidFormatException(format + ": values are on " + t.device() + " but the structure is on " + device);
        }
    }

    private static void checkVector(String format, String name, Tensor t, long length) {
        if (t.rank() != 1) {
            throw new InvalidFormatException(format + ": " + name + " must be rank 1, has shape " + Arrays.toString(t.shape()));
        }
        if (!t.isContiguous()) {
            throw new InvalidFormatException(format + ": " + name + " must be contiguous");
        }
        if (!t.device().isCpu()) {
            throw new InvalidFormatException(format + ": " + name + " must be in host memory to be validated");
        }
        if (t.shape(0) != length) {
            throw new InvalidFormatException(format + ": " + name + " has " + t.shape(0) + " entries, expected " + length);
        }
    }

    /**
     * The array a validated format keeps: the tensor itself when it owns its memory, else a copy,
     * since a view or a wrapped buffer can still be written through its owner after validation.
     */
    static Tensor adopt(Tensor t) {
        return t == null || t.ownsMemory() ? t : t.copy();
    }

    /** Closes the copies {@link #adopt} made (adopted[i] != given[i]); the given tensors stay the caller's. */
    static void closeCopies(Tensor[] given, Tensor[] adopted) {
        for (int i = 0; i < given.length; i++) {
            if (adopted[i] != null && adopted[i] != given[i]) {
                adopted[i].close();
            }
        }
    }

    static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }

    /** An index tensor of {@code type} from longs (checked to fit). */
    static Tensor indexTensor(long[] values, DType type, String format, String name) {
        if (type == DType.I64) {
            return Tensor.of(values);
        }
        int[] narrow = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] > INT32_MAX || values[i] < Integer.MIN_VALUE) {
                throw new InvalidFormatException(format + ": " + name + "[" + i + "] = " + values[i] + " does not fit int32 indices");
            }
            narrow[i] = (int) values[i];
        }
        return Tensor.of(narrow);
    }
}
