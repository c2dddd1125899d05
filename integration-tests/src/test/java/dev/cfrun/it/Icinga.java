package dev.cfrun.it;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Icinga 2 (Debian {@code icinga2} 2.13), self-contained: config, its own CA and API certificate
 * ({@code icinga2 pki}), state, logs and PID file all under {@code <dir>}, every path given to every icinga2
 * command as a define (without them, as root, icinga2 switches to the nagios user and writes to /var), the
 * REST API on 127.0.0.1:&lt;free port&gt; with the certificate for {@code localhost}, two API users: the event
 * handler's (permission {@code actions/reschedule-check} only, its password in a 0600 file) and the test's
 * own (reads state, forces the first checks). The umbrella process runs as a child of the test;
 * {@link #close()} stops it by PID (SIGTERM, which it forwards to its worker) and SIGKILLs what is left of
 * this instance (the worker ignores SIGTERM from anyone but its umbrella). /etc/icinga2, /var/lib/icinga2
 * and the system service are never touched.
 */
final class Icinga implements AutoCloseable {
    static final String NODE = "localhost";
    static final String RECHECK_USER = "cfrun-recheck";
    static final String QUERY_USER = "e2e-query";

    private final Builder b;
    private final Process process;
    private final HttpClient http;
    private final List<ProcessHandle> known = new ArrayList<>();

    private Icinga(Builder b, Process process, HttpClient http) {
        this.b = b;
        this.process = process;
        this.http = http;
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** LogDir/compat/icinga.log: "SERVICE ALERT:" and "SERVICE EVENT HANDLER:" lines, flushed per line. */
    Path compatLog() {
        return b.dir.resolve("log/compat/icinga.log");
    }

    String log() {
        return Nagios.read(b.dir.resolve("log/icinga2.log")) + "\n--- error.log\n" + Nagios.read(b.dir.resolve("log/error.log"))
                + "\n--- console\n" + Nagios.read(b.dir.resolve("log/console.log"));
    }

    /** Numeric attributes of a service (state, state_type, last_check, next_check, check_attempt …) from the API. */
    Map<String, Double> service(String host, String service, String... attrs) {
        StringBuilder q = new StringBuilder();
        for (String a : attrs) {
            q.append(q.length() == 0 ? "?" : "&").append("attrs=").append(a);
        }
        HttpResponse<String> r = call("GET", "/v1/objects/services/" + host + "!" + service + q, null);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET service " + host + "!" + service + ": HTTP " + r.statusCode() + " " + r.body());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (String a : attrs) {
            Matcher m = Pattern.compile("\"" + a + "\":(-?[0-9.eE+]+)").matcher(r.body());
            if (m.find()) {
                out.put(a, Double.parseDouble(m.group(1)));
            }
        }
        return out;
    }

    /** POST /v1/actions/reschedule-check (force) as the test's user; type Host (service null) or Service. */
    void reschedule(String host, String service) {
        String body = service == null ? "{\"type\":\"Host\",\"host\":\"" + host + "\",\"force\":true}"
                : "{\"type\":\"Service\",\"service\":\"" + host + "!" + service + "\",\"force\":true}";
        HttpResponse<String> r = call("POST", "/v1/actions/reschedule-check", body);
        if (r.statusCode() != 200) {
            throw new AssertionError("reschedule-check " + body + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Waits until the service's last check was OK and its state is HARD. */
    void waitOkHard(String host, String service, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Double> last = Map.of();
        while (System.nanoTime() < deadline) {
            alive();
            last = service(host, service, "state", "state_type", "last_check");
            if (last.getOrDefault("last_check", 0.0) > 0 && last.getOrDefault("state", -1.0) == 0
                    && last.getOrDefault("state_type", -1.0) == 1) {
                return;
            }
            Nagios.sleep(50);
        }
        throw new AssertionError(host + "!" + service + " not OK HARD within " + timeout + ": " + last + "\n"
                + Nagios.tail(log(), 30));
    }

    private void alive() {
        if (!process.isAlive()) {
            throw new AssertionError("icinga2 exited with " + process.exitValue() + "\n" + log());
        }
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(b.apiUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (QUERY_USER + ":" + b.queryPassword).getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGTERM to the umbrella (it forwards it to its worker), SIGKILL after 15 s; then SIGKILL to what is left. */
    @Override
    public void close() {
        Processes.stop(process, known, Duration.ofSeconds(15));
        Processes.killAllMentioning(b.dir.resolve("etc/icinga2.conf").toString());
    }

    static final class Builder {
        private final Path dir;
        private final int apiPort = CfServerd.freePort("127.0.0.1");
        private final String queryPassword = password();
        private final String recheckPassword = password();
        private final List<String> files = new ArrayList<>(List.of("icinga2.conf"));
        private final Map<String, String> values = new LinkedHashMap<>();

        private Builder(Path dir) {
            this.dir = dir.toAbsolutePath();
        }

        /** One more file of the class path directory icinga-e2e, e.g. {@code e2e.conf}, rendered like icinga2.conf. */
        Builder file(String relative) {
            files.add(relative);
            return this;
        }

        /** A value for {@code @NAME@} in the templates (the fixture sets API_PORT, the API users and passwords). */
        Builder value(String name, Object v) {
            values.put(name, String.valueOf(v));
            return this;
        }

        /** The API's URL: the certificate names {@code localhost} (icinga2 pki sets no IP address). */
        String apiUrl() {
            return "https://" + NODE + ":" + apiPort;
        }

        /** The event handler's API password, alone in a 0600 file (written by {@link #start()}). */
        Path recheckPasswordFile() {
            return dir.resolve("api/" + RECHECK_USER + ".password");
        }

        /** The instance's own CA certificate (written by {@link #start()}). */
        Path ca() {
            return dir.resolve("lib/certs/ca.crt");
        }

        Icinga start() {
            Peers.requireIcinga();
            try {
                for (String d : new String[] {"etc", "lib/certs", "log/compat/archives", "cache", "spool", "run", "api"}) {
                    Files.createDirectories(dir.resolve(d));
                }
                Files.setPosixFilePermissions(dir.resolve("api"), PosixFilePermissions.fromString("rwx------"));
                Files.writeString(recheckPasswordFile(), recheckPassword + "\n");
                Files.setPosixFilePermissions(recheckPasswordFile(), PosixFilePermissions.fromString("rw-------"));
                Map<String, String> all = new LinkedHashMap<>(values);
                all.put("API_PORT", String.valueOf(apiPort));
                all.put("RECHECK_USER", RECHECK_USER);
                all.put("RECHECK_PASSWORD", recheckPassword);
                all.put("QUERY_USER", QUERY_USER);
                all.put("QUERY_PASSWORD", queryPassword);
                for (String f : files) {
                    Path out = dir.resolve("etc").resolve(f);
                    Files.writeString(out, Nagios.Builder.render(resource(f), all, f));
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------")); // passwords
                }
                List<String> d = defines();
                pki(d);
                Path conf = dir.resolve("etc/icinga2.conf");
                List<String> check = new ArrayList<>(List.of(Peers.ICINGA2.toString(), "daemon", "-C", "-c", conf.toString()));
                check.addAll(d);
                Proc.Result v = Proc.run(check, Map.of(), Duration.ofSeconds(60), dir);
                Files.writeString(dir.resolve("log/validate.log"), v.out() + v.err());
                if (v.exit() != 0) {
                    throw new AssertionError("icinga2 daemon -C failed:\n" + v);
                }

                List<String> cmd = new ArrayList<>(List.of(Peers.ICINGA2.toString(), "daemon", "-c", conf.toString()));
                cmd.addAll(d);
                cmd.addAll(List.of("--close-stdio", "-e", dir.resolve("log/error.log").toString()));
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/console.log").toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                Icinga i = new Icinga(this, pb.start(), client(ca()));
                try {
                    i.awaitReady(all.getOrDefault("HOST", SelfHealingLab.HOST));
                } catch (RuntimeException | Error e) {
                    i.close();
                    throw e;
                }
                i.known.addAll(i.process.descendants().toList());
                return i;
            } catch (IOException | GeneralSecurityException e) {
                throw new AssertionError("starting icinga2 in " + dir + ": " + e, e);
            }
        }

        /** Every path of the daemon under dir, and no user switch: given to every icinga2 command. */
        private List<String> defines() {
            String user = System.getProperty("user.name");
            String group = Proc.run(List.of("id", "-gn"), Map.of(), Duration.ofSeconds(10)).out().strip();
            return List.of("-DConfigDir=" + dir.resolve("etc"), "-DDataDir=" + dir.resolve("lib"),
                    "-DLogDir=" + dir.resolve("log"), "-DCacheDir=" + dir.resolve("cache"),
                    "-DSpoolDir=" + dir.resolve("spool"), "-DInitRunDir=" + dir.resolve("run"),
                    "-DRunAsUser=" + user, "-DRunAsGroup=" + group);
        }

        /** Own CA, a key and certificate for NodeName signed by it; the ApiListener reads DataDir/certs. */
        private void pki(List<String> d) throws IOException {
            Path certs = dir.resolve("lib/certs");
            List<List<String>> steps = List.of(List.of("pki", "new-ca"),
                    List.of("pki", "new-cert", "--cn", NODE, "--key", certs.resolve(NODE + ".key").toString(),
                            "--csr", certs.resolve(NODE + ".csr").toString()),
                    List.of("pki", "sign-csr", "--csr", certs.resolve(NODE + ".csr").toString(),
                            "--cert", certs.resolve(NODE + ".crt").toString()));
            for (List<String> step : steps) {
                List<String> cmd = new ArrayList<>(List.of(Peers.ICINGA2.toString()));
                cmd.addAll(step.subList(0, 2));
                cmd.addAll(d);
                cmd.addAll(step.subList(2, step.size()));
                Proc.Result r = Proc.run(cmd, Map.of(), Duration.ofSeconds(120));
                if (r.exit() != 0) {
                    throw new AssertionError("icinga2 " + String.join(" ", step) + " failed:\n" + r);
                }
            }
            Files.copy(dir.resolve("lib/ca/ca.crt"), ca(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        private static HttpClient client(Path ca) throws IOException, GeneralSecurityException {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                ks.setCertificateEntry("icinga-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        }

        private String resource(String f) throws IOException {
            try (InputStream in = Icinga.class.getResourceAsStream("/icinga-e2e/" + f)) {
                if (in == null) {
                    throw new AssertionError("no test resource /icinga-e2e/" + f);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        private static String password() {
            byte[] b = new byte[12];
            new SecureRandom().nextBytes(b);
            return HexFormat.of().formatHex(b);
        }
    }

    /**
     * Waits until the API answers, forces the first host and service checks (instead of waiting up to one
     * interval) and waits until every service has a check result.
     */
    private void awaitReady(String host) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (true) {
            alive();
            try {
                HttpResponse<String> r = call("GET", "/v1/objects/services?attrs=last_check", null);
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (UncheckedIOException e) {
                last = e.getCause().toString();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("icinga2's API did not answer within 60 s: " + last + "\n" + log());
            }
            Nagios.sleep(50);
        }
        reschedule(host, null);
        HttpResponse<String> all = call("POST", "/v1/actions/reschedule-check", "{\"type\":\"Service\",\"force\":true}");
        if (all.statusCode() != 200) {
            throw new AssertionError("reschedule-check of every service: HTTP " + all.statusCode() + " " + all.body());
        }
        while (call("GET", "/v1/objects/services?attrs=last_check_result", null).body().contains("\"last_check_result\":null")) {
            alive();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("icinga2 has not checked every service within 60 s\n" + log());
            }
            Nagios.sleep(50);
        }
    }
}
