package org.sparse4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sparse4j.internal.Allocator;

/**
 * Owns every tensor (and every format built from tensors) made on this thread while it is open,
 * and frees them when it closes. Scopes nest; close them in reverse order of opening
 * (try-with-resources does). Memory made outside any scope belongs to the caller, who closes it.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    private static int counter;

    private final Allocator allocator;
    // Insertion-ordered, so closing runs newest first; resources closed early leave it (forget).
    private final Set<AutoCloseable> owned = new LinkedHashSet<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope(String name) {
        Scope parent = STACK.get().peek();
        Allocator parentAllocator = parent == null ? Allocator.hostRoot() : parent.allocator;
        this.allocator = parentAllocator.newChild(name, Long.MAX_VALUE);
    }

    /** Opens a scope on this thread. */
    public static Scope open() {
        int n;
        synchronized (Scope.class) {
            n = ++counter;
        }
        Scope s = new Scope("scope-" + n);
        STACK.get().push(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static Scope current() {
        return STACK.get().peek();
    }

    /** The allocator new host memory comes from on this thread. Internal. */
    public static Allocator currentAllocator() {
        Scope s = current();
        return s == null ? Allocator.hostRoot() : s.allocator;
    }

    /** Registers a resource to be closed with this scope; returns it. */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        if (closed) {
            throw new IllegalStateException("scope is closed");
        }
        owned.add(resource);
        return resource;
    }

    /** Drops a resource that was closed before the scope, so long-lived scopes do not accumulate them. */
    public synchronized void forget(AutoCloseable resource) {
        owned.remove(resource);
    }


    /** Bytes this scope's allocator holds now. */
    public long allocatedBytes() {
        return allocator.allocatedBytes();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a scope must be closed by the thread that opened it");
        }
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("scopes must be closed in reverse order of opening");
        }
        stack.pop();
        List<AutoCloseable> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(owned);
            owned.clear();
        }
        RuntimeException failure = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a resource of the scope failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            allocator.close();  // throws, naming the bytes, if anything was left in it
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
