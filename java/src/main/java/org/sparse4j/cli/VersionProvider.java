package org.sparse4j.cli;

import org.sparse4j.Backends;
import picocli.CommandLine;

/** Versions of the Java facade and the native library it loaded. */
final class VersionProvider implements CommandLine.IVersionProvider {
    static String javaVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"sparse4j " + javaVersion() + " (native " + Backends.nativeVersion() + ")"};
    }
}
