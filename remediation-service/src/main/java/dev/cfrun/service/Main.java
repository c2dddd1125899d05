package dev.cfrun.service;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.recheck.Recheck;
import dev.cfrun.service.dispatch.CfRunExecutor;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.http.ApiServer;
import dev.cfrun.service.http.BearerToken;
import dev.cfrun.service.http.ServerTls;
import dev.cfrun.service.ingest.AlertRules;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.observe.AuditLog;
import dev.cfrun.service.observe.Metrics;
import dev.cfrun.service.recheck.RecheckAfterRun;
import dev.cfrun.service.recheck.Rechecks;
import dev.cfrun.service.rules.ReloadingRules;
import dev.cfrun.service.rules.RulesException;
import dev.cfrun.service.rules.RulesFile;
import dev.cfrun.service.store.SqliteStore;
import dev.cfrun.service.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cfrun-service}: the resident remediation service. Accepts Alertmanager webhooks and API requests over
 * HTTP, keeps them in a SQLite store, and runs the agent on the hosts through the dispatcher; what happens goes to
 * the metrics ({@code GET /metrics}) and the audit log. Stops cleanly on SIGTERM (HTTP server, then dispatcher,
 * then the audit log's last lines, then store). On SIGHUP ({@link Hangup}) it reads the rules file again and
 * reopens the audit log.
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
        if (o.checkRules() != null) {
            return RulesFile.check(o.checkRules(), out, err);
        }
        BearerToken token;
        try {
            token = BearerToken.read(o.tokenFile());
        } catch (Exception e) {
            err.println("cfrun-service: " + oneLine(e));
            return USAGE;
        }
        Map<Source, Recheck> rechecks;
        try {
            rechecks = Rechecks.configure(o.nagiosCommandFile(), o.icingaApi(), o.icingaUser(),
                    o.icingaPasswordFile(), o.icingaCa());
        } catch (IllegalArgumentException e) {
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
        ReloadingRules rules = null;
        if (o.rules() != null) {
            try {
                rules = ReloadingRules.load(o.rules());
            } catch (RulesException e) {
                e.errors().forEach(line -> err.println("cfrun-service: " + line));
                return USAGE;
            }
        }
        if (!block) {
            return 0;
        }
        return serve(o, token, rechecks, tls, rules, err);
    }

    private static int serve(ServiceOptions o, BearerToken token, Map<Source, Recheck> rechecks, ServerTls tls,
                             ReloadingRules rules, PrintStream err) {
        Clock clock = Clock.systemUTC();
        Store store;
        try {
            store = SqliteStore.open(o.state());
        } catch (RuntimeException e) {
            err.println("cfrun-service: state " + o.state() + ": " + oneLine(e));
            return FAILED;
        }
        RecheckAfterRun recheck = new RecheckAfterRun(rechecks);
        DispatchPolicy policy = o.policy();
        Dispatcher dispatcher = null;
        ApiServer server = null;
        CfRunClient client = null;
        AuditLog audit = null;
        try {
            // --- observability: metrics and the audit log listen to every event ---
            Metrics metrics = Metrics.create();
            List<ServiceEvents> listeners = new ArrayList<>(List.of(metrics));
            if (o.auditLog().isPresent()) {
                audit = openAuditLog(o.auditLog().get(), clock);
                metrics.watchAuditLog(audit);
                listeners.add(audit);
            }
            listeners.add(recheck); // --- monitoring: the re-check after runs for Nagios / Icinga 2 triggers ---
            ServiceEvents events = ServiceEvents.of(listeners);
            client = CfRunClient.builder().workdir(o.workdir()).build();
            dispatcher = Dispatcher.builder(store, new CfRunExecutor(client, clock, events)).clock(clock)
                    .policy(policy).events(events).build();
            metrics.watch(store::queueDepth, dispatcher::stats);
            dispatcher.start();
            // --- rules: the file's, reloaded on SIGHUP, or the defaults ---
            AlertRules alertRules = rules == null ? new DefaultRules() : rules;
            server = ApiServer.builder(o.listen(), token, store, dispatcher).tls(tls).rules(alertRules)
                    .limits(o.limits()).clock(clock).events(events).metrics(metrics).start();
            hangup(rules, audit, tls);
        } catch (java.net.BindException e) {
            err.println("cfrun-service: cannot listen on " + o.listen().getHostString() + ":" + o.listen().getPort()
                    + ": " + oneLine(e).toLowerCase(java.util.Locale.ROOT)
                    + " (another process has the port, or the address is not this machine's)");
            closeAll(null, dispatcher, recheck, audit, store, client);
            return FAILED;
        } catch (Exception e) {
            err.println("cfrun-service: " + oneLine(e));
            closeAll(null, dispatcher, recheck, audit, store, client);
            return FAILED;
        }
        LOG.info("cfrun-service started on {} (state {}, parallelism {}, runs per minute {}, cooldown {}, hosts per "
                        + "group {} within {}, max body {} bytes{}, {})", server.address(), o.state(),
                policy.parallelism(), policy.runsPerMinute(), Durations.format(policy.cooldown()),
                policy.maxHostsPerGroup(), Durations.format(policy.groupWindow()), o.limits().maxBytes(),
                policy.dryRun() ? ", dry-run" : "",
                rules == null ? "default rules" : rules.current().size() + " rules from " + o.rules());
        CountDownLatch stopped = new CountDownLatch(1);
        ApiServer s = server;
        Dispatcher d = dispatcher;
        CfRunClient c = client;
        AuditLog a = audit;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            closeAll(s, d, recheck, a, store, c);
            stopped.countDown();
        }, "cfrun-service-stop"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static AuditLog openAuditLog(Path file, Clock clock) throws IOException {
        try {
            return AuditLog.open(file, clock);
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "no such directory"
                    : e instanceof AccessDeniedException ? "permission denied" : oneLine(e);
            throw new IOException("--audit-log " + file + ": " + why, e);
        }
    }

    /**
     * SIGHUP: reload the rules, reopen the audit log (logrotate), read the TLS certificate and key again (renewal).
     * Without the signal the service still runs.
     */
    private static void hangup(ReloadingRules rules, AuditLog audit, ServerTls tls) {
        Hangup hangup;
        try {
            hangup = Hangup.install();
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP cannot be handled ({}): no rules reload or audit log reopen on SIGHUP", e.getMessage());
            return;
        }
        if (rules != null) {
            hangup.onSignal(rules::reload);
        }
        if (audit != null) {
            hangup.onSignal(audit::reopen);
        }
        if (tls != null) {
            hangup.onSignal(tls::tryReload);
        }
    }

    /**
     * Closes in this order (null entries skipped): HTTP server, dispatcher, re-checks (a run that ends while
     * stopping still asks for its re-check), audit log, store, client.
     */
    private static void closeAll(AutoCloseable... all) {
        for (AutoCloseable c : all) {
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
