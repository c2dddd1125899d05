package dev.cfrun.recheck;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Icinga 2: {@code POST <url>/v1/actions/reschedule-check} with {@code force: true} for one host or service,
 * as an API user that needs only the permission {@code actions/reschedule-check}. TLS is always verified
 * against the given CA file alone (Icinga's own CA by default), host name included: Icinga's certificates
 * name the node ({@code DNS:<cn>}) and no IP address, so the URL must use that name
 * ({@code https://localhost:5665}). Exactly one request per {@link #request}, with a connect and a request
 * timeout, never a retry. Immutable once built (the HTTP client is made at the first request); safe for
 * concurrent use. Made with {@link #builder(String)}.
 */
public final class IcingaApi implements Recheck {
    private static final Logger LOG = LoggerFactory.getLogger(IcingaApi.class);
    private static final int MAX_BODY_SHOWN = 200;

    private final URI endpoint;
    private final String user;
    private final String authorization;
    private final IcingaFiles.Ca ca;
    private final Duration timeout;
    private final Object lock = new Object();
    private IcingaTls tls;
    private HttpClient client;

    private IcingaApi(Builder b) {
        this.endpoint = IcingaFiles.endpoint(b.url);
        this.user = IcingaFiles.user(b.user);
        String password = IcingaFiles.password(b.passwordFile);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.ca = IcingaFiles.ca(b.caFile);
        this.timeout = b.timeout;
    }

    /**
     * A builder for the API at {@code url} ({@code https://<node name>:5665}; a path prefix is kept).
     * Configuration problems (not https, unreadable files, a password file readable by others) are reported
     * by {@link Builder#build()} as IllegalArgumentException.
     */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The URL requests go to ({@code …/v1/actions/reschedule-check}). */
    public URI endpoint() {
        return endpoint;
    }

    /** The JSON body for {@code target}: {@code {"type":"Service","service":"host!service","force":true}}. */
    static String body(Target target) {
        if (target.isHostCheck()) {
            return "{\"type\":\"Host\",\"host\":" + Json.string(target.host()) + ",\"force\":true}";
        }
        return "{\"type\":\"Service\",\"service\":" + Json.string(target.host() + "!" + target.service())
                + ",\"force\":true}";
    }

    /** Refuses a '!' in a host name: Icinga joins host and service with it (its object names cannot hold one). */
    @Override
    public void validate(Target target) {
        if (!target.isHostCheck() && target.host().indexOf('!') >= 0) {
            throw new IllegalArgumentException("the host name '" + target.host() + "' contains '!', which Icinga 2"
                    + " uses between host and service names");
        }
    }

    @Override
    public Outcome request(Target target) {
        try {
            validate(target);
        } catch (IllegalArgumentException e) {
            return Outcome.unavailable(e.getMessage());
        }
        HttpClient c;
        try {
            c = client();
        } catch (IOException | GeneralSecurityException e) {
            return Outcome.unavailable("cannot use the CA file " + ca.file() + ": " + e.getMessage());
        }
        HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Accept", "application/json").header("Content-Type", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body(target), StandardCharsets.UTF_8)).build();
        CompletableFuture<HttpResponse<String>> f = c.sendAsync(req,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Outcome o;
        try {
            // connect + request timeouts bound the exchange up to the answer's head; this also bounds its body
            HttpResponse<String> resp = f.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
            o = answer(target, resp.statusCode(), resp.body());
        } catch (TimeoutException e) {
            f.cancel(true);
            o = Outcome.unavailable("no complete answer from " + endpoint + " within " + seconds(timeout.multipliedBy(2)));
        } catch (ExecutionException e) {
            o = failure(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            o = Outcome.unavailable("interrupted while asking " + endpoint);
        }
        LOG.debug("Icinga API {}: {} for {}", endpoint, o, target);
        return o;
    }

    private HttpClient client() throws IOException, GeneralSecurityException {
        synchronized (lock) {
            if (client == null) {
                tls = new IcingaTls(ca.file());
                client = HttpClient.newBuilder().sslContext(tls.context).connectTimeout(timeout)
                        .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
            }
            return client;
        }
    }

    private Outcome answer(Target target, int status, String body) {
        String object = target.isHostCheck() ? "host '" + target.host() + "'"
                : "service '" + target.host() + "!" + target.service() + "'";
        return switch (status) {
            case 200 -> Outcome.scheduled();
            case 401 -> Outcome.unavailable("wrong Icinga API user or password (HTTP 401 from " + endpoint + ")");
            case 404 -> Outcome.unavailable("API user '" + user + "' lacks permission actions/reschedule-check, or no"
                    + " such object (HTTP 404 for " + object + ")");
            default -> status == 500 && body.replaceAll("\\s", "").contains("\"results\":[]")
                    ? Outcome.unavailable("no such " + (target.isHostCheck() ? "host" : "host/service") + " in Icinga: "
                    + object + " (HTTP 500, no results)")
                    : Outcome.unavailable("HTTP " + status + " from " + endpoint + ": " + shown(body));
        };
    }

    private Outcome failure(Throwable e) {
        String url = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        if (e instanceof HttpConnectTimeoutException) {
            return Outcome.unavailable("no connection to " + url + " within " + seconds(timeout));
        }
        if (e instanceof HttpTimeoutException) {
            return Outcome.unavailable("no answer from " + url + " within " + seconds(timeout));
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return Outcome.unavailable(tlsReason(url, t));
            }
            if (t instanceof ConnectException) {
                return Outcome.unavailable("cannot connect to " + url + ": " + message(t)
                        + " (is the Icinga 2 API feature enabled and listening there?)");
            }
        }
        return Outcome.unavailable("request to " + url + " failed: " + message(e));
    }

    private String tlsReason(String url, Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String m = all.toString();
        String host = endpoint.getHost();
        if (m.contains("No subject alternative") || m.contains("No name matching")) {
            List<String> names = tls.refusedNames();
            if (!names.isEmpty()) {
                String use = endpoint.getScheme() + "://" + names.get(0) + (endpoint.getPort() < 0 ? ""
                        : ":" + endpoint.getPort());
                return "the API certificate is for '" + String.join("', '", names) + "', not '" + host + "': use "
                        + use;
            }
            return "the API certificate does not name '" + host + "': use the node name it was made for";
        }
        if (m.contains("PKIX path") || m.contains("certification path")) {
            return "the API certificate of " + url + " is not signed by the CA in " + ca.file()
                    + " (TLS: " + message(e) + ")";
        }
        return "TLS handshake with " + url + " failed: " + message(e);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private static String shown(String body) {
        String s = Outcome.oneLine(body.length() > MAX_BODY_SHOWN ? body.substring(0, MAX_BODY_SHOWN) : body).strip();
        return s.isEmpty() ? "(empty body)" : s;
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    /** Settings of an {@link IcingaApi}; {@link #build()} checks them. */
    public static final class Builder {
        private final String url;
        private String user;
        private java.nio.file.Path passwordFile;
        private java.nio.file.Path caFile = IcingaFiles.DEFAULT_CA;
        private Duration timeout = Duration.ofSeconds(5);

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** The ApiUser's name. */
        public Builder user(String name) {
            this.user = Objects.requireNonNull(name, "user");
            return this;
        }

        /** The file whose first line is the ApiUser's password; must not be readable by group or others. */
        public Builder passwordFile(java.nio.file.Path file) {
            this.passwordFile = Objects.requireNonNull(file, "passwordFile");
            return this;
        }

        /** The CA certificate(s) the API's certificate must chain to (default /var/lib/icinga2/certs/ca.crt). */
        public Builder caFile(java.nio.file.Path file) {
            this.caFile = Objects.requireNonNull(file, "caFile");
            return this;
        }

        /** The connect timeout and the request timeout (each; default 5 s). */
        public Builder timeout(Duration t) {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("the Icinga API timeout must be positive: " + t);
            }
            this.timeout = t;
            return this;
        }

        /**
         * Checks the settings and reads the password.
         *
         * @throws IllegalArgumentException with a message for the user on any configuration problem
         */
        public IcingaApi build() {
            if (user == null) {
                throw new IllegalArgumentException("the Icinga API needs a user name");
            }
            if (passwordFile == null) {
                throw new IllegalArgumentException("the Icinga API needs a password file");
            }
            return new IcingaApi(this);
        }
    }
}
