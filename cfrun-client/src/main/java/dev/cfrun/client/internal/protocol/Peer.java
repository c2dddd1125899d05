package dev.cfrun.client.internal.protocol;

/**
 * Who talks to whom in one run: what failure messages and likely causes need to name.
 *
 * @param address      the server's numeric address
 * @param port         the server's port
 * @param user         the user name we claim (CAUTH / IDENTITY)
 * @param clientDigest our key's digest
 */
public record Peer(String address, int port, String user, String clientDigest) {
    public String endpoint() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
