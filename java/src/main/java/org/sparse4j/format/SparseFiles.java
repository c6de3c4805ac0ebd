package org.sparse4j.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.sparse4j.DType;
import org.sparse4j.InvalidFormatException;
import org.sparse4j.NativeOutOfMemoryError;
import org.sparse4j.Tensor;
import org.sparse4j.internal.Pointers;

/**
 * sparse4j's binary container ({@code .s4j}): a 64-byte little-endian header, then the format's
 * arrays as raw bytes, so loading is a read into native memory with no parsing. Layout:
 * magic "S4J1", version (i32), kind (i32: 0 COO, 1 CSR, 2 CSC, 3 BSR), value dtype code (i32, −1
 * for a pattern), index dtype code (i32), reserved (i32), rows, cols, count (entries, or blocks
 * for BSR), block rows, block cols (i64 each); then COO rowIdx colIdx values, CSR rowPtr colIdx
 * values, CSC colPtr rowIdx values, or BSR rowPtr colIdx values.
 */
public final class SparseFiles {
    private static final int MAGIC = 0x314a3453; // "S4J1" little-endian
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 64;
    private static final long CHUNK = 1L << 30;

    private SparseFiles() {}

    /** The header fields, readable without loading the arrays. */
    public record Header(String kind, DType valueType, DType indexType, long rows, long cols, long count, long blockRows,
            long blockCols) {}

