package dev.cfrun.client.internal.trust;

import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.keys.SafeFiles;

import dev.cfrun.client.KeyFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The client's trust store: a CFEngine {@code ppkeys} directory, read as cf-runagent and cfrun read it,
 * plus a small address record of our own.
 * <ul>
 *   <li>a trusted server key is the file {@code <owner>-MD5=<hex>.pub} (or {@code SHA=}), as
 *       {@code cf-key -t} writes it; {@code root-…} files are honoured for every owner, since that is
 *       what cf-key writes by default;</li>
 *   <li>CFEngine 2 named server keys by address: {@code root-<ip>.pub}; such a file pins that address
 *       to that key;</li>
 *   <li>{@value #RECORD_FILE} maps {@code address port} to the digest last seen there (what cf-runagent
 *       keeps in its LMDB lastseen database, which we do not read). It lets the classic protocol prove
 *       the server's identity (the "y" form) and lets both protocols detect a changed key.</li>
 * </ul>
 * Keys are written only when the caller decided to trust them; every write is atomic, mode 0600, and
 * never follows a symlink planted in the directory. Instances are thread-safe.
 */
public final class TrustStore {
    private static final Logger log = LoggerFactory.getLogger(TrustStore.class);

    public static final String RECORD_FILE = "cfrun_lastseen";
    private static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

    /** What the store says about an address. */
    public record Expected(String digest, Optional<RSAPublicKey> key, String source) {
    }

    private final Path ppkeys;
    private final List<String> owners;
    private String recordStamp; // the record file's identity when recordCache was read
    private Map<String, String> recordCache = Map.of();
    private final Map<Path, CachedKey> keyCache = new HashMap<>();

    /**
     * @param ppkeys the ppkeys directory
     * @param owner  the local user name keys are filed under ({@code <owner>-MD5=….pub})
     */
    public TrustStore(Path ppkeys, String owner) {
        this.ppkeys = Objects.requireNonNull(ppkeys, "ppkeys");
        Objects.requireNonNull(owner, "owner");
        this.owners = owner.equals("root") ? List.of("root") : List.of(owner, "root");
    }

    public Path directory() {
        return ppkeys;
    }

