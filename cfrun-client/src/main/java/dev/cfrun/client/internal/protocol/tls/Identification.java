package dev.cfrun.client.internal.protocol.tls;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.internal.protocol.Failures;
import dev.cfrun.client.internal.protocol.Failures.Stage;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.protocol.RefusalCauses;
import dev.cfrun.client.internal.transport.Connection;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identification after a trusted TLS handshake, plain text lines inside TLS:
 * <pre>
 * S: CFE_v&lt;N&gt; cf-serverd &lt;version&gt;
 * C: CFE_v&lt;min(N,3)&gt; cf-agent …
 * C: IDENTITY USERNAME=&lt;user&gt;
 * S: OK WELCOME …                (after checking our key against its ppkeys)
 * </pre>
 */
public final class Identification {
    /** The highest version we speak: 3 "cookie" (3.15+); 2 "tls" for 3.7-3.14. EXEC is the same in both. */
    public static final int MAX_VERSION = 3;
    /** cf-serverd reads identification lines into a 1024-byte buffer. */
    private static final int MAX_LINE = 1024;
    /** We introduce ourselves as cf-agent does (the server parses only the CFE_vN prefix). */
    static final String CLIENT_SOFTWARE = "cf-agent 3.21.0";
    private static final Pattern SERVER_VERSION = Pattern.compile("CFE_v(\\d{1,3})(?:\\s.*)?");

    private Identification() {
    }

    /**
     * Runs the dialogue.
     *
     * @return the protocol version agreed (2 or 3)
     * @throws AuthenticationFailedException if the server does not welcome us
     */
    public static int identify(Connection conn, Peer peer, int maxVersion) throws CfRunException {
        String serverLine;
        try {
            serverLine = conn.readLine(MAX_LINE);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.TLS_SERVER_VERSION, peer, List.of());
        }
        if (serverLine == null) {
            throw Failures.translate(new EOFException("no version line"), Stage.TLS_SERVER_VERSION, peer, List.of());
        }
        Matcher m = SERVER_VERSION.matcher(serverLine);
        if (!m.matches()) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " sent an invalid version line: '"
                    + abbreviate(serverLine) + "'");
        }
        int offered = Integer.parseInt(m.group(1));
        if (offered < 2) {
            throw new ProtocolViolationException("server " + peer.endpoint() + " offered protocol version " + offered
                    + " inside TLS (TLS needs 2 or later)");
        }
        int version = Math.min(offered, Math.min(maxVersion, MAX_VERSION));
        String hello = "CFE_v" + version + " " + CLIENT_SOFTWARE + "\n" + "IDENTITY USERNAME=" + peer.user() + "\n";
        String welcome;
        try {
            conn.writeRaw(hello.getBytes(StandardCharsets.US_ASCII));
            conn.sendQueued();
            welcome = conn.readLine(MAX_LINE);
        } catch (IOException e) {
            throw Failures.translate(e, Stage.TLS_IDENTIFICATION, peer, List.of());
        }
        if (welcome == null) {
            throw Failures.translate(new EOFException("closed after IDENTITY"), Stage.TLS_IDENTIFICATION, peer, List.of());
        }
        if (!welcome.startsWith("OK WELCOME")) {
            throw new AuthenticationFailedException("server " + peer.endpoint() + " did not welcome us: '"
                    + abbreviate(welcome) + "'", welcome,
                    RefusalCauses.closedAfterIdentity(peer.user(), peer.clientDigest()), null);
        }
        return version;
    }

    private static String abbreviate(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "…" : s;
        StringBuilder sb = new StringBuilder();
        for (char c : t.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
