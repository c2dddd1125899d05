package dev.cfrun.client.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host name we announce in the classic CAUTH line: as the C client, the name our local address
 * resolves to (getnameinfo: "localhost" on loopback, the numeric address without a PTR record), looked up
 * once per local address; or the name the caller set.
 */
public final class LocalName {
    private final String fixed; // null: reverse lookup
    private final Map<InetAddress, String> reverseNames = new ConcurrentHashMap<>();

    /** @param fixed the name to announce, or null to look up our local address */
    public LocalName(String fixed) {
        this.fixed = fixed;
    }

    /** The name to announce on this connection. */
    public String of(Connection conn) {
        if (fixed != null) {
            return fixed;
        }
        InetAddress local = conn.tcpSocket().getLocalAddress();
        return reverseNames.computeIfAbsent(local, a -> {
            try {
                String n = InetAddress.getByAddress(a.getAddress()).getHostName();
                return n.matches("[A-Za-z0-9.:_-]{1,255}") ? n : Addresses.numeric(a);
            } catch (IOException | RuntimeException e) {
                return Addresses.numeric(a);
            }
        });
    }
}
