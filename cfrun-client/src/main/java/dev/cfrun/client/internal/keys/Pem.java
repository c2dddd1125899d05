package dev.cfrun.client.internal.keys;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PEM armour as OpenSSL writes it: {@code -----BEGIN <type>-----}, optional RFC 1421 headers
 * ({@code Proc-Type}, {@code DEK-Info}) and a blank line, base64 in lines of 64, {@code -----END <type>-----}.
 */
public final class Pem {
    /** No key file CFEngine writes comes near this; anything larger is not a key. */
    public static final int MAX_TEXT = 64 * 1024;

    private Pem() {
    }

    /**
     * One decoded PEM block.
     *
     * @param type    the label, e.g. {@code RSA PRIVATE KEY}
     * @param headers header lines in order (e.g. {@code DEK-Info})
     * @param der     the decoded body
     */
    public record Block(String type, Map<String, String> headers, byte[] der) {
        public Block {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers)); // keeps the order
        }
    }

    /** Thrown for text that is not a PEM block. */
    public static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        public PemException(String message) {
            super(message);
        }
    }

    /** Decodes the first PEM block in the text. */
    public static Block decode(byte[] bytes) throws PemException {
        if (bytes.length > MAX_TEXT) {
            throw new PemException("file too large for a key (" + bytes.length + " bytes)");
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN ");
        if (begin < 0) {
            throw new PemException("no '-----BEGIN' line (not a PEM key file)");
        }
        int typeEnd = text.indexOf("-----", begin + 11);
        int eol = text.indexOf('\n', begin);
        if (typeEnd < 0 || (eol >= 0 && typeEnd > eol)) {
            throw new PemException("malformed BEGIN line");
        }
        String type = text.substring(begin + 11, typeEnd);
        if (type.isEmpty() || type.length() > 64) {
            throw new PemException("malformed BEGIN line");
        }
        String endMarker = "-----END " + type + "-----";
        int end = text.indexOf(endMarker, typeEnd);
        if (end < 0) {
            throw new PemException("no '" + endMarker + "' line (truncated file?)");
        }
        int bodyStart = eol < 0 ? end : eol + 1;
        String[] lines = text.substring(Math.min(bodyStart, end), end).split("\r?\n");
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder b64 = new StringBuilder();
        boolean inHeaders = true;
        for (String raw : lines) {
            String line = raw.strip();
            if (inHeaders) {
                int colon = line.indexOf(':');
                if (colon > 0 && b64.length() == 0) {
                    headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                    continue;
                }
                if (line.isEmpty()) {
                    continue;
                }
                inHeaders = false;
            }
            b64.append(line);
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(b64.toString());
            if (der.length == 0) {
                throw new PemException("empty PEM body");
            }
            if (!b64.toString().matches("[A-Za-z0-9+/=]*")) {
                throw new PemException("invalid characters in the base64 body");
            }
            return new Block(type, headers, der);
        } catch (IllegalArgumentException e) {
            throw new PemException("invalid base64 in the PEM body: " + e.getMessage());
        }
    }

    /** Encodes a block the way OpenSSL's PEM_write_* does (64-character lines, LF). */
    public static String encode(String type, byte[] der) {
        StringBuilder sb = new StringBuilder();
        sb.append("-----BEGIN ").append(type).append("-----\n");
        String b64 = Base64.getEncoder().encodeToString(der);
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        sb.append("-----END ").append(type).append("-----\n");
        return sb.toString();
    }
}
