package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Session;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket on {@code 127.0.0.1:<ephemeral>}: one thread per accepted connection, which records a
 * {@link Session} and runs the dialogue of the server's dialect ({@link Cf3Dialogue} or {@link Cf2Dialogue}),
 * ending it with a hang-up where the script says so.
 */
final class Acceptor {
    private static final Duration SAFETY_TIMEOUT = Duration.ofSeconds(20);
    private final FakeCfServerd f;
    final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-cf-serverd");
        t.setDaemon(true);
        return t;
    });
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    final Set<Socket> open = ConcurrentHashMap.newKeySet();

    Acceptor(FakeCfServerd f) throws IOException {
        this.f = f;
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        threads.execute(this::loop);
    }

    List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** Connection #i once the server is done with it (the client left, or the server hung up). */
    Session session(int i) throws InterruptedException {
        long end = System.nanoTime() + SAFETY_TIMEOUT.toNanos();
        while (sessions.size() <= i) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("no connection #" + i + " within " + SAFETY_TIMEOUT);
            }
            Thread.sleep(5);
        }
        Session s = sessions.get(i);
        if (!s.done.await(SAFETY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("connection #" + i + " still open after " + SAFETY_TIMEOUT + ": " + s);
        }
        return s;
    }

    /** Every connection accepted so far, each finished. */
    List<Session> finishedSessions() throws InterruptedException {
        List<Session> out = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            out.add(session(i));
        }
        return out;
    }

    void close() {
        Conn.closeQuietly(listener);
        open.forEach(Conn::closeQuietly);
        threads.shutdownNow();
    }

    private void loop() {
        while (!f.closed) {
            try {
                Socket s = listener.accept();
                Session session = new Session();
                sessions.add(session);
                open.add(s);
                try {
                    threads.execute(() -> serve(s, session));
                } catch (RejectedExecutionException e) {
                    Conn.closeQuietly(s);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket tcp, Session s) {
        Conn c = null;
        try {
            tcp.setSoTimeout((int) SAFETY_TIMEOUT.toMillis());
            tcp.setTcpNoDelay(true);
            c = new Conn(tcp);
            c.budget = f.cutAfter;
            try {
                if (f.dialect() == FakeCfServerd.Dialect.CFENGINE2) {
                    new Cf2Dialogue(f).run(c, s);
                } else {
                    new Cf3Dialogue(f).run(c, s);
                }
            } catch (HangUp h) {
                for (String text : h.last) {
                    c.sendFrame(text);
                }
                c.hangUp(s, h.getMessage());
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (s.end == null) {
                s.end = "error: " + e;
            }
        } finally {
            if (c != null) {
                Conn.closeQuietly(c.top);
            }
            Conn.closeQuietly(tcp);
            open.remove(tcp);
            s.done.countDown();
        }
    }
}
