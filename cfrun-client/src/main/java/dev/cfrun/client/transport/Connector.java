package dev.cfrun.client.transport;

import dev.cfrun.client.RunTimeoutException.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Opens the TCP connection: every address the name resolves to is tried in turn (as cf-runagent does),
 * each with the connect timeout cut by the overall deadline. TCP_NODELAY is set: cf-runagent leaves
 * Nagle on and loses about 40 ms per small write to delayed ACKs.
 */
public final class Connector {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    private Connector() {
    }

    /** Thrown when no address could be connected; the last failure is the cause. */
    public static final class ConnectException extends IOException {
        private static final long serialVersionUID = 1L;

        public ConnectException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static Socket connect(String host, int port, Deadlines deadlines) throws IOException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new ConnectException("cannot resolve host name '" + host + "'", e);
        }
        IOException last = null;
        for (InetAddress a : addresses) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(a, port), deadlines.connectTimeoutMillis());
                s.setKeepAlive(true);
                return s;
            } catch (DeadlineException e) {
                closeQuietly(s);
                throw e;
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                DeadlineException d = new DeadlineException(Phase.CONNECT, deadlines.timeouts().connect());
                d.initCause(e);
                last = d;
                log.debug("connect to {}:{} timed out", a.getHostAddress(), port);
            } catch (IOException e) {
                closeQuietly(s);
                last = new ConnectException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
                log.debug("connect to {}:{} failed: {}", a.getHostAddress(), port, e.toString());
            }
        }
        if (last instanceof DeadlineException) {
            throw last;
        }
        throw last != null ? last : new ConnectException("no address for '" + host + "'", null);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
