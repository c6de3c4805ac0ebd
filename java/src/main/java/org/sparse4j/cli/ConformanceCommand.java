package org.sparse4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparse4j.Backend;
import org.sparse4j.Backends;
import org.sparse4j.conformance.CaseResult;
import org.sparse4j.conformance.ConformanceCase;
import org.sparse4j.conformance.ConformanceRunner;
import org.sparse4j.conformance.ConformanceSuite;
import org.sparse4j.conformance.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the conformance cases on every backend found, prints a table, writes JSON, exits 1 on a failure. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Run every conformance case on every backend and tier found (or those named); exit status 1 on any failure.")
final class ConformanceCommand implements Callable<Integer> {
    enum Mode { list, correctness }

    @Option(names = "--backend", description = "Backend to run (repeatable): reference, cpu-scalar, cpu-avx2, cpu-avx512, cuda. Default: every one found, plus cuda (reported as skipped when absent).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--case", description = "A case id to run (repeatable), as printed in reproducer lines.")
    List<String> caseIds = new ArrayList<>();

    @Option(names = "--batch", description = "A file of case ids, one per line ('#' comments).")
    Path batch;

    @Option(names = "--filter", description = "Only cases whose id contains this text.")
    String filter;

    @Option(names = "--mode", defaultValue = "correctness", description = "list (print the cases) or correctness (run them). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--json", description = "Write every result, with reproducer lines, to this JSON file.")
    Path json;

