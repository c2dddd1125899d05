package dev.cfrun.nagios;

/** SLF4J set-up shared by the handler and the check plugin (the level and stream are set by each). */
final class Logging {
    private Logging() {
    }

    /**
     * Names the binding instead of letting SLF4J scan the class path for one (a cold start saves ~10 ms);
     * SLF4J then announces the choice at INFO, which its own verbosity setting keeps quiet.
     */
    static void bindQuickly() {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        }
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
    }
}