    /** The trusted key with this digest, if a key file with that name holds exactly that key. */
    public synchronized Optional<RSAPublicKey> trustedKey(String digest) {
        String d = KeyDigest.normalize(digest);
        if (d == null) {
            return Optional.empty();
        }
        KeyDigest.Algorithm alg = KeyDigest.algorithmOf(d);
        for (String o : owners) {
            Path f = ppkeys.resolve(o + "-" + d + ".pub");
            BasicFileAttributes a = attributes(f, false);
            if (a != null && a.isRegularFile()) {
                try {
                    RSAPublicKey k = readKey(f, a);
                    if (KeyDigest.of(k, alg).equals(d)) {
                        return Optional.of(k);
                    }
                    log.warn("{} holds key {}, not the key its name says; ignored", f, KeyDigest.of(k, alg));
                } catch (KeyFileException e) {
                    log.warn("ignoring unreadable trusted key: {}", e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** True if this key is trusted (under its MD5 or SHA name). */
    public boolean isTrusted(RSAPublicKey key) {
        return trustedKey(KeyDigest.md5(key)).filter(k -> RsaKeys.sameKey(k, key)).isPresent()
                || trustedKey(KeyDigest.sha256(key)).filter(k -> RsaKeys.sameKey(k, key)).isPresent();
    }

    /**
     * The key expected at an address: from our record ({@code address port digest}) or from a CFEngine 2
     * style {@code root-<address>.pub}.
     */
    public synchronized Optional<Expected> expectedAt(String address, int port) {
        return expectedAt(address, port, null);
    }

    /**
     * As {@link #expectedAt(String, int)}, also trying CFEngine 2's {@code root-<hostName>.pub} before
     * {@code root-<address>.pub} (our record, being the latest decision, comes first).
     */
    public synchronized Optional<Expected> expectedAt(String address, int port, String hostName) {
        String recorded = readRecord().get(recordKey(address, port));
        if (recorded != null) {
            return Optional.of(new Expected(recorded, trustedKey(recorded), RECORD_FILE));
        }
        if (hostName != null && !hostName.equals(address)) {
            Optional<Expected> byName = expectedByName(hostName);
            if (byName.isPresent()) {
                return byName;
            }
        }
        return expectedByName(address);
    }

    /**
     * The key CFEngine 2 filed under a host name or address: {@code root-<name>.pub} (cfrun looks up
     * {@code root-<hostname>.pub} first, then {@code root-<ip>.pub}).
     */
    public synchronized Optional<Expected> expectedByName(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.startsWith(".")) {
            return Optional.empty();
        }
        for (String o : owners) {
            Path f = ppkeys.resolve(o + "-" + name + ".pub");
            BasicFileAttributes a = attributes(f, false);
            if (a != null && a.isRegularFile()) {
                try {
                    RSAPublicKey k = readKey(f, a);
                    return Optional.of(new Expected(KeyDigest.md5(k), Optional.of(k), f.getFileName().toString()));
                } catch (KeyFileException e) {
                    log.warn("ignoring unreadable key: {}", e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** Stores a key the caller decided to trust, and records it for this address. */
    public synchronized void trust(RSAPublicKey key, String address, int port) throws KeyFileException {
        SafeFiles.createPrivateDirectory(ppkeys);
        String digest = KeyDigest.md5(key);
        Path f = ppkeys.resolve(owners.get(0) + "-" + digest + ".pub");
        boolean written = SafeFiles.writeNew(f, RsaKeys.writePublic(key).getBytes(StandardCharsets.US_ASCII));
        if (!written && trustedKey(digest).isEmpty()) {
            throw new KeyFileException(f, "exists but does not hold the key " + digest + "; not replaced", null);
        }
        record(address, port, digest);
    }

    /** Records that this address presented the key with this digest (the key must be trusted already). */
    public synchronized void record(String address, int port, String digest) throws KeyFileException {
        String k = recordKey(address, port);
        if (digest.equals(readRecord().get(k))) {
            return; // the usual case, once per host and run: no copy of the whole record
        }
        Map<String, String> records = new LinkedHashMap<>(readRecord());
        records.put(k, digest);
        StringBuilder sb = new StringBuilder("# cfrun: the server key digest last trusted at each address (address port digest)\n");
        records.forEach((key, d) -> sb.append(key).append(' ').append(d).append('\n'));
        SafeFiles.createPrivateDirectory(ppkeys);
        SafeFiles.replace(ppkeys.resolve(RECORD_FILE), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The address record, parsed; kept while the file is the same (same inode, size and modification time:
     * our writes replace it, so another process's write is seen at once). A fan-out asks once per host:
     * without this, 500 hosts meant parsing the 500-line file 1000 times, under this object's lock.
     * The map must not be modified.
     */
    private Map<String, String> readRecord() {
        Path f = ppkeys.resolve(RECORD_FILE);
        BasicFileAttributes a = attributes(f, true);
        String stamp = a == null || !a.isRegularFile() ? null : stamp(a);
        if (stamp != null && stamp.equals(recordStamp)) {
            return recordCache;
        }
        Map<String, String> parsed = Collections.unmodifiableMap(parseRecord(f));
        recordStamp = stamp;
        recordCache = parsed;
        return parsed;
    }

    /** A file's attributes (following links unless {@code noFollow}), or null if there is none or it cannot be read. */
    private static BasicFileAttributes attributes(Path f, boolean noFollow) {
        try {
            return noFollow ? Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    : Files.readAttributes(f, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Which version of a file this is: inode, size, modification time (a replaced or edited file differs). */
    private static String stamp(BasicFileAttributes a) {
        return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** A key file's key, parsed once per version of the file (a fan-out asks for the same file per host). */
    private RSAPublicKey readKey(Path f, BasicFileAttributes a) throws KeyFileException {
        String stamp = stamp(a);
        CachedKey c = keyCache.get(f);
        if (c != null && c.stamp().equals(stamp)) {
            return c.key();
        }
        RSAPublicKey k = KeyFiles.readPublic(f);
        keyCache.put(f, new CachedKey(stamp, k));
        return k;
    }

    private record CachedKey(String stamp, RSAPublicKey key) {
    }

    private Map<String, String> parseRecord(Path f) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        String text;
        try {
            text = new String(SafeFiles.readBounded(f, MAX_RECORD_BYTES), StandardCharsets.UTF_8);
        } catch (KeyFileException e) {
            log.warn("ignoring address record: {}", e.getMessage());
            return out;
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            String d = parts.length == 3 ? KeyDigest.normalize(parts[2]) : null;
            if (d == null || !parts[1].matches("\\d{1,5}")) {
                log.warn("{}: ignoring malformed line '{}'", f, l);
                continue;
            }
            out.put(parts[0] + " " + parts[1], d);
        }
        return out;
    }

    private static String recordKey(String address, int port) {
        return address + " " + port;
    }

    /** All recorded addresses (for tools listing what is trusted). */
    public synchronized List<String> recordLines() {
        List<String> out = new ArrayList<>();
        readRecord().forEach((k, d) -> out.add(k + " " + d));
        return out;
    }
}
