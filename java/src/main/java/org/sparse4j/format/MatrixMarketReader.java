package org.sparse4j.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.sparse4j.DType;
import org.sparse4j.Float16;
import org.sparse4j.NativeOutOfMemoryError;
import org.sparse4j.Tensor;
import org.sparse4j.format.MatrixMarket.Field;
import org.sparse4j.format.MatrixMarket.Format;
import org.sparse4j.format.MatrixMarket.Header;
import org.sparse4j.format.MatrixMarket.Options;
import org.sparse4j.format.MatrixMarket.Symmetry;

/**
 * A byte-level MatrixMarket parser: it reads whole lines into its own buffer and parses tokens in
 * place, so no String is made per entry. Entries are gathered in chunks of {@link #CHUNK} and
 * copied into the native arrays of the result; the Java heap holds only the chunks.
 *
 * <p>The size line is trusted for allocation only when the input's size is known (a file), where
 * it has been checked against the bytes present. From a stream, native arrays start at
 * {@link #INITIAL_ENTRIES} and grow as entries arrive, so a size line promising more than the
 * stream holds ends in the truncation error, not in an allocation.
 */
final class MatrixMarketReader {
    static final int CHUNK = 1 << 16;
    /** Entries allocated up front when the input size is unknown; a multiple of {@link #CHUNK}. */
    static final long INITIAL_ENTRIES = 1 << 20;
    private static final int MAX_LINE = 1 << 24;
    private static final long INT32_MAX = Integer.MAX_VALUE;
    private static final String BANNER_FORM =
            "%%MatrixMarket matrix <coordinate|array> <real|integer|pattern|complex> <general|symmetric|skew-symmetric|hermitian>";
    /** Exact powers of ten as doubles: 10^0 .. 10^22 are all representable. */
    private static final double[] POW10 = new double[23];
    private static final long TWO_53 = 1L << 53;

