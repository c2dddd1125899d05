package dev.cfrun.fakeserver;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.function.BooleanSupplier;

/** One accepted connection: the socket spoken through (TCP, then maybe TLS), its streams, and how it ends. */
final class Conn {
    final Socket tcp;
    Socket top;
    InputStream in;
    OutputStream out;
    int budget = -1; // bytes left before hanging up (cutAfter), -1 = unlimited

    Conn(Socket tcp) throws IOException {
        this.tcp = tcp;
        this.top = tcp;
        this.in = tcp.getInputStream();
        this.out = tcp.getOutputStream();
    }

    void send(byte[] b) throws IOException {
        if (budget >= 0 && b.length > budget) {
            out.write(b, 0, budget);
            out.flush();
            budget = 0;
            throw new IOException("cut: hung up mid-dialogue as scripted");
        }
        out.write(b); // one write per transaction: one TLS record
        out.flush();
        if (budget >= 0) {
            budget -= b.length;
        }
    }

    void sendFrame(byte[] payload) throws IOException {
        send(Wire.frame(payload));
    }

    void sendFrame(String text) throws IOException {
        send(Wire.frame(text));
    }

    /** One transaction as received, header and payload; null at a clean end of stream. */
    byte[] readRawFrame() throws IOException {
        return Wire.read(in);
    }

    byte[] readPayload() throws IOException {
        byte[] raw = readRawFrame();
        if (raw == null) {
            throw new EOFException("client closed");
        }
        return Wire.payload(raw);
    }

    /** One byte at a time until the client gives up or {@code stop} says so (then, if the bytes run out, silence). */
    void trickle(FakeCfServerd.Session s, long intervalMillis, BooleanSupplier stop, byte[] bytes) {
        s.end = "trickling";
        try {
            for (int i = 0; i < bytes.length && !stop.getAsBoolean(); i++) {
                out.write(bytes[i]);
                out.flush();
                sleep(intervalMillis);
            }
            drain();
        } catch (IOException e) {
            s.end = "trickled until the client left";
        }
    }

    /**
     * Hangs up: FIN (or close_notify) first, then reads whatever the client still sends until it closes, so
     * that unread data never turns the close into a reset that could destroy what we sent before.
     */
    void hangUp(FakeCfServerd.Session s, String why) {
        s.end = why;
        try {
            top.shutdownOutput();
        } catch (IOException | UnsupportedOperationException ignored) {
            // closing anyway
        }
        drain();
    }

    /** Reads and discards until the client closes. */
    void drain() {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    /** close(2): true if the client's data was still unread, which makes the kernel send a reset. */
    boolean closeLikeC() {
        boolean unread = false;
        try {
            unread = in.available() > 0;
            if (unread) {
                tcp.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(tcp);
        return unread;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Closeable s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
