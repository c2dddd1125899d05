package dev.cfrun.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.util.List;

/**
 * When a test (or its set-up) fails, its failure report carries the logs (cf-key, cf-promises and cf-serverd
 * output) of the cf-serverd containers involved: those the class started in {@code @BeforeAll} and those the
 * test started itself, since the containers are gone by the time anyone reads the report. Skips stay skips.
 */
final class ServerLogsOnFailure implements BeforeAllCallback, BeforeEachCallback, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerLogsOnFailure.class);
    private static final int MAX_LOG = 20_000;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("classStart", CfEngineContainer.STARTED.size());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        int now = CfEngineContainer.STARTED.size();
        context.getParent().ifPresent(c -> c.getStore(NS).getOrComputeIfAbsent("classSetupEnd", k -> now, Integer.class));
        context.getStore(NS).put("testStart", now);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withLogs(context, t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withLogs(context, t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw withLogs(context, t);
    }

    private static int valueOr(ExtensionContext context, String key, int otherwise) {
        Integer v = context.getStore(NS).get(key, Integer.class);
        return v == null ? otherwise : v;
    }

    private static Throwable withLogs(ExtensionContext context, Throwable t) {
        if (t instanceof TestAbortedException) {
            return t;
        }
        // the store lookups fall back to the class's: @BeforeAll failures get everything the class started
        int classStart = valueOr(context, "classStart", 0);
        int classSetupEnd = valueOr(context, "classSetupEnd", Integer.MAX_VALUE);
        int testStart = valueOr(context, "testStart", Integer.MAX_VALUE);
        List<CfEngineContainer> mine = new java.util.ArrayList<>();
        synchronized (CfEngineContainer.STARTED) {
            for (int i = classStart; i < CfEngineContainer.STARTED.size(); i++) {
                if (i < classSetupEnd || i >= testStart) {
                    mine.add(CfEngineContainer.STARTED.get(i));
                }
            }
        }
        if (mine.isEmpty()) {
            return t;
        }
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        for (CfEngineContainer c : mine) {
            String log = c.log();
            if (log.length() > MAX_LOG) {
                log = "[… " + (log.length() - MAX_LOG) + " characters left out]\n" + log.substring(log.length() - MAX_LOG);
            }
            sb.append("\n--- log of ").append(c).append(" (").append(c.isRunning() ? "running" : "stopped").append(")\n")
                    .append(log);
        }
        AssertionError e = new AssertionError(t.getClass().getName() + ": " + sb, t);
        e.setStackTrace(t.getStackTrace());
        return e;
    }
}
