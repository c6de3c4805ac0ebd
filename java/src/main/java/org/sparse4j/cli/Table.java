package org.sparse4j.cli;

import java.io.PrintStream;
import java.util.List;

/** Prints left-aligned text tables. */
final class Table {
    private Table() {}

    static void print(PrintStream out, String[] header, List<String[]> rows) {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            w[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length && i < w.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        line(out, header, w);
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sep.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        out.println(sep);
        for (String[] r : rows) {
            line(out, r, w);
        }
    }

    private static void line(PrintStream out, String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.length && cells[i] != null ? cells[i] : "";
            sb.append(i == 0 ? "" : "  ").append(c);
            if (i < w.length - 1) {
                sb.append(" ".repeat(w[i] - c.length()));
            }
        }
        out.println(sb);
    }
}
