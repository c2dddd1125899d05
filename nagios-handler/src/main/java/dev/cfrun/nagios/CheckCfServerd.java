package dev.cfrun.nagios;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.ProbeResult;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.keys.KeyDigest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code check_cfserverd}: a Nagios plugin that connects to cf-serverd and authenticates (no agent run):
 * OK when the server answers with the expected key and accepts ours; WARNING for an unknown key or a slow
 * handshake; CRITICAL when it is unreachable, presents a changed key, refuses us, or is very slow;
 * UNKNOWN for local problems (our key unreadable, bad arguments). One line, with perfdata.
 */
public final class CheckCfServerd {
    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;
    static final int UNKNOWN = 3;
    private static final String[] NAMES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    static final String USAGE = """
            Usage: check_cfserverd -H HOST[:PORT] [-p PORT] [--expect-key DIGEST]
                                   [-w SEC] [-c SEC] [-t SEC] [--workdir DIR]
                                   [--user NAME] [--protocol tls|classic]
            Connects to cf-serverd and authenticates without running anything.
              -H, --host HOST[:PORT]  the server (default port 5308)
              -p, --port PORT         the port, if not in -H
              --expect-key DIGEST     the key the server must present (MD5=… or SHA=…);
                                      without it the key must be trusted in
                                      <workdir>/ppkeys
              -w, --warning SEC       handshake time for WARNING (default 1)
              -c, --critical SEC      handshake time for CRITICAL (default 5)
              -t, --timeout SEC       overall limit (default 10)
              --workdir DIR           our key pair and trusted keys (default: as bin/cfrun)
              --user NAME             user name claimed to the server
              --protocol tls|classic  (default tls)
            Exit: 0 OK, 1 WARNING (unknown key, slow),
                  2 CRITICAL (down, changed key, refused, very slow),
                  3 UNKNOWN (local error).
            """;


    private CheckCfServerd() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        Logging.bindQuickly();
        System.exit(run(args, System.out));
    }

    /** Runs the check in process (the build's start-up training calls it); returns the Nagios exit status. */
    public static int run(String[] args, PrintStream out) {
        String host = null;
        Integer port = null;
        String expect = null;
        double warn = 1;
        double crit = 5;
        double timeout = 10;
        Path workdir = null;
        String user = null;
        Protocol protocol = Protocol.TLS;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    out.print(USAGE);
                    return UNKNOWN;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "-H", "--host" -> host = v;
                    case "-p", "--port" -> port = (int) number(a, v, 1, 65535);
                    case "--expect-key" -> {
                        expect = KeyDigest.normalize(v);
                        if (expect == null) {
                            throw new IllegalArgumentException("--expect-key: not a key digest: '" + v + "'");
                        }
                    }
                    case "-w", "--warning" -> warn = number(a, v, 0, 1e6);
                    case "-c", "--critical" -> crit = number(a, v, 0, 1e6);
                    case "-t", "--timeout" -> timeout = number(a, v, 0, 1e6);
                    case "--workdir" -> workdir = Path.of(v);
                    case "--user" -> user = v;
                    case "--protocol" -> {
                        protocol = HandlerOptions.tlsOrClassic(v);
                        if (protocol == null) {
                            throw new IllegalArgumentException("--protocol must be tls or classic");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (host == null) {
                throw new IllegalArgumentException("-H HOST is required");
            }
            if (!(warn > 0 && crit > 0 && timeout > 0) || warn > crit) {
                throw new IllegalArgumentException("need 0 < -w <= -c and -t > 0");
            }
        } catch (IllegalArgumentException e) {
            return report(out, UNKNOWN, "invalid arguments: " + e.getMessage() + " (see --help)", null);
        }

        CfRunClient.warmUp(protocol); // beside the key loading
        HostAddress target;
        try {
            HostAddress h = HostAddress.parse(host);
            target = port != null ? HostAddress.of(h.host(), port) : h;
        } catch (IllegalArgumentException e) {
            return report(out, UNKNOWN, "invalid host: " + e.getMessage(), null);
        }
        Duration limit = Timeouts.seconds(timeout, "--timeout");
        CfRunClient.Builder b = CfRunClient.builder().workdir(workdir != null ? workdir : CfRunClient.defaultWorkdir())
                .protocol(protocol)
                .timeouts(Timeouts.builder().connect(limit).handshake(limit).overall(limit).build());
        if (expect != null) {
            b.trustPolicy(TrustPolicy.pinned(List.of(expect)));
        }
        try {
            if (user != null) {
                b.user(user);
            }
        } catch (IllegalArgumentException e) {
            return report(out, UNKNOWN, e.getMessage(), null);
        }
        try (CfRunClient client = b.build()) {
            ProbeResult p = client.probe(target);
            ServerKey k = p.serverKey();
            double hs = p.handshake().toNanos() / 1e9;
            String perf = String.format(Locale.ROOT, "connect=%.6fs;;;0 handshake=%.6fs;%s;%s;0",
                    p.connect().toNanos() / 1e9, hs, num(warn), num(crit));
            String where = target + " (" + k.address() + ")";
            if (expect != null && !expect.equals(k.digest()) && !expect.equals(k.shaDigest())) {
                return report(out, CRITICAL, where + " presents key " + k.digest() + ", expected " + expect, perf);
            }
            if (expect == null && k.status() == ServerKey.Status.CHANGED) {
                return report(out, CRITICAL, where + " presents key " + k.digest() + ", but "
                        + k.expectedDigest().orElse("another key") + " is trusted for it", perf);
            }
            if (expect == null && k.status() == ServerKey.Status.UNKNOWN) {
                return report(out, WARNING, where + " presents an unknown key " + k.digest()
                        + " (not trusted in " + client.trustDirectory() + ")", perf);
            }
            String what = where + " " + p.tlsVersion().map(v -> v + " ").orElse("") + "protocol "
                    + p.protocolVersion() + ", key " + k.digest() + (p.authenticated() ? ", we are accepted" : "");
            int status = hs >= crit ? CRITICAL : hs >= warn ? WARNING : OK;
            String slow = status == OK ? "" : String.format(Locale.ROOT, " (handshake %.3f s)", hs);
            return report(out, status, what + slow, perf);
        } catch (KeyFileException e) {
            return report(out, UNKNOWN, "our key: " + e.getMessage(), null);
        } catch (AuthenticationFailedException e) {
            return report(out, CRITICAL, target + " does not accept us: " + e.getMessage(), null);
        } catch (CfRunException e) {
            String m = e.kind() == ErrorKind.CONNECT ? "unreachable: " + e.getMessage() : e.getMessage();
            return report(out, CRITICAL, m, null);
        }
    }

    private static double number(String option, String v, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, not '" + v + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException(option + " out of range: " + v);
        }
        return d;
    }

    /** A threshold for perfdata: as given, without float noise or needless zeros. */
    private static String num(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static int report(PrintStream out, int status, String text, String perf) {
        StringBuilder sb = new StringBuilder("CFSERVERD ").append(NAMES[status]).append(" - ");
        for (char c : text.toCharArray()) {
            sb.append(Character.isISOControl(c) || c == '|' ? ' ' : c); // '|' starts perfdata
        }
        if (perf != null) {
            sb.append(" | ").append(perf);
        }
        out.println(sb);
        out.flush();
        return status;
    }
}
