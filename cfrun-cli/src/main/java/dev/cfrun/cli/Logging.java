package dev.cfrun.cli;

/**
 * Binds the library's SLF4J logging to stderr (slf4j-simple), at a level chosen by -I / -v / -d.
 * Must run before the first logger is created.
 */
final class Logging {
    private static boolean debug;

    private Logging() {
    }

    static void configure(String[] args) {
        String level = "warn";
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("-d") || a.equals("--debug")) {
                level = "debug";
                debug = true;
            } else if ((a.equals("-v") || a.equals("--verbose")) && !level.equals("debug")) {
                level = "debug";
            } else if ((a.equals("-I") || a.equals("--inform")) && level.equals("warn")) {
                level = "info";
            }
        }
        // the binding is named, not searched for (a class-path scan costs a cold start ~10 ms); slf4j then
        // announces the choice at INFO, which its own verbosity setting keeps quiet
        setIfAbsent("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        setIfAbsent("slf4j.internal.verbosity", "WARN");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "false");
    }

    static boolean debug() {
        return debug;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
