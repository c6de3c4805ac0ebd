package org.sparse4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Loader;
import org.sparse4j.Backend;
import org.sparse4j.Backends;
import org.sparse4j.Op;
import picocli.CommandLine.Command;

/** Says what this machine is and what sparse4j can run on it. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show Java, OS, CPU ISA tiers, CUDA devices (or why there are none) and what each backend supports.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Map<String, String> report = Backends.report();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"sparse4j", VersionProvider.javaVersion() + " (native " + Backends.nativeVersion() + ")"});
        rows.add(new String[] {"Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")"});
        rows.add(new String[] {"OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + " (JavaCPP platform " + Loader.getPlatform() + ")"});
        rows.add(new String[] {"CPU", report.getOrDefault("cpu.brand", "unknown") + ", "
                + Runtime.getRuntime().availableProcessors() + " hardware threads"});
        rows.add(new String[] {"CPU features", report.getOrDefault("cpu.features", "")});
        rows.add(new String[] {"CPU tiers", report.getOrDefault("cpu.tiers", "") + " (best: " + Backends.cpuBest().label() + ")"});
        if (report.containsKey("cpu.forced")) {
            rows.add(new String[] {"CPU tier forced", report.get("cpu.forced")});
        }
        int gpus = Backends.cudaDeviceCount();
        if (gpus == 0) {
            rows.add(new String[] {"GPU", "none: no GPU backend on this machine: " + Backends.cudaUnavailableReason()});
        } else {
            for (Map.Entry<String, String> e : report.entrySet()) {
                if (e.getKey().matches("cuda\\.\\d+")) {
                    rows.add(new String[] {"GPU " + e.getKey().substring(5), e.getValue()});
                }
            }
        }
        Table.print(System.out, new String[] {"item", "value"}, rows);
        System.out.println();
        System.out.println("Implementations per op (best first; a context uses the first its backend cap allows):");
        List<String[]> impls = new ArrayList<>();
        for (Op op : Op.values()) {
            for (String line : Backends.implementations(op)) {
                String[] p = line.split(" ");
                Backend b = Backend.parse(p[1]);
                impls.add(new String[] {op.label(), p[0], p[1], p.length > 2 ? p[2] : "", Backends.isAvailable(b) ? "yes" : "no"});
            }
        }
        Table.print(System.out, new String[] {"op", "implementation", "backend", "dtypes", "runs here"}, impls);
        System.out.println();
        Map<String, String> perBackend = new LinkedHashMap<>();
        for (Backend b : Backend.values()) {
            perBackend.put(b.label(), Backends.isAvailable(b) ? "available" : "not available here");
        }
        List<String[]> brows = new ArrayList<>();
        perBackend.forEach((k, v) -> brows.add(new String[] {k, v}));
        Table.print(System.out, new String[] {"backend", "status"}, brows);
        return 0;
    }
}
