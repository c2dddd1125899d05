package dev.cfrun.startup;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.keys.KeyFiles;

import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A loopback stand-in for cf-serverd that answers one EXEC per connection, over TLS on one port and over
 * the classic protocol on another. Used only at build time: the training mains of the CLI and the handler
 * run the real client against it so that the class-data-sharing archive holds the classes of a real run.
 * It checks nothing (any key, any user) and is no reference for the protocol. It uses only the library's
 * public API, with its own tiny codec ({@code Wire}), so that it needs none of the client's internals.
 */
public final class TrainingServer implements Closeable {
    /**
     * The server's key pair and self-signed certificate, made once with the JDK's keytool (no secret: the
     * server runs on loopback at build time only):
     * {@code keytool -genkeypair -keyalg RSA -keysize 2048 -storetype PKCS12 -alias cf-serverd
     * -dname CN=cfrun-training -validity 36500 -storepass training -keypass training -keystore training-server.p12}.
     */
    private static final String KEYSTORE = "training-server.p12";
    private static final char[] PASSWORD = "training".toCharArray();

    private final PrivateKey privateKey;
    private final RSAPublicKey publicKey;
    private final ServerSocket tls;
    private final ServerSocket classic;
    private volatile boolean closed;

    /** Starts both listeners on loopback, on free ports. */
    public TrainingServer() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = TrainingServer.class.getResourceAsStream(KEYSTORE)) {
            if (in == null) {
                throw new IOException(KEYSTORE + " is missing from the class path");
            }
            store.load(in, PASSWORD);
        }
        privateKey = (PrivateKey) store.getKey("cf-serverd", PASSWORD);
        publicKey = (RSAPublicKey) ((X509Certificate) store.getCertificate("cf-serverd")).getPublicKey();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AnyClient()}, null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setNeedClientAuth(true);
        tls = s;
        classic = new ServerSocket();
        classic.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        accept(tls, this::tls);
        accept(classic, this::classic);
    }

    /** The server's public key. */
    public RSAPublicKey publicKey() {
        return publicKey;
    }

    /** The TLS listener's port on 127.0.0.1. */
    public int tlsPort() {
        return tls.getLocalPort();
    }

    /** The classic listener's port on 127.0.0.1. */
    public int classicPort() {
        return classic.getLocalPort();
    }

    /**
     * Makes {@code workdir} a client work dir for the training: a fresh key pair, and this server's key trusted
     * on both ports — fetched and stored through the client's public API, as {@code cfrun trust} does.
     */
    public Path clientWorkdir(Path workdir) throws CfRunException {
        KeyFiles.generate(workdir, KeyFiles.DEFAULT_BITS);
        for (Protocol p : new Protocol[] {Protocol.TLS, Protocol.CLASSIC}) {
            try (CfRunClient client = CfRunClient.builder().workdir(workdir).protocol(p).build()) {
                int port = p == Protocol.TLS ? tlsPort() : classicPort();
                client.trustServerKey(client.fetchServerKey(HostAddress.of("127.0.0.1", port)));
            }
        }
        return workdir;
    }

    /** Deletes a training directory and everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Stops both listeners; sessions in progress end with their client. */
    @Override
    public void close() {
        closed = true;
        try {
            tls.close();
            classic.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private interface Session {
        void serve(Socket s) throws IOException, GeneralSecurityException;
    }

    private void accept(ServerSocket server, Session session) {
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Socket s = server.accept();
                    Thread c = new Thread(() -> {
                        try (s) {
                            session.serve(s);
                        } catch (IOException | GeneralSecurityException | RuntimeException e) {
                            // the client went away or was refused: nothing to do
                        }
                    }, "training-session");
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "training-accept");
        t.setDaemon(true);
        t.start();
    }

    private void tls(Socket s) throws IOException {
        SSLSocket ssl = (SSLSocket) s;
        ssl.startHandshake();
        InputStream in = new BufferedInputStream(ssl.getInputStream());
        OutputStream out = ssl.getOutputStream();
        out.write("CFE_v3 cf-serverd 3.21.0\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Wire.readLine(in); // CFE_v3 cf-agent …
        Wire.readLine(in); // IDENTITY USERNAME=…
        out.write("OK WELCOME\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        exec(in, out);
    }

    private void classic(Socket s) throws IOException, GeneralSecurityException {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        read(in); // CAUTH
        byte[] sauth = read(in);
        BigInteger n = Wire.unmpi(read(in)); // the client's modulus
        BigInteger e = Wire.unmpi(read(in)); // and exponent
        String head = new String(sauth, 0, Math.min(sauth.length, 64), StandardCharsets.US_ASCII);
        boolean encrypted = head.startsWith("SAUTH y");
        int challengeLength = Integer.parseInt(head.split(" ")[2]);
        byte[] challenge = Arrays.copyOfRange(sauth, 24, 24 + challengeLength); // after the 24-byte header
        byte[] nonce = encrypted ? rsa(Cipher.DECRYPT_MODE, privateKey, challenge) : challenge;
        Wire.write(out, "OK: key accepted".getBytes(StandardCharsets.US_ASCII));
        Wire.write(out, MessageDigest.getInstance("MD5").digest(nonce));
        byte[] counter = new byte[32];
        new SecureRandom().nextBytes(counter);
        counter[0] |= (byte) 0x80;
        Key client = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        Wire.write(out, rsa(Cipher.ENCRYPT_MODE, client, Wire.mpi(new BigInteger(1, counter))));
        if (!encrypted) {
            Wire.write(out, Wire.mpi(publicKey.getModulus()));
            Wire.write(out, Wire.mpi(publicKey.getPublicExponent()));
        }
        out.flush();
        read(in); // the proof of our counter-challenge
        read(in); // the session key
        exec(in, out);
    }

    private static void exec(InputStream in, OutputStream out) throws IOException {
        while (true) { // EXEC, the select classes, the terminator
            byte[] f = Wire.read(in);
            if (f == null || Arrays.equals(f, Wire.TERMINATOR)) {
                break;
            }
        }
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        for (String line : new String[] {"cf-serverd executing cfruncommand: /bin/echo training", "> training",
            "> R: training run", "(exit code: 0)"}) {
            reply.writeBytes(Wire.frame(line));
        }
        reply.writeBytes(Wire.frame(Wire.TERMINATOR));
        out.write(reply.toByteArray());
        out.flush();
    }

    private static byte[] read(InputStream in) throws IOException {
        byte[] f = Wire.read(in);
        if (f == null) {
            throw new IOException("closed");
        }
        return f;
    }

    private static byte[] rsa(int mode, Key k, byte[] data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        c.init(mode, k);
        return c.doFinal(data);
    }

    /** Takes any client certificate (a real cf-serverd checks the key inside against its ppkeys). */
    private static final class AnyClient implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // anything
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // not a client
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
