package dev.cfrun.client;

import java.util.Objects;

/**
 * A host to hail and its port, as written on a cf-runagent command line: {@code host}, {@code host:port},
 * {@code [v6]:port}, or a bare IPv6 literal.
 */
public final class HostAddress {
    /** The CFEngine port (cf-runagent hard-codes it when a host has no port). */
    public static final int DEFAULT_PORT = 5308;

    private final String host;
    private final int port;

    private HostAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * A host and port, checked.
     *
     * @param host a host name or IP address literal (IPv6 without brackets); at most 253 characters, no spaces,
     *             {@code /}, {@code \}, {@code [}, {@code ]} or {@code @}
     * @param port the port cf-serverd listens on, 1 to 65535 (usually {@link #DEFAULT_PORT})
     * @return the address
     * @throws IllegalArgumentException if the host name or port is invalid
     */
    public static HostAddress of(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > 253) {
            throw new IllegalArgumentException("invalid host name: '" + host + "'");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '\\' || c == '[' || c == ']' || c == '@' || c >= 0x7f) {
                throw new IllegalArgumentException("invalid character in host name: '" + host + "'");
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range (1-65535): " + port);
        }
        return new HostAddress(host, port);
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port} or a bare IPv6 literal
     * (two or more colons, no port).
     *
     * @param spec the host as a user wrote it; without a port, {@link #DEFAULT_PORT} is used
     * @return the address
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static HostAddress parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + spec + "'");
            }
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return of(host, DEFAULT_PORT);
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':port' after ']' in '" + spec + "'");
            }
            return of(host, parsePort(rest.substring(1), spec));
        }
        int first = s.indexOf(':');
        if (first < 0) {
            return of(s, DEFAULT_PORT);
        }
        if (s.indexOf(':', first + 1) >= 0) {
            return of(s, DEFAULT_PORT); // bare IPv6 literal; a port needs [v6]:port
        }
        return of(s.substring(0, first), parsePort(s.substring(first + 1), spec));
    }

    private static int parsePort(String p, String spec) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid port in '" + spec + "'");
        }
        return Integer.parseInt(p);
    }

    /**
     * The host name or address literal, as given (IPv6 without brackets).
     *
     * @return the host, never {@code null}
     */
    public String host() {
        return host;
    }

    /**
     * The port of cf-serverd on the host.
     *
     * @return the port, 1 to 65535
     */
    public int port() {
        return port;
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAddress other && other.host.equals(host) && other.port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }
}
