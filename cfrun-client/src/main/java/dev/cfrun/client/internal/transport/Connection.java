package dev.cfrun.client.internal.transport;

import dev.cfrun.client.RunTimeoutException.Phase;

import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One connection to a server, with its deadlines. Every read sets the socket timeout from the phase
 * it is in; the {@link Watchdog} enforces the hard deadlines (handshake, overall) by closing the socket.
 * Timeouts surface as {@link DeadlineException} naming the phase. Not thread-safe (one run, one thread),
 * except {@link #close()}.
 */
public final class Connection implements Closeable {
    private static final int READ_BUFFER = 16 * 1024;

    private final Socket tcp;
    private final Deadlines deadlines;
    private final Watchdog.Guard guard;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private Phase phase = Phase.CONNECT;
    private long phaseDeadline = Long.MAX_VALUE; // effective (min with overall)
    private Phase phaseDeadlineKind = Phase.OVERALL;
    private Duration phaseDeadlineLimit;
    private boolean readBoundByIdle; // the last read timeout was the idle limit, not a cut-down hard deadline

    public Connection(Socket tcp, Deadlines deadlines, Watchdog watchdog) throws IOException {
        this.tcp = tcp;
        this.deadlines = deadlines;
        this.guard = watchdog.guard(tcp);
        this.socket = tcp;
        this.in = new BufferedInputStream(tcp.getInputStream(), READ_BUFFER);
        this.out = new BufferedOutputStream(tcp.getOutputStream(), Frames.HEADER_LENGTH + Frames.MAX_PAYLOAD);
    }

    public Socket tcpSocket() {
        return tcp;
    }

    /** TLS handshake and identification, or the classic RSA dialogue: a hard deadline. */
    public void enterHandshake() {
        phase = Phase.HANDSHAKE;
        Duration limit = deadlines.timeouts().handshake();
        long own = System.nanoTime() + limit.toNanos();
        if (own - deadlines.overallDeadline() <= 0 || deadlines.overallDeadline() == Long.MAX_VALUE) {
            phaseDeadline = own;
            phaseDeadlineKind = Phase.HANDSHAKE;
            phaseDeadlineLimit = limit;
        } else {
            phaseDeadline = deadlines.overallDeadline();
            phaseDeadlineKind = Phase.OVERALL;
            phaseDeadlineLimit = deadlines.timeouts().overall().orElseThrow();
        }
        guard.arm(phaseDeadlineKind, phaseDeadlineLimit, phaseDeadline);
    }

    /** The remote run: idle limit per read, and only the overall deadline as a hard one. */
    public void enterExec() {
        phase = Phase.IDLE;
        phaseDeadline = deadlines.overallDeadline();
        phaseDeadlineKind = Phase.OVERALL;
        phaseDeadlineLimit = deadlines.timeouts().overall().orElse(null);
        guard.arm(Phase.OVERALL, phaseDeadlineLimit, phaseDeadline);
    }

    /** Runs the TLS handshake on a socket layered over this connection, then reads and writes through it. */
    public void startTls(SSLSocket ssl) throws IOException {
        try {
            ssl.setSoTimeout(readTimeoutMillis());
            ssl.startHandshake();
        } catch (IOException e) {
            throw translate(e);
        }
        this.socket = ssl;
        this.in = new BufferedInputStream(ssl.getInputStream(), READ_BUFFER);
        this.out = ssl.getOutputStream(); // unbuffered: one write() = one TLS record = one transaction
    }

    public Socket socket() {
        return socket;
    }

    /** Reads one transaction; null on a clean end of stream. */
    public Frame readFrame() throws IOException {
        try {
            prepareRead();
            return Frames.read(in);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Reads a possibly continued ('m') message; null on a clean end of stream. */
    public byte[] readMessage(int maxBytes) throws IOException {
        try {
            prepareRead();
            return Frames.readMessage(in, maxBytes);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Reads one LF-terminated line (TLS identification); null on a clean end of stream. */
    public String readLine(int max) throws IOException {
        try {
            prepareRead();
            return Frames.readLine(in, max);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Queues one transaction (one write() call on the buffer); nothing reaches the socket until
     * {@link #sendQueued()}. Over TLS the stream is unbuffered: each call is one TLS record, sent at once.
     */
    public void queueFrame(byte[] payload) throws IOException {
        try {
            Frames.write(out, payload);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Queues raw bytes (TLS identification lines); sent by {@link #sendQueued()}. */
    public void writeRaw(byte[] bytes) throws IOException {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Sends everything queued, in as few segments as the buffer allows. The classic handshake leaves its last
     * two messages queued so that the EXEC request goes out with them: {@code ExecDialogue} calls this once
     * per run, THE flush point of a classic run (a read added between the two would wait forever).
     */
    public void sendQueued() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Turns a socket failure into the deadline that caused it, if any: the watchdog closed the socket,
     * or a read timed out.
     */
    public IOException translate(IOException e) {
        if (e instanceof DeadlineException) {
            return e;
        }
        Phase fired = guard.firedPhase();
        if (fired != null) {
            DeadlineException d = new DeadlineException(fired, guard.firedLimit());
            d.initCause(e);
            return d;
        }
        if (e instanceof SocketTimeoutException) {
            DeadlineException d;
            if (phase == Phase.IDLE && readBoundByIdle) {
                d = new DeadlineException(Phase.IDLE, deadlines.timeouts().idle().orElse(null));
            } else {
                d = new DeadlineException(phaseDeadlineKind, phaseDeadlineLimit);
            }
            d.initCause(e);
            return d;
        }
        return e;
    }

    private void prepareRead() throws IOException {
        socket.setSoTimeout(readTimeoutMillis());
    }

    private int readTimeoutMillis() {
        long left = phaseDeadline == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(1, (phaseDeadline - System.nanoTime()) / 1_000_000);
        long ms = left;
        readBoundByIdle = false;
        if (phase == Phase.IDLE) {
            long idle = deadlines.timeouts().idle().map(Duration::toMillis).orElse(Long.MAX_VALUE);
            readBoundByIdle = idle <= left;
            ms = Math.min(idle, left);
        }
        if (ms == Long.MAX_VALUE) {
            return 0; // no limit
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    /** Closes the connection (TLS close_notify best effort, then the socket). Safe from any thread. */
    @Override
    public void close() {
        guard.disarm();
        try {
            if (socket != tcp) {
                // TLS 1.3 close: JSSE sends close_notify, then waits for the server's up to the read timeout.
                // The server's may never come: the agent it ran can restart a daemon that inherits
                // cf-serverd's socket. Say goodbye, do not wait for the answer.
                socket.setSoTimeout(1);
                socket.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
