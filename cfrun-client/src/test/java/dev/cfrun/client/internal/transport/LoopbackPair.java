package dev.cfrun.client.internal.transport;

import dev.cfrun.client.Timeouts;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * A client {@link Connection} and the server end of the same loopback TCP connection, for driving one
 * protocol step without a server: the test plays the server with {@link #serverIn()} / {@link #serverOut()}.
 */
public final class LoopbackPair implements AutoCloseable {
    private final Socket server;
    private final Watchdog watchdog = new Watchdog();
    private final Connection client;
    private final DataInputStream in;

    public LoopbackPair() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket tcp = new Socket(listener.getInetAddress(), listener.getLocalPort());
            tcp.setTcpNoDelay(true);
            server = listener.accept();
            server.setSoTimeout(10_000);
            Timeouts t = Timeouts.builder().connect(Duration.ofSeconds(5)).handshake(Duration.ofSeconds(10))
                    .idle(Duration.ofSeconds(10)).build();
            client = new Connection(tcp, new Deadlines(t), watchdog);
        }
        in = new DataInputStream(server.getInputStream());
    }

    /** The client end, as the protocol steps use it. */
    public Connection client() {
        return client;
    }

    public DataInputStream serverIn() {
        return in;
    }

    public OutputStream serverOut() throws IOException {
        return server.getOutputStream();
    }

    /** Sends one transaction from the server. */
    public void serverSends(byte[] payload) throws IOException {
        Frames.write(serverOut(), payload);
        serverOut().flush();
    }

    /** Reads one transaction the client sent (its payload). */
    public byte[] serverReceives() throws IOException {
        Frame f = Frames.read(in);
        if (f == null) {
            throw new java.io.EOFException("client closed");
        }
        return f.payload();
    }

    /** True if the client sent a byte within {@code millis} (that byte is consumed: the test has failed then). */
    public boolean clientBytesWithin(int millis) throws IOException {
        server.setSoTimeout(millis);
        try {
            int b = in.read();
            return b >= 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } finally {
            server.setSoTimeout(10_000);
        }
    }

    /** Ends the server side (the client then reads EOF). */
    public void serverCloses() throws IOException {
        server.close();
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
        watchdog.close();
    }
}
