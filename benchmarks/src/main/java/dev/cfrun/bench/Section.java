package dev.cfrun.bench;

import java.util.List;

/** One section of the benchmark: it measures through the driver and adds its rows and details to the report. */
interface Section {

    void run(BenchOptions o, ProcessDriver d, Report r) throws Exception;

    /** The jars (relative to the clone) the section runs: the CLI's and the Nagios handler's unless it says. */
    default List<String> jars() {
        return List.of("cfrun-cli/target/cfrun.jar", "nagios-handler/target/cfrun-nagios.jar");
    }

    /** A checked call inside a lambda. */
    interface IoSupplier<T> {
        T get() throws Exception;
    }

    static <T> T uncheck(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
