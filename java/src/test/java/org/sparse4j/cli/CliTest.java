package org.sparse4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparse4j.Backends;

/** The command line end to end, in process. */
class CliTest {
    private record Run(int status, String out) {}

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            int status = Main.execute(args);
            return new Run(status, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void doctorNamesTheTiersAndTheGpuSituation() {
        Run r = run("doctor");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("CPU tiers"), r.out());
        assertTrue(r.out().contains(Backends.cpuBest().label()), r.out());
        assertTrue(r.out().contains("ref:spmm_csr"), r.out());
        if (Backends.cudaDeviceCount() == 0) {
            assertTrue(r.out().contains("no GPU backend on this machine"), r.out());
        }
    }

    @Test
    void conformanceWritesJsonAndReportsEveryBackend(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("c.json");
        Run r = run("conformance", "--filter", "spmm/f32/", "--json", json.toString(), "--no-progress");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("PASSED"), r.out());
        assertTrue(r.out().contains(" failed"), r.out());
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode results = root.get("results");
        assertTrue(results.size() > 0);
        int cpuBackends = (int) Backends.available().stream().filter(b -> b != org.sparse4j.Backend.CUDA).count();
        long passed = 0;
        for (JsonNode n : results) {
            assertTrue(n.get("reproducer").asText().startsWith("sparse4j conformance --backend "));
            passed += n.get("result").asText().equals("PASSED") ? 1 : 0;
        }
        assertTrue(passed >= 15L * cpuBackends, "passed " + passed);
    }

    @Test
    void conformanceRunsABatchFileAndSingleCases(@TempDir Path dir) throws Exception {
        Path batch = dir.resolve("cases.txt");
        Files.writeString(batch, "# two cases\nspmv/bf16/i64/m9k11n1/d0.4/random/s5\n\ngemm/f16/i32/m3k4n5/d1.0/random/s1  # dense\n");
        Run r = run("conformance", "--batch", batch.toString(), "--backend", "reference", "--no-progress");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("2 passed, 0 failed"), r.out());
        Run one = run("conformance", "--case", "sddmm/f32/i32/m5k3n4/d0.5/long-row/s2", "--backend", "reference");
        assertEquals(0, one.status(), one.out());
        Run listed = run("conformance", "--mode", "list", "--filter", "roundtrip/bf16");
        assertEquals(15, listed.out().lines().count(), listed.out());
    }

    @Test
    void conformanceCanForceOneImplementation() {
        Run r = run("conformance", "--impl", "scalar:spmv_csr", "--filter", "/f32/", "--no-progress");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("scalar:spmv_csr"), r.out());
        assertTrue(!r.out().contains("spmm/f32"), "only the implementation's op runs: " + r.out());
        assertEquals(2, run("conformance", "--impl", "no-such:kernel").status());
        Run elsewhere = run("conformance", "--impl", "scalar:spmv_csr", "--backend", "reference", "--filter", "/f32/", "--no-progress");
        assertTrue(elsewhere.out().contains("ran on no case"), elsewhere.out());
    }

    @Test
    void badCaseIdIsAnErrorNotACrash() {
        assertEquals(2, run("conformance", "--case", "spmm/f32/i32/bogus/d0.3/random/s7").status());
    }

    @Test
    void anyFailedCaseMakesTheExitStatusOne() {
        org.sparse4j.conformance.ConformanceCase c = org.sparse4j.conformance.ConformanceCase.parse("spmm/f32/i32/m2k2n2/d1.0/random/s1");
        org.sparse4j.conformance.CaseResult ok = new org.sparse4j.conformance.CaseResult(c, org.sparse4j.Backend.REFERENCE,
                org.sparse4j.conformance.Outcome.PASSED, "ref", 0, "", "", 0, null);
        org.sparse4j.conformance.CaseResult skipped = new org.sparse4j.conformance.CaseResult(c, org.sparse4j.Backend.CUDA,
                org.sparse4j.conformance.Outcome.SKIPPED, "", 0, "", "no GPU", 0, null);
        org.sparse4j.conformance.CaseResult bad = new org.sparse4j.conformance.CaseResult(c, org.sparse4j.Backend.CPU_AVX2,
                org.sparse4j.conformance.Outcome.FAILED, "avx2", 3, "(0, 1)", "off by 1", 0, "avx2:spmm_csr");
        assertEquals(0, ConformanceCommand.exitStatus(java.util.List.of(ok, skipped)));
        assertEquals("sparse4j conformance --backend cpu-avx2 --impl avx2:spmm_csr --case spmm/f32/i32/m2k2n2/d1.0/random/s1", bad.reproducer());
        assertEquals(1, ConformanceCommand.exitStatus(java.util.List.of(ok, bad, skipped)));
    }

    @Test
    void convertAndInfo(@TempDir Path dir) throws Exception {
        Path mtx = dir.resolve("a.mtx");
        Files.writeString(mtx, "%%MatrixMarket matrix coordinate real general\n4 5 5\n1 1 1\n1 5 2\n2 2 3\n4 1 4\n4 4 5\n");
        Path bin = dir.resolve("a.s4j");
        assertEquals(0, run("convert", mtx.toString(), bin.toString(), "--to", "bsr", "--block", "2x2").status());
        Path back = dir.resolve("b.mtx");
        assertEquals(0, run("convert", bin.toString(), back.toString()).status());
        Run info = run("info", back.toString());
        assertEquals(0, info.status(), info.out());
        assertTrue(info.out().contains("4 x 5"), info.out());
        assertTrue(info.out().contains("empty rows 1"), info.out());
        assertTrue(info.out().contains("row-length histogram"), info.out());
        Run bad = run("info", dir.resolve("missing.mtx").toString());
        assertEquals(2, bad.status());
        Path broken = dir.resolve("broken.mtx");
        Files.writeString(broken, "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n9 1 1\n");
        assertEquals(2, run("info", broken.toString()).status());
    }
}
