package dev.cfrun.service.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies with a bound: never more than the limit (plus one byte) is held in memory. */
final class Bodies {
    private Bodies() {
    }

    /**
     * @param in    the request body
     * @param limit the most bytes accepted
     * @return the body
     * @throws HttpError 413 if longer than the limit
     * @throws IOException if the stream fails
     */
    static byte[] read(InputStream in, int limit) throws IOException, HttpError {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                drain(in, buf, (long) limit * 4);
                throw new HttpError(413, "request body larger than " + limit + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads and drops up to {@code max} more bytes, so the client can read the answer before the close. */
    private static void drain(InputStream in, byte[] buf, long max) throws IOException {
        long seen = 0;
        int n;
        while (seen < max && (n = in.read(buf)) > 0) {
            seen += n;
        }
    }
}