    public static void write(Path file, SparseMatrix m) throws IOException {
        Formats.requireHost("SparseFiles write", m);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Tensor[] arrays;
            int kind;
            long count = m.nnz(), br = 0, bc = 0;
            if (m instanceof Coo c) {
                kind = 0;
                arrays = new Tensor[] {c.rowIdx(), c.colIdx(), c.values()};
            } else if (m instanceof Csr c) {
                kind = 1;
                arrays = new Tensor[] {c.rowPtr(), c.colIdx(), c.values()};
            } else if (m instanceof Csc c) {
                kind = 2;
                arrays = new Tensor[] {c.colPtr(), c.rowIdx(), c.values()};
            } else {
                Bsr b = (Bsr) m;
                kind = 3;
                count = b.nnzb();
                br = b.blockRows();
                bc = b.blockCols();
                arrays = new Tensor[] {b.rowPtr(), b.colIdx(), b.values()};
            }
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(MAGIC).putInt(VERSION).putInt(kind).putInt(m.valueType() == null ? -1 : m.valueType().code())
                    .putInt(m.indexType().code()).putInt(0);
            h.putLong(m.rows()).putLong(m.cols()).putLong(count).putLong(br).putLong(bc);
            h.flip();
            writeFully(ch, h);
            for (Tensor t : arrays) {
                if (t != null) {
                    long base = t.pointer().address();
                    for (long off = 0; off < t.byteSize(); off += CHUNK) {
                        writeFully(ch, Pointers.buffer(base + off, Math.min(CHUNK, t.byteSize() - off)));
                    }
                }
            }
        }
    }

    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(ch, file);
        }
    }

    /** Loads a matrix written by {@link #write}; its structure is validated like any other. */
    public static SparseMatrix read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, file);
            Layout layout = layout(h, file);
            if (ch.size() != layout.bytes) {
                throw new InvalidFormatException(file + ": " + ch.size() + " bytes, but its header describes " + layout.bytes
                        + " (truncated or not a sparse4j file)");
            }
            Tensor first = null;
            Tensor second = null;
            Tensor values = null;
            try {
                first = Tensor.zeros(h.indexType, layout.ptrLen);
                load(ch, first);
                second = Tensor.zeros(h.indexType, h.count);
                load(ch, second);
                if (h.valueType != null) {
                    values = Tensor.zeros(h.valueType, layout.valueLen);
                    load(ch, values);
                }
                return switch (h.kind) {
                    case "coo" -> Coo.of(h.rows, h.cols, first, second, values);
                    case "csr" -> Csr.of(h.rows, h.cols, first, second, values);
                    case "csc" -> Csc.of(h.rows, h.cols, first, second, values);
                    default -> Bsr.of(h.rows, h.cols, h.blockRows, h.blockCols, first, second, values);
                };
            } catch (IOException | RuntimeException | NativeOutOfMemoryError e) {
                Formats.closeAll(first, second, values);  // a refused matrix leaves its arrays to us
                throw e;
            }
        }
    }

    /** Array lengths and the file size a header describes. */
    private record Layout(long ptrLen, long valueLen, long bytes) {}

    /**
     * The layout of a header's arrays, each size computed without overflow: a header whose sizes
     * do not fit 64 bits is refused, naming the field (and its byte offset) that overflowed.
     */
    private static Layout layout(Header h, Path file) {
        String field = "count (byte 40)";
        try {
            long ptrLen;
            long valueLen = h.count;
            switch (h.kind) {
                case "csr" -> {
                    field = "rows (byte 24)";
                    ptrLen = Math.addExact(h.rows, 1);
                }
                case "csc" -> {
                    field = "cols (byte 32)";
                    ptrLen = Math.addExact(h.cols, 1);
                }
                case "bsr" -> {
                    field = "rows (byte 24)";
                    ptrLen = Math.addExact(h.rows / h.blockRows + (h.rows % h.blockRows == 0 ? 0 : 1), 1);
                    field = "block rows x block cols (bytes 48 and 56)";
                    long block = Math.multiplyExact(h.blockRows, h.blockCols);
                    field = "count (byte 40) times the block size " + h.blockRows + "x" + h.blockCols;
                    valueLen = Math.multiplyExact(h.count, block);
                }
                default -> ptrLen = h.count;
            }
            field = "count (byte 40)";
            long indexBytes = Math.multiplyExact(Math.addExact(ptrLen, h.count), (long) h.indexType.byteSize());
            if (h.kind.equals("bsr")) {
                field = "count (byte 40) times the block size " + h.blockRows + "x" + h.blockCols;
            }
            long valueBytes = h.valueType == null ? 0 : Math.multiplyExact(valueLen, (long) h.valueType.byteSize());
            long bytes = Math.addExact(HEADER_BYTES, Math.addExact(indexBytes, valueBytes));
            return new Layout(ptrLen, valueLen, bytes);
        } catch (ArithmeticException e) {
            String block = h.kind.equals("bsr") ? ", block " + h.blockRows + "x" + h.blockCols : "";
            throw new InvalidFormatException(file + ": header field " + field + " overflows a 64-bit size (rows " + h.rows
                    + ", cols " + h.cols + ", count " + h.count + block + "; not a sparse4j file)");
        }
    }

    private static Header header(FileChannel ch, Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (h.hasRemaining()) {
            if (ch.read(h) < 0) {
                throw new InvalidFormatException(file + ": shorter than the 64-byte sparse4j header");
            }
        }
        h.flip();
        if (h.getInt() != MAGIC) {
            throw new InvalidFormatException(file + ": not a sparse4j file (bad magic at byte 0)");
        }
        int version = h.getInt();
        if (version != VERSION) {
            throw new InvalidFormatException(file + ": unsupported sparse4j file version " + version + " at byte 4");
        }
        int kind = h.getInt();
        if (kind < 0 || kind > 3) {
            throw new InvalidFormatException(file + ": unknown format kind " + kind + " at byte 8");
        }
        int vcode = h.getInt();
        int icode = h.getInt();
        h.getInt();
        DType vt;
        DType it;
        try {
            vt = vcode == -1 ? null : DType.fromCode(vcode);
            it = DType.fromCode(icode);
        } catch (IllegalArgumentException e) {
            throw new InvalidFormatException(file + ": bad dtype code in header: " + e.getMessage());
        }
        if (vt != null && !vt.isFloating()) {
            throw new InvalidFormatException(file + ": value dtype " + vt + " at byte 12 is not a float type");
        }
        if (!it.isIndex()) {
            throw new InvalidFormatException(file + ": index dtype " + it + " at byte 16 is not i32 or i64");
        }
        long rows = h.getLong(), cols = h.getLong(), count = h.getLong(), br = h.getLong(), bc = h.getLong();
        if (rows < 0 || cols < 0 || count < 0) {
            throw new InvalidFormatException(file + ": negative size in header (rows " + rows + ", cols " + cols + ", count " + count + ")");
        }
        if (kind == 3 && (br <= 0 || bc <= 0)) {
            throw new InvalidFormatException(file + ": BSR block shape " + br + "x" + bc + " must be positive");
        }
        String[] kinds = {"coo", "csr", "csc", "bsr"};
        return new Header(kinds[kind], vt, it, rows, cols, count, br, bc);
    }

    private static void load(FileChannel ch, Tensor t) throws IOException {
        long base = t.pointer().address();
        for (long off = 0; off < t.byteSize(); off += CHUNK) {
            ByteBuffer bb = Pointers.buffer(base + off, Math.min(CHUNK, t.byteSize() - off));
            while (bb.hasRemaining()) {
                if (ch.read(bb) < 0) {
                    throw new InvalidFormatException("sparse4j file ended early");
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
