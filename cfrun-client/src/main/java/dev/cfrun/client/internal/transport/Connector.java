package dev.cfrun.client.internal.transport;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ConnectFailedException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.RunTimeoutException;
import dev.cfrun.client.RunTimeoutException.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Opens the TCP connection: every address the name resolves to is tried in turn (as cf-runagent does),
 * each with the connect timeout cut by the overall deadline. TCP_NODELAY is set: cf-runagent leaves
 * Nagle on and loses about 40 ms per small write to delayed ACKs.
 */
public final class Connector {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    private Connector() {
    }

    /**
     * A connected socket to the first address of {@code host} that answers.
     *
     * @throws CfRunException {@link RunTimeoutException} (phase CONNECT or OVERALL) if a deadline passed,
     *                        {@link ConnectFailedException} for every other failure (the last one is the cause)
     */
    public static Socket connect(HostAddress host, Deadlines deadlines) throws CfRunException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.host());
        } catch (UnknownHostException e) {
            throw failed(host, "cannot resolve host name '" + host.host() + "'", e);
        }
        IOException last = null;
        DeadlineException timedOut = null;
        for (InetAddress a : addresses) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(a, host.port()), deadlines.connectTimeoutMillis());
                s.setKeepAlive(true);
                return s;
            } catch (DeadlineException e) {
                closeQuietly(s);
                throw timeout(host, e);
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                timedOut = new DeadlineException(Phase.CONNECT, deadlines.timeouts().connect());
                timedOut.initCause(e);
                last = null;
                log.debug("connect to {}:{} timed out", a.getHostAddress(), host.port());
            } catch (IOException e) {
                closeQuietly(s);
                timedOut = null;
                last = e;
                log.debug("connect to {}:{} failed: {}", a.getHostAddress(), host.port(), e.toString());
            }
        }
        if (timedOut != null) {
            throw timeout(host, timedOut);
        }
        if (last == null) {
            throw failed(host, "no address for '" + host.host() + "'", null);
        }
        throw failed(host, last.getMessage() == null ? last.toString() : last.getMessage(), last);
    }

    private static RunTimeoutException timeout(HostAddress host, DeadlineException e) {
        return new RunTimeoutException(e.phase(), e.limit(), "could not connect to " + host + ": " + e.getMessage(), List.of());
    }

    private static ConnectFailedException failed(HostAddress host, String why, Throwable cause) {
        return new ConnectFailedException("could not connect to " + host + ": " + why, cause);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
