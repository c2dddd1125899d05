package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.internal.transport.Frames;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The EXEC request as cf-runagent 3.x sends it: {@code EXEC[ -D<c1,c2>][ -b <b1,b2>]} in one transaction.
 * cf-serverd accepts only {@code -D} and {@code -b}, with names made of {@code [A-Za-z0-9_:]}
 * (its CharsetAcceptable check); we refuse anything else locally, with a clear message.
 */
public final class ExecRequest {
    private static final Pattern SELECT = Pattern.compile("[\\x21-\\x7e&&[^,:]]+");

    private ExecRequest() {
    }

    public static byte[] encode(List<String> classes, List<String> bundles) {
        StringBuilder sb = new StringBuilder("EXEC");
        if (!classes.isEmpty()) {
            sb.append(" -D").append(String.join(",", classes));
        }
        if (!bundles.isEmpty()) {
            sb.append(" -b ").append(String.join(",", bundles));
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
        if (b.length > Frames.MAX_PAYLOAD) {
            throw new IllegalArgumentException("EXEC request of " + b.length + " bytes exceeds the protocol's "
                    + Frames.MAX_PAYLOAD + "-byte limit (too many classes or bundles)");
        }
        return b;
    }

    /**
     * The EXEC request as CFEngine 2's cfrun sends it: {@code EXEC} followed by cfagent options, each
     * separated by a space; classes become {@code -D c1,c2}.
     */
    public static byte[] encodeCfengine2(List<String> classes, List<String> options) {
        StringBuilder sb = new StringBuilder("EXEC");
        if (!classes.isEmpty()) {
            sb.append(" -D ").append(String.join(",", classes));
        }
        for (String o : options) {
            sb.append(' ').append(o);
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length > Frames.MAX_PAYLOAD) {
            throw new IllegalArgumentException("EXEC request of " + b.length + " bytes exceeds the protocol's "
                    + Frames.MAX_PAYLOAD + "-byte limit");
        }
        return b;
    }

    /** CFEngine 2 class data: the select classes, space-separated, and the terminator, in one transaction. */
    public static byte[] cfengine2ClassData(List<String> selectClasses) {
        String data = selectClasses.isEmpty() ? Frames.TERMINATOR
                : String.join(" ", selectClasses) + " " + Frames.TERMINATOR;
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        if (b.length > Frames.MAX_PAYLOAD) {
            throw new IllegalArgumentException("select classes exceed the protocol's " + Frames.MAX_PAYLOAD + "-byte limit");
        }
        return b;
    }

    /** A cfagent option for CFEngine 2: printable, no spaces (each option is one word). */
    public static void checkAgentOption(String option) {
        if (option.isEmpty() || option.length() > 1024 || !option.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("invalid agent option '" + option + "': one printable word expected");
        }
    }

    /** Select classes are class names or regular expressions, sent one per transaction. */
    public static void checkSelectClass(String name) {
        if (!SELECT.matcher(name).matches() || name.length() > Frames.MAX_PAYLOAD) {
            throw new IllegalArgumentException("invalid select class '" + name
                    + "': printable characters only, no spaces, commas or colons");
        }
    }
}
