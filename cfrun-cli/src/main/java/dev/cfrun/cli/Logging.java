package dev.cfrun.cli;

/**
 * Binds the library's SLF4J logging to stderr (slf4j-simple), at the level the parsed {@link RunOptions}
 * ask for (-I / -v / -d). slf4j-simple reads these system properties once, when the first logger is
 * created; so the order in {@link Main} is: parse the command line (FastArgs or picocli: neither logs),
 * then {@link #configure} from the parsed options, then create anything that logs (the client, its warm-up).
 */
final class Logging {
    private Logging() {
    }

    static void configure(RunOptions options) {
        // the binding is named, not searched for (a class-path scan costs a cold start ~10 ms); slf4j then
        // announces the choice at INFO, which its own verbosity setting keeps quiet
        setIfAbsent("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        setIfAbsent("slf4j.internal.verbosity", "WARN");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
