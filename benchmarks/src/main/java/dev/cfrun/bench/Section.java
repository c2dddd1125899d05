package dev.cfrun.bench;

/** One section of the benchmark: it measures through the driver and adds its rows and details to the report. */
interface Section {

    void run(BenchOptions o, ProcessDriver d, Report r) throws Exception;

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
