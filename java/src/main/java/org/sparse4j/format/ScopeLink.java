package org.sparse4j.format;

import org.sparse4j.Scope;

/** Ties a format to the scope it was made in, and unties it when the format is closed first. */
final class ScopeLink {
    private volatile Scope scope;

    private ScopeLink(Scope scope) {
        this.scope = scope;
    }

    static <T extends AutoCloseable> ScopeLink register(T resource) {
        Scope s = Scope.current();
        if (s != null) {
            s.own(resource);
        }
        return new ScopeLink(s);
    }

    void release(AutoCloseable resource) {
        Scope s = scope;
        if (s != null) {
            scope = null;
            s.forget(resource);
        }
    }
}
