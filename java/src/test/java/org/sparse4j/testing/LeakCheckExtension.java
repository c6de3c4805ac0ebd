package org.sparse4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sparse4j.internal.Allocator;

/**
 * Fails any test that leaves native memory allocated: the host root and every CUDA device root must
 * hold as many bytes after the test as before. Registered for every test by service-loader autodetection.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("bytes", allocatedBytes());
        context.getStore(NS).put("buffers", liveBuffers());
        context.getStore(NS).put("plans", org.sparse4j.ops.SpmmPlan.livePlans());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long before = context.getStore(NS).get("bytes", Long.class);
        int buffersBefore = context.getStore(NS).get("buffers", Integer.class);
        long after = allocatedBytes();
        int buffersAfter = liveBuffers();
        if (after != before || buffersAfter != buffersBefore) {
            List<String> live = new java.util.ArrayList<>(Allocator.hostRoot().liveDescriptions());
            for (Allocator a : Allocator.cudaRoots()) {
                live.addAll(a.liveDescriptions());
            }
            fail("native memory leak: " + (after - before) + " bytes in " + (buffersAfter - buffersBefore)
                    + " buffer(s) outlived the test; live now: " + live.subList(Math.max(0, live.size() - 10), live.size()));
        }
        int plansLeft = org.sparse4j.ops.SpmmPlan.livePlans() - context.getStore(NS).get("plans", Integer.class);
        if (plansLeft != 0) {
            fail(plansLeft + " SpMM plan(s) outlived the test unclosed");
        }
    }

    private static long allocatedBytes() {
        long n = Allocator.hostRoot().allocatedBytes();
        for (Allocator a : Allocator.cudaRoots()) {
            n += a.allocatedBytes();
        }
        return n;
    }

    private static int liveBuffers() {
        int n = Allocator.hostRoot().liveBuffers();
        for (Allocator a : Allocator.cudaRoots()) {
            n += a.liveBuffers();
        }
        return n;
    }
}
