package dev.cfrun.recheck;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** The configuration checks of {@link IcingaApi}: URL, user name, password file, CA file (cheap: no parsing of certificates). */
final class IcingaFiles {
    static final Path DEFAULT_CA = Path.of("/var/lib/icinga2/certs/ca.crt");
    private static final int MAX_FILE = 64 * 1024;

    /** A CA file that exists, is readable and holds a PEM certificate. */
    record Ca(Path file) {
    }

    private IcingaFiles() {
    }

    static URI endpoint(String url) {
        URI u;
        try {
            u = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the Icinga API URL '" + url + "' is not a URL: " + e.getReason());
        }
        if (!"https".equalsIgnoreCase(u.getScheme())) {
            throw new IllegalArgumentException("the Icinga API URL must start with https:// (TLS, verified): '" + url + "'");
        }
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("the Icinga API URL must be https://HOST[:PORT][/PATH], e.g."
                    + " https://localhost:5665: '" + url + "'");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create("https://" + u.getRawAuthority() + path + "/v1/actions/reschedule-check");
    }

    static String user(String name) {
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the Icinga API user name must be non-empty, without ':' or control"
                    + " characters: '" + Outcome.oneLine(name) + "'");
        }
        return name;
    }

    /** The first line of the password file, trailing CR/LF stripped; refuses a file group or others may read. */
    static String password(Path file) {
        String what = "the Icinga API password file " + file;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(what + " does not exist or is not a regular file");
            }
            try {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
                Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
                open.retainAll(p);
                if (!open.isEmpty()) {
                    throw new IllegalArgumentException(what + " is accessible by group or others ("
                            + PosixFilePermissions.toString(p) + "): chmod 600 it");
                }
            } catch (UnsupportedOperationException e) {
                // no POSIX permissions on this file system: nothing to check
            }
            String text = new String(readBounded(file), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException(what + " is empty (the password is its first line)");
            }
            return line;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    static Ca ca(Path file) {
        String what = "the Icinga CA file " + file;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(what + " does not exist or is not a regular file"
                        + (file.equals(DEFAULT_CA) ? " (the default: give Icinga's CA certificate)" : ""));
            }
            String text = new String(readBounded(file), StandardCharsets.US_ASCII);
            if (!text.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException(what + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return new Ca(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readBounded(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_FILE + 1);
            if (b.length > MAX_FILE) {
                throw new IOException("larger than " + MAX_FILE + " bytes");
            }
            return b;
        }
    }
}
