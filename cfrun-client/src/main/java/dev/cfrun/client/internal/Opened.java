package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.internal.protocol.Peer;
import dev.cfrun.client.internal.transport.Addresses;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Deadlines;

/**
 * The first connection of one protocol try, and when it was opened.
 *
 * @param dialer    opens and closes this try's connections ({@code releaseAll()} when the try ends)
 * @param conn      the connection
 * @param start     {@link System#nanoTime()} before connecting
 * @param connected {@link System#nanoTime()} once connected
 * @param address   the numeric address connected to
 * @param peer      who talks to whom, for messages
 */
record Opened(Connections.RunDialer dialer, Connection conn, long start, long connected, String address, Peer peer) {

    static Opened open(ClientContext ctx, HostAddress host, Deadlines deadlines) throws CfRunException {
        long start = System.nanoTime();
        Connections.RunDialer dialer = ctx.connections().dialer(host, deadlines);
        Connection conn = dialer.open();
        long connected = System.nanoTime();
        String address = Addresses.numeric(conn.tcpSocket().getInetAddress());
        return new Opened(dialer, conn, start, connected, address, ctx.peer(address, host.port()));
    }
}