    static {
        double v = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = v;
            v *= 10;
        }
    }

    private final InputStream in;
    private final String source;
    private byte[] buf = new byte[1 << 20];
    private int pos;
    private int limit;
    private boolean eof;

    /** Number of the current line (1-based); 0 before the first. */
    private long line;
    /** The current line is buf[start, end), without its line terminator. */
    private int start;
    private int end;
    /** Cursor inside the current line. */
    private int p;
    private long sizeLine;

    /** Size of the whole input in bytes when known (a file), else -1. */
    private final long inputBytes;

    MatrixMarketReader(InputStream in, String source) {
        this(in, source, -1);
    }

    MatrixMarketReader(InputStream in, String source, long inputBytes) {
        this.in = in;
        this.source = source;
        this.inputBytes = inputBytes;
    }

    /**
     * Refuses a size line that declares more entries than the file can hold, before any memory is
     * allocated for them: a lying header is a format error, not an out-of-memory error.
     */
    private void checkFits(long entries, int minBytesPerEntry, String what) {
        if (inputBytes >= 0 && entries > inputBytes / minBytesPerEntry) {
            throw errorAt(sizeLine, "the size line declares " + entries + " " + what + " but the file has only " + inputBytes
                    + " bytes (room for at most " + inputBytes / minBytesPerEntry + ")");
        }
    }

    /** Entries to allocate before reading: all declared when the input size bounded them, else a bounded start. */
    private long initialCapacity(long declared) {
        return inputBytes >= 0 ? declared : Math.min(declared, INITIAL_ENTRIES);
    }

    /** The capacity after growing: doubled, at least {@code needed}, at most {@code limit}. */
    static long grownCapacity(long capacity, long needed, long limit) {
        long doubled = capacity > limit / 2 ? limit : Math.max(2 * capacity, 1);
        return Math.min(limit, Math.max(needed, doubled));
    }

    /** Copies the first {@code n} elements of {@code from} into {@code to} (same dtype); nothing when from is null. */
    static void copyPrefix(Tensor to, Tensor from, long n) {
        if (from != null && n > 0) {
            Pointer.memcpy(to.pointer(), from.pointer(), n * from.dtype().byteSize());
        }
    }

    // ---- lines ------------------------------------------------------------------------------------

    /** Advances to the next line; false at the end of the input. */
    private boolean nextLine() throws IOException {
        int scan = pos;
        while (true) {
            for (int i = scan; i < limit; i++) {
                if (buf[i] == '\n') {
                    setLine(pos, i);
                    pos = i + 1;
                    return true;
                }
            }
            if (eof) {
                if (pos < limit) {
                    setLine(pos, limit);
                    pos = limit;
                    return true;
                }
                return false;
            }
            int kept = limit - pos;
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, kept);
                pos = 0;
                limit = kept;
            } else if (limit == buf.length) {
                if (buf.length >= MAX_LINE) {
                    throw new MatrixMarketException(source, line + 1, "line longer than " + MAX_LINE + " bytes");
                }
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            scan = kept;
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        }
    }

    private void setLine(int from, int to) {
        line++;
        start = from;
        end = to;
        p = from;
    }

    private String lineString() {
        return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Skips blanks; true when the rest of the line is empty or a comment. */
    private boolean restIsBlankOrComment() {
        skipBlanks();
        return p == end || buf[p] == '%';
    }

    private void skipBlanks() {
        while (p < end && isBlank(buf[p])) {
            p++;
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == 0x0B;
    }

    private int tokenEnd(int from) {
        int q = from;
        while (q < end && !isBlank(buf[q])) {
            q++;
        }
        return q;
    }

    private String token(int from) {
        int to = tokenEnd(from);
        String s = new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private int countTokens() {
        int n = 0;
        int q = start;
        while (q < end) {
            while (q < end && isBlank(buf[q])) {
                q++;
            }
            if (q < end) {
                n++;
                while (q < end && !isBlank(buf[q])) {
                    q++;
                }
            }
        }
        return n;
    }

    MatrixMarketException error(String detail) {
        return new MatrixMarketException(source, Math.max(line, 1), detail);
    }

    private MatrixMarketException errorAt(long at, String detail) {
        return new MatrixMarketException(source, at, detail);
    }

    // ---- header -----------------------------------------------------------------------------------

    Header readHeader() throws IOException {
        if (!nextLine()) {
            throw errorAt(1, "empty input: expected the banner '" + BANNER_FORM + "'");
        }
        String banner = lineString().strip();
        String[] t = banner.split("[ \t\r\f]+");
        if (!t[0].equalsIgnoreCase("%%MatrixMarket")) {
            throw error("missing banner: the first line must be '" + BANNER_FORM + "', found '" + abbreviate(banner) + "'");
        }
        if (t.length != 5) {
            throw error("the banner has " + t.length + " tokens, expected 5: '" + BANNER_FORM + "'");
        }
        if (!t[1].equalsIgnoreCase("matrix")) {
            throw error("unknown object '" + t[1] + "': only 'matrix' is supported");
        }
        Format format = Format.parse(t[2]);
        if (format == null) {
            throw error("unknown format '" + t[2] + "': expected coordinate or array");
        }
        Field field = Field.parse(t[3]);
        if (field == null) {
            throw error("unknown field '" + t[3] + "': expected real, integer, pattern or complex");
        }
        Symmetry symmetry = Symmetry.parse(t[4]);
        if (symmetry == null) {
            throw error("unknown symmetry '" + t[4] + "': expected general, symmetric, skew-symmetric or hermitian");
        }
        if (format == Format.ARRAY && field == Field.PATTERN) {
            throw error("the pattern field is only allowed with the coordinate format");
        }
        if (symmetry == Symmetry.HERMITIAN && field != Field.COMPLEX) {
            throw error("hermitian symmetry needs the complex field, this file is " + field.token());
        }
        if (symmetry == Symmetry.SKEW_SYMMETRIC && field == Field.PATTERN) {
            throw error("a pattern matrix cannot be skew-symmetric");
        }

        do {
            if (!nextLine()) {
                throw error("missing size line: the input ends after the header");
            }
        } while (restIsBlankOrComment());
        sizeLine = line;
        String[] s = lineString().strip().split("[ \t\r\f]+");
        boolean coordinate = format == Format.COORDINATE;
        int want = coordinate ? 3 : 2;
        if (s.length != want) {
            throw error("the size line has " + s.length + " tokens, expected " + want + (coordinate ? " (rows cols nnz)" : " (rows cols)"));
        }
        long rows = parseSize(s[0], "row count");
        long cols = parseSize(s[1], "column count");
        if (symmetry != Symmetry.GENERAL && rows != cols) {
            throw error("a " + symmetry.token() + " matrix must be square, the size line says " + rows + "x" + cols);
        }
        long entries;
        if (coordinate) {
            entries = parseSize(s[2], "nnz");
            boolean cellsOverflow = Math.multiplyHigh(rows, cols) != 0 || rows * cols < 0;
            if (!cellsOverflow && entries > rows * cols) {
                throw error("nnz " + entries + " > rows*cols = " + rows * cols);
            }
        } else {
            if (Math.multiplyHigh(rows, cols) != 0 || rows * cols < 0) {
                throw error("rows*cols = " + rows + "*" + cols + " overflows a 64-bit count");
            }
            entries = switch (symmetry) {
                case GENERAL -> rows * cols;
                case SKEW_SYMMETRIC -> rows / 2 * (rows - 1) + (rows % 2 == 0 ? 0 : (rows - 1) / 2);
                default -> rows / 2 * (rows + 1) + (rows % 2 == 0 ? 0 : (rows + 1) / 2);
            };
        }
        return new Header("matrix", format, field, symmetry, rows, cols, entries);
    }

    private long parseSize(String tok, String what) {
        if (!tok.matches("[+-]?[0-9]+")) {
            throw error(what + " '" + abbreviate(tok) + "' is not an integer");
        }
        long v;
        try {
            v = Long.parseLong(tok);
        } catch (NumberFormatException e) {
            throw error(what + " " + abbreviate(tok) + " is out of range");
        }
        if (v < 0) {
            throw error("negative " + what + " " + v);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private void requireSupported(Header h) {
        if (h.field() == Field.COMPLEX) {
            throw errorAt(1, "complex matrices are not supported (only real, integer and pattern)");
        }
    }

    private void checkIndexType(DType it, long rows, long cols, long nnz) {
        if (it != DType.I32) {
            return;
        }
        String hint = " (index type i32 was asked for; use i64)";
        if (rows > INT32_MAX) {
            throw errorAt(sizeLine, rows + " rows do not fit int32 indices" + hint);
        }
        if (cols > INT32_MAX) {
            throw errorAt(sizeLine, cols + " columns do not fit int32 indices" + hint);
        }
        if (nnz > INT32_MAX) {
            throw errorAt(sizeLine, "nnz " + nnz + " does not fit int32 indices" + hint);
        }
    }

    // ---- coordinate -------------------------------------------------------------------------------

    Coo readCoordinate(Header h, Options o) throws IOException {
        requireSupported(h);
        long rows = h.rows();
        long cols = h.cols();
        long nnz = h.nnz();
        boolean symmetric = h.symmetry() != Symmetry.GENERAL;
        boolean skew = h.symmetry() == Symmetry.SKEW_SYMMETRIC;
        boolean expand = symmetric && o.expandSymmetry();
        DType it = o.indexType();
        if (it == null) {
            long bound = expand ? (nnz > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * nnz) : nnz;
            it = Formats.autoIndexType(rows, cols, bound);
        } else {
            checkIndexType(it, rows, cols, nnz);
        }
        boolean pattern = h.field() == Field.PATTERN;
        checkFits(nnz, pattern ? 4 : 6, "entries");  // "i j\n" or "i j v\n" at the least
        DType vt = pattern ? null : o.valueType();
        CooSink sink = new CooSink(Coo.allocate(rows, cols, initialCapacity(nnz), it, vt), nnz);
        try {
            boolean integer = h.field() == Field.INTEGER;
            String form = pattern ? "(row column)" : "(row column value)";
            int wanted = pattern ? 2 : 3;
            long count = 0;
            long offDiagonal = 0;
            long prevRow = -1;
            long prevCol = -1;
            boolean sorted = true;
            while (count < nnz) {
                if (!nextLine()) {
                    throw error("the input ends early: expected " + nnz + " entries, found " + count);
                }
                if (restIsBlankOrComment()) {
                    continue;
                }
                long r = parseIndex("row", "rows", rows);
                if (p == end) {
                    throw error("expected " + wanted + " tokens " + form + ", found 1");
                }
                long c = parseIndex("column", "cols", cols);
                double v = 0;
                if (!pattern) {
                    if (p == end) {
                        throw error("missing value: expected 3 tokens (row column value), found 2");
                    }
                    v = integer ? parseIntegerValue() : parseRealValue();
                }
                if (p != end) {
                    if (pattern) {
                        throw error("a value is present but the header says pattern: expected 2 tokens (row column), found "
                                + countTokens());
                    }
                    throw error("expected 3 tokens (row column value), found " + countTokens());
                }
                if (symmetric) {
                    if (r < c) {
                        throw error("entry (" + r + ", " + c + ") is above the diagonal; a " + h.symmetry().token()
                                + " file lists only the lower triangle (row >= column)");
                    }
                    if (skew && r == c) {
                        throw error("diagonal entry (" + r + ", " + c + ") in a skew-symmetric file: its diagonal is zero and is not listed");
                    }
                }
                if (r != c) {
                    offDiagonal++;
                }
                if (sorted) {
                    sorted = r > prevRow || (r == prevRow && c > prevCol);
                    prevRow = r;
                    prevCol = c;
                }
                if (pattern) {
                    sink.add(r - 1, c - 1);
                } else {
                    sink.add(r - 1, c - 1, v, this);
                }
                count++;
            }
            sink.flush();
            rejectTrailingEntries(nnz, "entries");
            Coo coo = sink.coo();  // exactly nnz entries: it grows to at most nnz and holds all of them
            if (expand) {
                if (it == DType.I32 && nnz + offDiagonal > INT32_MAX) {
                    throw errorAt(sizeLine, "the expanded matrix has " + (nnz + offDiagonal)
                            + " entries, which do not fit int32 indices (index type i32 was asked for; use i64)");
                }
                Coo expanded = coo.expandSymmetric(skew);
                coo.close();
                return expanded;
            }
            return sorted ? coo.markCanonical() : coo;
        } catch (IOException | RuntimeException | NativeOutOfMemoryError e) {
            sink.coo().close();
            throw e;
        }
    }

    private void rejectTrailingEntries(long declared, String what) throws IOException {
        while (nextLine()) {
            if (!restIsBlankOrComment()) {
                throw error("more " + what + " than the " + declared + " declared on the size line (line " + sizeLine + ")");
            }
        }
    }

    /** Parses a 1-based index token at the cursor, checks it against [1, max], and skips blanks after it. */
    private long parseIndex(String what, String bound, long max) {
        int s = p;
        boolean negative = false;
        if (buf[p] == '-') {
            negative = true;
            p++;
        } else if (buf[p] == '+') {
            p++;
        }
        int digits = p;
        long v = 0;
        boolean overflow = false;
        while (p < end) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                overflow = true;
            } else {
                v = v * 10 + d;
            }
            p++;
        }
        if (p == digits || (p < end && !isBlank(buf[p]))) {
            throw error(what + " index '" + token(s) + "' is not an integer");
        }
        if (overflow) {
            throw error(what + " index " + token(s) + " is out of range");
        }
        if (negative && v != 0) {
            throw error(what + " index -" + v + " is negative");
        }
        if (v == 0) {
            throw error(what + " index 0 < 1: indices are 1-based");
        }
        if (v > max) {
            throw error(what + " index " + v + " > " + bound + " " + max);
        }
        skipBlanks();
        return v;
    }

    // ---- values -----------------------------------------------------------------------------------

    /** Start of the last value token, for the rare slow paths. */
    private int valueStart;
    private int valueEnd;

    /**
     * Parses a decimal value at the cursor. Short decimals (at most 19 significant digits whose
     * mantissa is below 2^53, exponents within ±22) are computed exactly-rounded in one operation;
     * everything else goes to Double.parseDouble after a character check.
     */
    private double parseRealValue() {
        int s = p;
        int q = p;
        boolean negative = false;
        if (buf[q] == '-') {
            negative = true;
            q++;
        } else if (buf[q] == '+') {
            q++;
        }
        long m = 0;
        int exp = 0;
        boolean any = false;
        boolean slow = false;
        while (q < end) {
            int d = buf[q] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            any = true;
            if (m < 100_000_000_000_000_000L) {
                m = m * 10 + d;
            } else {
                slow = true;
            }
            q++;
        }
        if (q < end && buf[q] == '.') {
            q++;
            while (q < end) {
                int d = buf[q] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                any = true;
                if (m < 100_000_000_000_000_000L) {
                    m = m * 10 + d;
                    exp--;
                } else {
                    slow = true;
                }
                q++;
            }
        }
        if (any && q < end && (buf[q] == 'e' || buf[q] == 'E')) {
            q++;
            boolean expNegative = false;
            if (q < end && (buf[q] == '-' || buf[q] == '+')) {
                expNegative = buf[q] == '-';
                q++;
            }
            int ds = q;
            int e = 0;
            while (q < end) {
                int d = buf[q] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                if (e < 100_000) {
                    e = e * 10 + d;
                }
                q++;
            }
            if (q == ds) {
                slow = true;  // "1e": let the slow path reject it
            }
            exp += expNegative ? -e : e;
        }
        valueStart = s;
        if (!any || (q < end && !isBlank(buf[q]))) {
            return slowValue(s);
        }
        valueEnd = q;
        if (slow) {
            return slowValue(s);
        }
        double v;
        if (m == 0) {
            v = 0;
        } else if (m < TWO_53 && exp >= -22 && exp <= 22) {
            v = exp >= 0 ? m * POW10[exp] : m / POW10[-exp];
        } else {
            return slowValue(s);
        }
        p = q;
        skipBlanks();
        return negative ? -v : v;
    }

    private double slowValue(int s) {
        int e = tokenEnd(s);
        valueStart = s;
        valueEnd = e;
        String tok = new String(buf, s, e - s, StandardCharsets.ISO_8859_1);
        p = e;
        skipBlanks();
        String lower = tok.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        boolean plain = true;
        for (int i = 0; i < tok.length(); i++) {
            char c = tok.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
                plain = false;
                break;
            }
        }
        if (plain) {
            try {
                return Double.parseDouble(tok);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw error("value '" + abbreviate(tok) + "' is not a number");
    }

    /** An integer-field value: an optionally signed run of digits. */
    private double parseIntegerValue() {
        int s = p;
        int q = p;
        boolean negative = false;
        if (buf[q] == '-' || buf[q] == '+') {
            negative = buf[q] == '-';
            q++;
        }
        int ds = q;
        long m = 0;
        while (q < end) {
            int d = buf[q] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            m = m * 10 + d;
            q++;
        }
        if (q == ds || (q < end && !isBlank(buf[q]))) {
            throw error("value '" + token(s) + "' is not an integer (the header says integer)");
        }
        valueStart = s;
        valueEnd = q;
        double v = q - ds > 18 ? Double.parseDouble(new String(buf, ds, q - ds, StandardCharsets.ISO_8859_1)) : (double) m;
        p = q;
        skipBlanks();
        return negative ? -v : v;
    }

    /**
     * The float nearest the decimal just parsed. Rounding the exactly-rounded double again to float
     * is wrong only when that double lies exactly halfway between two floats (or in the subnormal
     * range); then the token is parsed again straight to float.
     */
    float toFloat(double d) {
        float f = (float) d;
        long bits = Double.doubleToRawLongBits(d);
        boolean halfway = (bits & 0x1FFF_FFFFL) == 0x1000_0000L;
        boolean tiny = d != 0 && Math.abs(d) < Float.MIN_NORMAL;
        if ((halfway || tiny) && !Double.isNaN(d) && !Double.isInfinite(d)) {
            return Float.parseFloat(new String(buf, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
        }
        return f;
    }

    /**
     * Gathers entries in chunks and copies each full chunk into the COO arrays. When the COO is full
     * it is replaced by a larger one (up to {@code limit} entries) holding the entries so far.
     */
    private static final class CooSink {
        private Coo coo;
        private final long limit;
        private final boolean i32;
        private final DType vt;
        private final long[] rows = new long[CHUNK];
        private final long[] cols = new long[CHUNK];
        private final int[] narrow;
        private final float[] f32;
        private final double[] f64;
        private final short[] f16;
        private int n;
        private long done;

        CooSink(Coo coo, long limit) {
            this.coo = coo;
            this.limit = limit;
            this.i32 = coo.indexType() == DType.I32;
            this.vt = coo.valueType();
            this.narrow = i32 ? new int[CHUNK] : null;
            this.f32 = vt == DType.F32 ? new float[CHUNK] : null;
            this.f64 = vt == DType.F64 ? new double[CHUNK] : null;
            this.f16 = vt == DType.F16 || vt == DType.BF16 ? new short[CHUNK] : null;
        }

        void add(long r, long c) {
            rows[n] = r;
            cols[n] = c;
            if (++n == CHUNK) {
                flush();
            }
        }

        void add(long r, long c, double v, MatrixMarketReader reader) {
            rows[n] = r;
            cols[n] = c;
            switch (vt) {
                case F32 -> f32[n] = reader.toFloat(v);
                case F64 -> f64[n] = v;
                case F16 -> f16[n] = Float16.floatToHalf(reader.toFloat(v));
                case BF16 -> f16[n] = Float16.floatToBf16(reader.toFloat(v));
                default -> throw new IllegalStateException("value type " + vt);
            }
            if (++n == CHUNK) {
                flush();
            }
        }

        /** The COO written so far; it changes when the sink grows. */
        Coo coo() {
            return coo;
        }

        void flush() {
            if (n == 0) {
                return;
            }
            if (done + n > coo.nnz()) {
                grow(done + n);
            }
            putIndices(coo.rowIdx(), rows);
            putIndices(coo.colIdx(), cols);
            if (vt != null) {
                Tensor v = coo.values();
                switch (vt) {
                    case F32 -> new FloatPointer(v.pointer()).position(done).put(f32, 0, n);
                    case F64 -> new DoublePointer(v.pointer()).position(done).put(f64, 0, n);
                    default -> new ShortPointer(v.pointer()).position(done).put(f16, 0, n);
                }
            }
            done += n;
            n = 0;
        }

        private void grow(long needed) {
            long capacity = grownCapacity(coo.nnz(), needed, limit);
            Coo bigger = Coo.allocate(coo.rows(), coo.cols(), capacity, coo.indexType(), vt);
            copyPrefix(bigger.rowIdx(), coo.rowIdx(), done);
            copyPrefix(bigger.colIdx(), coo.colIdx(), done);
            copyPrefix(bigger.values(), coo.values(), done);
            coo.close();
            coo = bigger;
        }

        private void putIndices(Tensor t, long[] chunk) {
            if (i32) {
                for (int k = 0; k < n; k++) {
                    narrow[k] = (int) chunk[k];
                }
                new IntPointer(t.pointer()).position(done).put(narrow, 0, n);
            } else {
                new LongPointer(t.pointer()).position(done).put(chunk, 0, n);
            }
        }
    }

    // ---- array ------------------------------------------------------------------------------------

    Tensor readArray(Header h, Options o) throws IOException {
        requireSupported(h);
        long rows = h.rows();
        long cols = h.cols();
        DType vt = o.valueType();
        Symmetry sym = h.symmetry();
        boolean skew = sym == Symmetry.SKEW_SYMMETRIC;
        boolean mirror = sym != Symmetry.GENERAL && o.expandSymmetry();
        boolean integer = h.field() == Field.INTEGER;
        long total = h.nnz();
        checkFits(total, 2, "values");  // "v\n" at the least
        if (rows * cols > Long.MAX_VALUE / vt.byteSize()) {  // rows * cols itself was checked with the header
            throw errorAt(sizeLine, "rows*cols = " + rows + "*" + cols + " values of " + vt + " overflow a 64-bit byte count");
        }
        if (inputBytes >= 0) {
            // The file's size bounded the values: read them straight into place.
            Tensor t = Tensor.zeros(vt, rows, cols);
            try {
                DenseSink dense = new DenseSink(t);
                ArrayWalk at = new ArrayWalk(rows, sym);
                for (long k = 0; k < total; k++) {
                    long here = at.i * cols + at.j;
                    dense.put(here, nextArrayValue(total, k, integer), this);
                    if (mirror && at.i != at.j) {
                        dense.copy(at.j * cols + at.i, dense, here, skew);
                    }
                    at.advance();
                }
                rejectTrailingEntries(total, "values");
                return t;
            } catch (IOException | RuntimeException | NativeOutOfMemoryError e) {
                t.close();
                throw e;
            }
        }
        // A stream: gather the values in file order in a buffer that grows as they arrive, then
        // place them, so a size line promising more than the stream holds allocates nothing large.
        Tensor staged = Tensor.zeros(vt, initialCapacity(total));
        try {
            DenseSink stage = new DenseSink(staged);
            for (long k = 0; k < total; k++) {
                double v = nextArrayValue(total, k, integer);
                if (k == staged.shape(0)) {
                    Tensor bigger = Tensor.zeros(vt, grownCapacity(k, k + 1, total));
                    copyPrefix(bigger, staged, k);
                    staged.close();
                    staged = bigger;
                    stage = new DenseSink(staged);
                }
                stage.put(k, v, this);
            }
            rejectTrailingEntries(total, "values");
            Tensor t = Tensor.zeros(vt, rows, cols);
            try {
                DenseSink dense = new DenseSink(t);
                ArrayWalk at = new ArrayWalk(rows, sym);
                for (long k = 0; k < total; k++) {
                    dense.copy(at.i * cols + at.j, stage, k, false);
                    if (mirror && at.i != at.j) {
                        dense.copy(at.j * cols + at.i, stage, k, skew);
                    }
                    at.advance();
                }
                return t;
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
        } finally {
            staged.close();
        }
    }

    /** The next value of an array file: one per line, blank and comment lines skipped. */
    private double nextArrayValue(long total, long count, boolean integer) throws IOException {
        do {
            if (!nextLine()) {
                throw error("the input ends early: expected " + total + " values, found " + count);
            }
        } while (restIsBlankOrComment());
        double v = integer ? parseIntegerValue() : parseRealValue();
        if (p != end) {
            throw error("expected 1 token (one value per line in array format), found " + countTokens());
        }
        return v;
    }

    /**
     * The (row i, column j) of each value of an array file in file order: column by column, all rows
     * for general; from the diagonal down (below it for skew-symmetric) otherwise.
     */
    private static final class ArrayWalk {
        private final long rows;
        private final boolean symmetric;
        private final boolean skew;
        long i;
        long j;

        ArrayWalk(long rows, Symmetry sym) {
            this.rows = rows;
            this.symmetric = sym != Symmetry.GENERAL;
            this.skew = sym == Symmetry.SKEW_SYMMETRIC;
            this.i = skew ? 1 : 0;
        }

        void advance() {
            if (++i == rows) {
                j++;
                i = !symmetric ? 0 : skew ? j + 1 : j;
            }
        }
    }

    /** Stores single elements of a dense tensor by flat row-major offset. */
    private static final class DenseSink {
        private final DType vt;
        private final FloatPointer f32;
        private final DoublePointer f64;
        private final ShortPointer f16;

        DenseSink(Tensor t) {
            vt = t.dtype();
            f32 = vt == DType.F32 ? new FloatPointer(t.pointer()) : null;
            f64 = vt == DType.F64 ? new DoublePointer(t.pointer()) : null;
            f16 = vt == DType.F16 || vt == DType.BF16 ? new ShortPointer(t.pointer()) : null;
        }

        void put(long offset, double v, MatrixMarketReader reader) {
            switch (vt) {
                case F32 -> f32.put(offset, reader.toFloat(v));
                case F64 -> f64.put(offset, v);
                case F16 -> f16.put(offset, Float16.floatToHalf(reader.toFloat(v)));
                case BF16 -> f16.put(offset, Float16.floatToBf16(reader.toFloat(v)));
                default -> throw new IllegalStateException("value type " + vt);
            }
        }

        /** Stores element k of {@code from}'s tensor (same dtype) at {@code offset}, negated when asked. */
        void copy(long offset, DenseSink from, long k, boolean negate) {
            switch (vt) {
                case F32 -> {
                    float f = from.f32.get(k);
                    f32.put(offset, negate ? -f : f);
                }
                case F64 -> {
                    double d = from.f64.get(k);
                    f64.put(offset, negate ? -d : d);
                }
                default -> {
                    short bits = from.f16.get(k);
                    f16.put(offset, negate ? (short) (bits ^ 0x8000) : bits);  // f16 and bf16 keep the sign in bit 15
                }
            }
        }
    }
}
