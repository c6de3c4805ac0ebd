package org.sparse4j.format;

import org.sparse4j.InvalidFormatException;

/**
 * A MatrixMarket file is malformed or asks for something this reader does not support. The
 * message names the source (when known) and the 1-based line, e.g.
 * {@code "a.mtx: line 17: column index 9001 > cols 4096"}.
 */
public class MatrixMarketException extends InvalidFormatException {
    private final String source;
    private final long line;
    private final String detail;

    /**
     * @param source a name for the input (a file name), or null
     * @param line the 1-based line the problem is on, or 0 when no line applies
     * @param detail what is wrong, without the position
     */
    public MatrixMarketException(String source, long line, String detail) {
        super(format(source, line, detail));
        this.source = source;
        this.line = line;
        this.detail = detail;
    }

    private static String format(String source, long line, String detail) {
        StringBuilder sb = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            sb.append(source).append(": ");
        }
        if (line > 0) {
            sb.append("line ").append(line).append(": ");
        }
        return sb.append(detail).toString();
    }

    /** The 1-based line number of the problem, or 0 when not applicable. */
    public long line() {
        return line;
    }

    /** The name of the input given to the reader (a file name), or null. */
    public String source() {
        return source;
    }

    /** The message without the source and line prefix. */
    public String detail() {
        return detail;
    }
}
