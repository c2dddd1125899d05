package dev.cfrun.service;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.service.dispatch.CfRunExecutor;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.http.ApiServer;
import dev.cfrun.service.http.BearerToken;
import dev.cfrun.service.http.ServerTls;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.store.SqliteStore;
import dev.cfrun.service.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cfrun-service}: the resident remediation service. Accepts Alertmanager webhooks and API requests over
 * HTTP, keeps them in a SQLite store, and runs the agent on the hosts through the dispatcher. Stops cleanly on
 * SIGTERM (HTTP server, then dispatcher, then store).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Exit status of a bad command line. */
    public static final int USAGE = 2;
    /** Exit status when the service cannot start. */
    public static final int FAILED = 1;
    /** Seconds a client has to send its request, TLS handshake included. */
    static final int MAX_REQUEST_SECONDS = 10;
    private static final String JDK_MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";

    private Main() {
    }

    /**
     * Runs the service until SIGTERM or SIGINT.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        limitRequestTime();
        int rc = run(args, System.out, System.err, true);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    /**
     * A client must have sent its request (TLS handshake, headers) within {@link #MAX_REQUEST_SECONDS} seconds,
     * or the JDK's HTTP server closes its connection: else a few clients that connect and stall (slowloris)
     * would hold every handler thread, and Alertmanager could not deliver. The JDK reads the setting once, when
     * its server is first used; {@code -Dsun.net.httpserver.maxReqTime=N} (JAVA_OPTS) overrides it.
     */
    static void limitRequestTime() {
        if (System.getProperty(JDK_MAX_REQUEST_TIME) == null) {
            System.setProperty(JDK_MAX_REQUEST_TIME, Integer.toString(MAX_REQUEST_SECONDS));
        }
    }

    /**
     * Parses, starts, and (if {@code block}) waits for the JVM's shutdown.
     *
     * @param args  the command line
     * @param out   where {@code --help} goes
     * @param err   where errors go (one line each)
     * @param block wait for shutdown; {@code false} only checks the options (tests)
     * @return the exit status: 0, {@link #USAGE} or {@link #FAILED}
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean block) {
        ServiceOptions o;
        try {
            o = ServiceOptions.parse(args);
        } catch (ServiceOptions.OptionException e) {
            err.println("cfrun-service: " + e.getMessage());
            return USAGE;
        }
        if (o.help()) {
            out.print(ServiceOptions.usage());
            return 0;
        }
        BearerToken token;
        try {
            token = BearerToken.read(o.tokenFile());
        } catch (Exception e) {
            err.println("cfrun-service: " + oneLine(e));
            return USAGE;
        }
        ServerTls tls = null;
        if (o.tlsCert() != null) {
            try {
                tls = ServerTls.load(o.tlsCert(), o.tlsKey());
            } catch (RuntimeException e) {
                err.println("cfrun-service: " + oneLine(e));
                return USAGE;
            }
        }
        if (!block) {
            return 0;
        }
        return serve(o, token, tls, err);
    }

    private static int serve(ServiceOptions o, BearerToken token, ServerTls tls, PrintStream err) {
        Clock clock = Clock.systemUTC();
        Store store;
        try {
            store = SqliteStore.open(o.state());
        } catch (RuntimeException e) {
            err.println("cfrun-service: state " + o.state() + ": " + oneLine(e));
            return FAILED;
        }
        Dispatcher dispatcher = null;
        ApiServer server = null;
        CfRunClient client = null;
        try {
            client = CfRunClient.builder().workdir(o.workdir()).build();
            DispatchPolicy policy = DispatchPolicy.defaults().withParallelism(o.parallelism()).withDryRun(o.dryRun());
            ServiceEvents events = ServiceEvents.NONE;
            dispatcher = Dispatcher.builder(store, new CfRunExecutor(client, clock, events)).clock(clock)
                    .policy(policy).events(events).build();
            dispatcher.start();
            server = ApiServer.start(o.listen(), tls, token, store, dispatcher, new DefaultRules(), Limits.DEFAULTS,
                    clock, events);
        } catch (Exception e) {
            err.println("cfrun-service: " + oneLine(e));
            closeAll(null, dispatcher, store, client);
            return FAILED;
        }
        LOG.info("cfrun-service started on {} (state {}, parallelism {}{})", server.address(), o.state(),
                o.parallelism(), o.dryRun() ? ", dry-run" : "");
        CountDownLatch stopped = new CountDownLatch(1);
        ApiServer s = server;
        Dispatcher d = dispatcher;
        CfRunClient c = client;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            closeAll(s, d, store, c);
            stopped.countDown();
        }, "cfrun-service-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void closeAll(ApiServer server, Dispatcher dispatcher, Store store, CfRunClient client) {
        for (AutoCloseable c : new AutoCloseable[] {server, dispatcher, store, client}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("[\\r\\n]+", " ");
    }
}
