package dev.cfrun.service.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cfrun.service.dispatch.Dispatcher;
import dev.cfrun.service.events.ServiceEvents;
import dev.cfrun.service.ingest.AlertRules;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.observe.Metrics;
import dev.cfrun.service.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The service's HTTP ingress on the JDK's {@link HttpServer}: {@code /healthz} and {@code /metrics} (Prometheus
 * text format 0.0.4) without authentication, and the {@code /v1} endpoints ({@link V1Routes}) behind a bearer
 * token; HTTPS instead with a {@link ServerTls}. Every failure is answered with a status and one line of
 * {@code text/plain}; internal errors are logged, never shown as stack traces. Configured by {@link #builder}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Request-handling threads. */
    public static final int THREADS = 8;
    private static final int BACKLOG = 64;

    private final HttpServer server;
    private final ExecutorService pool;
    private final BearerToken token;
    private final V1Routes routes;
    private final Metrics metrics;

    private ApiServer(HttpServer server, BearerToken token, V1Routes routes, Metrics metrics) {
        this.server = server;
        this.token = token;
        this.routes = routes;
        this.metrics = metrics;
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "cfrun-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    /**
     * A builder for a server on {@code address}: plain HTTP, {@link DefaultRules}, {@link Limits#DEFAULTS}, the
     * system UTC clock, no listener and no {@code /metrics} unless set.
     *
     * @param address    where to listen (port 0: any free port)
     * @param token      the bearer token of {@code /v1}
     * @param store      where triggers are accepted and runs read
     * @param dispatcher woken after accepting; paused and resumed
     * @return a builder
     */
    public static Builder builder(InetSocketAddress address, BearerToken token, Store store, Dispatcher dispatcher) {
        return new Builder(Objects.requireNonNull(address, "address"), Objects.requireNonNull(token, "token"),
                Objects.requireNonNull(store, "store"), Objects.requireNonNull(dispatcher, "dispatcher"));
    }

    /** Configures an {@link ApiServer}; not thread-safe, the server it starts is. */
    public static final class Builder {
        private final InetSocketAddress address;
        private final BearerToken token;
        private final Store store;
        private final Dispatcher dispatcher;
        private ServerTls tls;
        private AlertRules rules = new DefaultRules();
        private Limits limits = Limits.DEFAULTS;
        private Clock clock = Clock.systemUTC();
        private ServiceEvents events = ServiceEvents.NONE;
        private Metrics metrics;

        private Builder(InetSocketAddress address, BearerToken token, Store store, Dispatcher dispatcher) {
            this.address = address;
            this.token = token;
            this.store = store;
            this.dispatcher = dispatcher;
        }

        /**
         * @param t HTTPS with this certificate; {@code null}: plain HTTP
         * @return this builder
         */
        public Builder tls(ServerTls t) {
            this.tls = t;
            return this;
        }

        /**
         * @param r alerts to triggers
         * @return this builder
         */
        public Builder rules(AlertRules r) {
            this.rules = Objects.requireNonNull(r, "rules");
            return this;
        }

        /**
         * @param l payload limits (its {@code maxBytes} bounds every request body)
         * @return this builder
         */
        public Builder limits(Limits l) {
            this.limits = Objects.requireNonNull(l, "limits");
            return this;
        }

        /**
         * @param c the receive time of triggers
         * @return this builder
         */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * @param e told of each trigger accepted or repeated, each alert skipped or resolved
         * @return this builder
         */
        public Builder events(ServiceEvents e) {
            this.events = Objects.requireNonNull(e, "events");
            return this;
        }

        /**
         * @param m what {@code GET /metrics} shows; {@code null}: {@code /metrics} answers 404
         * @return this builder
         */
        public Builder metrics(Metrics m) {
            this.metrics = m;
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @return the running server
         * @throws IOException if the address cannot be bound
         */
        public ApiServer start() throws IOException {
            V1Routes routes = new V1Routes(store, dispatcher, rules, limits, clock, events);
            HttpServer bound = tls == null ? HttpServer.create(address, BACKLOG) : tls.bind(address, BACKLOG);
            ApiServer s = new ApiServer(bound, token, routes, metrics);
            s.server.start();
            LOG.info("listening on {} ({})", s.address(), tls == null ? "HTTP" : "HTTPS, " + tls.describe());
            return s;
        }
    }

    /** @return the bound address (with the actual port) */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                String path = ex.getRequestURI().getRawPath();
                if (path.equals("/healthz")) {
                    requireMethod(ex, "GET");
                    send(ex, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (path.equals("/metrics") && metrics != null) {
                    requireMethod(ex, "GET");
                    ByteArrayOutputStream page = new ByteArrayOutputStream(16384);
                    metrics.write(page);
                    send(ex, 200, metrics.contentType(), page.toByteArray());
                    return;
                }
                if (!path.equals("/v1") && !path.startsWith("/v1/")) {
                    throw new HttpError(404, "no such path: " + path);
                }
                if (!token.matches(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    throw new HttpError(401, "missing or wrong bearer token");
                }
                V1Routes.Reply r = routes.handle(ex, path);
                send(ex, r.status(), "application/json", r.json());
            } catch (HttpError e) {
                sendText(ex, e.status(), e.getMessage());
            } catch (RuntimeException | IOException e) {
                LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
                sendText(ex, 500, "internal error: " + e.getClass().getSimpleName());
            }
        } catch (IOException e) {
            LOG.debug("answer not sent: {}", e.toString());
        }
    }

    /**
     * @param ex     the exchange
     * @param method the only method allowed
     * @throws HttpError 405 otherwise
     */
    static void requireMethod(HttpExchange ex, String method) throws HttpError {
        if (!ex.getRequestMethod().equals(method)) {
            ex.getResponseHeaders().set("Allow", method);
            throw new HttpError(405, "method " + ex.getRequestMethod() + " not allowed, use " + method);
        }
    }

    private static void sendText(HttpExchange ex, int status, String line) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", (HttpError.oneLine(line) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops accepting, gives requests going on up to a second, then stops the handler threads. */
    @Override
    public void close() {
        server.stop(1);
        pool.shutdown();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