    @Option(names = "--summary-only", description = "Print only failures and the summary per backend, not a row per case.")
    boolean summaryOnly;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when attached to a terminal).")
    Boolean progress;

    @Option(names = "--impl", description = "Run only the cases of this implementation's op, with it forced (names as `doctor` lists them, e.g. cuda:spmm_csr_rowblock); the backend defaults to the implementation's.")
    String impl;

    @Override
    public Integer call() throws IOException {
        List<ConformanceCase> cases = selectCases();
        ImplTarget forced = impl == null ? null : findImpl(impl);
        if (forced != null) {
            cases.removeIf(c -> ConformanceRunner.nativeOp(c.op()) != forced.op());
            if (backends.isEmpty()) {
                backends.add(forced.backend().label());
            }
        }
        if (mode == Mode.list) {
            cases.forEach(c -> System.out.println(c.id()));
            return 0;
        }
        List<Backend> targets = selectBackends();
        List<CaseResult> results = new ArrayList<>();
        long total = (long) cases.size() * targets.size();
        boolean showBar = progress != null ? progress : System.console() != null;
        try (ProgressBar bar = showBar ? new ProgressBarBuilder().setTaskName("conformance").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build() : null) {
            for (Backend b : targets) {
                for (ConformanceCase c : cases) {
                    results.add(ConformanceRunner.run(c, b, impl));
                    if (bar != null) {
                        bar.step();
                    }
                }
            }
        }
        printTable(targets, results);
        if (forced != null && results.stream().noneMatch(r -> r.outcome() == Outcome.PASSED || r.outcome() == Outcome.FAILED)) {
            System.out.println("note: " + impl + " ran on no case (it runs on " + forced.backend().label()
                    + "; skipped and unimplemented cases above say why)");
        }
        if (json != null) {
            writeJson(results);
            System.out.println("wrote " + json);
        }
        return exitStatus(results);
    }

    private record ImplTarget(org.sparse4j.Op op, Backend backend) {}

    /** The op and backend of a registered implementation, from the dispatch table's own list. */
    private static ImplTarget findImpl(String name) {
        for (org.sparse4j.Op op : org.sparse4j.Op.values()) {
            for (String line : Backends.implementations(op)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals(name)) {
                    return new ImplTarget(op, Backend.parse(f[1]));
                }
            }
        }
        throw new IllegalArgumentException("no implementation called '" + name + "' (sparse4j doctor lists them)");
    }

    /** 1 when any case failed, else 0 (skipped and unimplemented cases are not failures). */
    static int exitStatus(List<CaseResult> results) {
        return results.stream().anyMatch(CaseResult::failed) ? 1 : 0;
    }

    private List<ConformanceCase> selectCases() throws IOException {
        List<ConformanceCase> cases = new ArrayList<>();
        for (String id : caseIds) {
            cases.add(ConformanceCase.parse(id));
        }
        if (batch != null) {
            cases.addAll(ConformanceSuite.readBatch(batch));
        }
        if (cases.isEmpty()) {
            cases.addAll(ConformanceSuite.defaultCases());
        }
        if (filter != null) {
            cases.removeIf(c -> !c.id().contains(filter));
        }
        return cases;
    }

    private List<Backend> selectBackends() {
        List<Backend> out = new ArrayList<>();
        if (backends.isEmpty()) {
            out.addAll(Backends.available());
            if (!out.contains(Backend.CUDA)) {
                out.add(Backend.CUDA);  // listed so the report says plainly why GPU cases did not run
            }
        } else {
            for (String b : backends) {
                out.add(Backend.parse(b));
            }
        }
        return out;
    }

    private void printTable(List<Backend> targets, List<CaseResult> results) {
        List<String[]> rows = new ArrayList<>();
        for (CaseResult r : results) {
            if (!summaryOnly || r.outcome() == Outcome.FAILED) {
                rows.add(new String[] {r.backend().label(), r.testCase().id(), r.outcome().name(), r.implementation(),
                        String.format(Locale.ROOT, "%.3g", r.worstRatio()), String.format(Locale.ROOT, "%.2f", r.millis()),
                        r.message()});
            }
        }
        if (!rows.isEmpty()) {
            Table.print(System.out, new String[] {"backend", "case", "result", "implementation", "err/tol", "ms", "note"}, rows);
            System.out.println();
        }
        List<String[]> summary = new ArrayList<>();
        for (Backend b : targets) {
            Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
            String note = "";
            for (CaseResult r : results) {
                if (r.backend() == b) {
                    counts.merge(r.outcome(), 1, Integer::sum);
                    if (note.isEmpty() && (r.outcome() == Outcome.SKIPPED || r.outcome() == Outcome.UNIMPLEMENTED)) {
                        note = r.message();
                    }
                }
            }
            summary.add(new String[] {b.label(), str(counts, Outcome.PASSED), str(counts, Outcome.FAILED),
                    str(counts, Outcome.SKIPPED), str(counts, Outcome.UNIMPLEMENTED), note});
        }
        Table.print(System.out, new String[] {"backend", "passed", "failed", "skipped", "unimplemented", "note"}, summary);
        for (CaseResult r : results) {
            if (r.failed()) {
                System.out.println("FAILED " + r.testCase().id() + " on " + r.backend().label() + ": " + r.message());
                System.out.println("  reproduce: " + r.reproducer());
            }
        }
        long passed = results.stream().filter(r -> r.outcome() == Outcome.PASSED).count();
        long failed = results.stream().filter(CaseResult::failed).count();
        long skipped = results.size() - passed - failed;
        System.out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
    }

    private void writeJson(List<CaseResult> results) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("sparse4j", VersionProvider.javaVersion());
        root.put("native", Backends.nativeVersion());
        root.put("time", Instant.now().toString());
        ObjectNode machine = root.putObject("machine");
        Backends.report().forEach(machine::put);
        machine.put("java", System.getProperty("java.version"));
        ArrayNode arr = root.putArray("results");
        for (CaseResult r : results) {
            ObjectNode o = arr.addObject();
            o.put("case", r.testCase().id());
            o.put("op", r.testCase().op().label());
            o.put("dtype", r.testCase().dtype().toString());
            o.put("index", r.testCase().indexType().toString());
            o.put("backend", r.backend().label());
            o.put("result", r.outcome().name());
            o.put("implementation", r.implementation());
            o.put("errorOverTolerance", Double.isFinite(r.worstRatio()) ? r.worstRatio() : -1);
            o.put("worstAt", r.worstAt());
            o.put("millis", r.millis());
            o.put("message", r.message());
            o.put("reproducer", r.reproducer());
        }
        mapper.writeValue(json.toFile(), root);
    }

    private static String str(Map<Outcome, Integer> m, Outcome o) {
        return Integer.toString(m.getOrDefault(o, 0));
    }
}
