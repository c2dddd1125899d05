package dev.cfrun.service;

import dev.cfrun.client.CfRunClient;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The command line of {@link Main}, hand-parsed (a few options, no parser dependency).
 *
 * @param listen      where the HTTP server listens
 * @param workdir     the CFEngine work dir of the client (identity, trust store)
 * @param state       the state directory (SQLite store)
 * @param tokenFile   the bearer token file
 * @param parallelism runs at the same time
 * @param dryRun      record what would run, run nothing
 * @param help        {@code --help} was given
 */
public record ServiceOptions(InetSocketAddress listen, Path workdir, Path state, Path tokenFile, int parallelism,
                             boolean dryRun, boolean help) {

    /** Bad command line: a one-line reason. */
    public static final class OptionException extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param message one line */
        public OptionException(String message) {
            super(message);
        }
    }

    /**
     * @param args the command line
     * @return the options
     * @throws OptionException on an unknown option, a missing or bad value, no {@code --token-file} or
     *                         {@code --state}
     */
    public static ServiceOptions parse(String[] args) throws OptionException {
        String listen = "127.0.0.1:9308";
        Path workdir = null;
        Path state = null;
        Path token = null;
        int parallelism = 8;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--help", "-h" -> {
                    return new ServiceOptions(null, null, null, null, parallelism, dryRun, true);
                }
                case "--dry-run" -> dryRun = true;
                case "--listen", "--workdir", "--state", "--token-file", "--parallelism" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new OptionException(a + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (a) {
                        case "--listen" -> listen = value;
                        case "--workdir" -> workdir = Path.of(value);
                        case "--state" -> state = Path.of(value);
                        case "--token-file" -> token = Path.of(value);
                        default -> parallelism = parallelism(value);
                    }
                }
                default -> throw new OptionException("unknown option: " + a + " (see --help)");
            }
        }
        if (token == null) {
            throw new OptionException("--token-file is required");
        }
        if (state == null) {
            throw new OptionException("--state is required (the directory of the service's database)");
        }
        return new ServiceOptions(address(listen), workdir == null ? CfRunClient.defaultWorkdir() : workdir, state,
                token, parallelism, dryRun, false);
    }

    private static int parallelism(String v) throws OptionException {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new OptionException("--parallelism: a number from 1 to 1024, not " + v);
    }

    /**
     * @param spec {@code HOST:PORT}, IPv6 as {@code [::1]:PORT}
     * @return the unresolved-free socket address
     * @throws OptionException if malformed
     */
    static InetSocketAddress address(String spec) throws OptionException {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new OptionException("--listen: HOST:PORT, not " + spec);
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new OptionException("--listen: write IPv6 addresses as [ADDR]:PORT, not " + spec);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new OptionException("--listen: port 0 to 65535, not " + spec.substring(colon + 1));
        }
        return new InetSocketAddress(host, port);
    }
}
