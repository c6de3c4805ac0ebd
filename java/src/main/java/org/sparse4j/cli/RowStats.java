package org.sparse4j.cli;

import java.util.Locale;
import org.sparse4j.format.Csr;

/** Row-length statistics of a CSR matrix, with a histogram in power-of-two buckets. */
record RowStats(long min, double mean, long max, long emptyRows, long[] buckets) {
    static RowStats of(Csr csr) {
        long[] rp = csr.rowPtr().toLongArray();
        long min = Long.MAX_VALUE, max = 0, empty = 0;
        long[] buckets = new long[65];
        for (int i = 0; i + 1 < rp.length; i++) {
            long len = rp[i + 1] - rp[i];
            min = Math.min(min, len);
            max = Math.max(max, len);
            if (len == 0) {
                empty++;
            }
            buckets[len == 0 ? 0 : 64 - Long.numberOfLeadingZeros(len)]++;
        }
        long rows = rp.length - 1;
        return new RowStats(rows == 0 ? 0 : min, rows == 0 ? 0 : (double) csr.nnz() / rows, max, empty, buckets);
    }

    /** Lines "[lo, hi]  count  bar" for the non-empty buckets. */
    String histogram() {
        long top = 1;
        for (long b : buckets) {
            top = Math.max(top, b);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] == 0) {
                continue;
            }
            String range = i == 0 ? "0" : i == 1 ? "1" : (1L << (i - 1)) + "-" + ((1L << i) - 1);
            int bar = (int) Math.max(1, Math.round(40.0 * buckets[i] / top));
            sb.append(String.format(Locale.ROOT, "  %-22s %12d  %s%n", range, buckets[i], "#".repeat(bar)));
        }
        return sb.toString();
    }
}
