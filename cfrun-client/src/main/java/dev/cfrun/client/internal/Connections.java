package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ConnectFailedException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.RunCancelledException;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Connector;
import dev.cfrun.client.internal.transport.Deadlines;
import dev.cfrun.client.internal.transport.Dialer;
import dev.cfrun.client.internal.transport.Watchdog;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client's open connections: every run opens its own through here, so that {@link #close()} (or an
 * interrupted fan-out) can abort them all from another thread. Holds the one watchdog thread.
 */
public final class Connections implements AutoCloseable {
    private final Watchdog watchdog = new Watchdog();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** True once {@link #close()} was called: runs in progress are being aborted. */
    public boolean isClosed() {
        return closed;
    }

    /** The connections of one run to one host; {@link RunDialer#releaseAll()} closes whatever it opened. */
    public RunDialer dialer(HostAddress host, Deadlines deadlines) {
        return new RunDialer(host, deadlines);
    }

    /** Closes every open connection (their runs fail); the client stays usable. */
    public void abortAll() {
        for (Connection c : open) {
            c.close();
        }
    }

    /** Aborts runs in progress and stops the watchdog. */
    @Override
    public void close() {
        closed = true;
        abortAll();
        watchdog.close();
    }

    private Connection connect(HostAddress host, Deadlines deadlines) throws CfRunException {
        Socket tcp = Connector.connect(host, deadlines);
        try {
            Connection c = new Connection(tcp, deadlines, watchdog);
            open.add(c);
            if (closed) {
                c.close();
                open.remove(c);
                throw new RunCancelledException("client closed", List.of());
            }
            return c;
        } catch (IOException e) {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw new ConnectFailedException("could not set up the connection to " + host + ": " + e.getMessage(), e);
        }
    }

    private void release(Connection c) {
        c.close();
        open.remove(c);
    }

    /** Opens connections to one host under one run's deadlines, and remembers them. Not thread-safe. */
    public final class RunDialer implements Dialer {
        private final HostAddress host;
        private final Deadlines deadlines;
        private final List<Connection> mine = new ArrayList<>(2);

        private RunDialer(HostAddress host, Deadlines deadlines) {
            this.host = host;
            this.deadlines = deadlines;
        }

        @Override
        public Connection open() throws CfRunException {
            Connection c = connect(host, deadlines);
            mine.add(c);
            return c;
        }

        @Override
        public void release(Connection conn) {
            Connections.this.release(conn);
            mine.remove(conn);
        }

        /** Closes every connection this dialer opened and has not released. */
        public void releaseAll() {
            for (Connection c : mine) {
                Connections.this.release(c);
            }
            mine.clear();
        }
    }
}
