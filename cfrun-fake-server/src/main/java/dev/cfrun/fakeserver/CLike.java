package dev.cfrun.fakeserver;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How cfservd 2.x's C code reads text: C strings, isspace, sscanf words and numbers, host name wildcards. */
final class CLike {
    private CLike() {
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    static boolean isCSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    static void skipCSpace(String t, int[] pos) {
        while (pos[0] < t.length() && isCSpace((byte) t.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    static String scanWord(String t, int[] pos) {
        skipCSpace(t, pos);
        int start = pos[0];
        while (pos[0] < t.length() && !isCSpace((byte) t.charAt(pos[0]))) {
            pos[0]++;
        }
        return t.substring(start, pos[0]);
    }

    /** %d into an unsigned int: no number is 0 here (the C variable would be whatever it held); negative is huge. */
    static long scanInt(String t, int[] pos) {
        skipCSpace(t, pos);
        boolean neg = false;
        if (pos[0] < t.length() && (t.charAt(pos[0]) == '-' || t.charAt(pos[0]) == '+')) {
            neg = t.charAt(pos[0]++) == '-';
        }
        long v = 0;
        int digits = 0;
        while (pos[0] < t.length() && Character.isDigit(t.charAt(pos[0])) && digits < 12) {
            v = v * 10 + (t.charAt(pos[0]++) - '0');
            digits++;
        }
        return neg && v != 0 ? Long.MAX_VALUE : v;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** IsWildItemIn: '*' and '?' wildcards, host names compared case-insensitively. */
    static boolean wildMatch(String pattern, String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        String re = "(?i)" + Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
        return value.matches(re);
    }

    /** IsFuzzyItemIn, the CIDR part: a.b.c.d/nn against an IPv4 address. */
    static boolean cidrMatch(String pattern, String ip) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)").matcher(pattern);
        Matcher a = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)").matcher(ip == null ? "" : ip);
        if (!m.matches() || !a.matches()) {
            return false;
        }
        long net = 0;
        long addr = 0;
        for (int i = 1; i <= 4; i++) {
            net = (net << 8) | Integer.parseInt(m.group(i));
            addr = (addr << 8) | Integer.parseInt(a.group(i));
        }
        int bits = Integer.parseInt(m.group(5));
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return (net & mask) == (addr & mask);
    }
}
