package dev.cfrun.client;

import dev.cfrun.client.keys.KeyDigest;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What to do with a server key that is not in the trust store (the {@code ppkeys} directory).
 * <p>
 * A key already trusted for that server is always accepted; a key <em>different</em> from the one
 * trusted for the server's address is always refused ({@link ChangedServerKeyException}), except
 * when the caller pinned exactly that key. Unknown keys are refused unless the caller opted in:
 * <ul>
 *   <li>{@link #strict()} (the default): refuse, showing the digest;</li>
 *   <li>{@link #trustOnFirstUse()}: store the key and go on (the digest is reported in the result);</li>
 *   <li>{@link #pinned(List)}: accept and store exactly the keys with these digests;</li>
 *   <li>{@link #ask(UnknownKeyPrompt)}: let the caller decide (cf-runagent {@code -i}).</li>
 * </ul>
 */
public final class TrustPolicy {

    /** Decides about one unknown key; called on the thread running the request. */
    @FunctionalInterface
    public interface UnknownKeyPrompt {
        /**
         * @param host    the host as requested
         * @param address the numeric address connected to
         * @param digest  the key's digest, e.g. {@code MD5=…}
         * @return true to trust and store the key
         */
        boolean trust(HostAddress host, String address, String digest);
    }

    /** The policy's kind, as created by the factory method of the same name. */
    public enum Mode {
        /** Only keys already trusted. */
        STRICT,
        /** An unknown key is trusted and stored. */
        TRUST_ON_FIRST_USE,
        /** Only the keys with the given digests (and those already trusted). */
        PINNED,
        /** An unknown key is shown to a prompt, which decides. */
        ASK
    }

    private static final TrustPolicy STRICT = new TrustPolicy(Mode.STRICT, Set.of(), null);
    private static final TrustPolicy TOFU = new TrustPolicy(Mode.TRUST_ON_FIRST_USE, Set.of(), null);

    private final Mode mode;
    private final Set<String> pinned;
    private final UnknownKeyPrompt prompt;

    private TrustPolicy(Mode mode, Set<String> pinned, UnknownKeyPrompt prompt) {
        this.mode = mode;
        this.pinned = pinned;
        this.prompt = prompt;
    }

    /**
     * Refuse every key that is not already trusted.
     *
     * @return the strict policy, the default
     */
    public static TrustPolicy strict() {
        return STRICT;
    }

    /**
     * Trust and store a server's key the first time it is seen (never a changed one).
     *
     * @return the trust-on-first-use policy
     */
    public static TrustPolicy trustOnFirstUse() {
        return TOFU;
    }

    /**
     * Accept (and store) exactly the keys with these digests ({@code MD5=…} or {@code SHA=…}).
     *
     * @param digests the digests to accept, in any case; at least one
     * @return a policy accepting exactly those keys
     * @throws IllegalArgumentException if the list is empty or holds something that is not a digest
     */
    public static TrustPolicy pinned(List<String> digests) {
        Set<String> set = new LinkedHashSet<>();
        for (String d : digests) {
            String n = KeyDigest.normalize(Objects.requireNonNull(d, "digest"));
            if (n == null) {
                throw new IllegalArgumentException("not a key digest (expected MD5=<32 hex> or SHA=<64 hex>): " + d);
            }
            set.add(n);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("pinned() needs at least one digest");
        }
        return new TrustPolicy(Mode.PINNED, Set.copyOf(set), null);
    }

    /**
     * Ask the caller about each unknown key.
     *
     * @param prompt asked about each unknown key, with its digest
     * @return a policy that trusts the keys the prompt accepts
     */
    public static TrustPolicy ask(UnknownKeyPrompt prompt) {
        return new TrustPolicy(Mode.ASK, Set.of(), Objects.requireNonNull(prompt, "prompt"));
    }

    /** @return the policy's kind */
    public Mode mode() {
        return mode;
    }

    /**
     * The pinned digests (normalised), empty unless {@link Mode#PINNED}.
     *
     * @return the digests, with upper-case prefix and lower-case hex; unmodifiable
     */
    public Set<String> pinnedDigests() {
        return pinned;
    }

    /**
     * True if a key with these digests is pinned by this policy.
     *
     * @param md5Digest the key's {@code MD5=…} digest (normalised)
     * @param shaDigest the key's {@code SHA=…} digest (normalised)
     * @return whether either digest is among the {@link #pinnedDigests()}
     */
    public boolean isPinned(String md5Digest, String shaDigest) {
        return pinned.contains(md5Digest) || pinned.contains(shaDigest);
    }

    /**
     * Whether an unknown key (no conflicting record) should be trusted and stored.
     *
     * @param host      the host as requested
     * @param address   the numeric address connected to
     * @param md5Digest the key's {@code MD5=…} digest
     * @param shaDigest the key's {@code SHA=…} digest
     * @param shown     the digest to show a prompt ({@link Mode#ASK})
     * @return {@code true} to trust the key and store it in ppkeys
     */
    public boolean acceptsUnknown(HostAddress host, String address, String md5Digest, String shaDigest, String shown) {
        switch (mode) {
            case TRUST_ON_FIRST_USE:
                return true;
            case PINNED:
                return isPinned(md5Digest, shaDigest);
            case ASK:
                return prompt.trust(host, address, shown);
            case STRICT:
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return "TrustPolicy[" + mode.name().toLowerCase(Locale.ROOT) + (pinned.isEmpty() ? "" : " " + pinned) + "]";
    }
}
