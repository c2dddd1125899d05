package dev.cfrun.cli;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.trust.TrustStore;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.protocol.classic.Mpi;
import dev.cfrun.client.internal.protocol.tls.ClientCertificate;
import dev.cfrun.client.internal.transport.Frame;
import dev.cfrun.client.internal.transport.Frames;

import javax.crypto.Cipher;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
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
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A loopback stand-in for cf-serverd that answers one EXEC per connection, over TLS on one port and over
 * the classic protocol on another. Used only at build time: {@link CdsTraining} runs the real client
 * against it so that the class-data-sharing archive holds the classes of a real run. It checks nothing
 * (any key, any user) and is no reference for the protocol.
 */
public final class TrainingServer implements Closeable {
    private final ClientIdentity key;
    private final ServerSocket tls;
    private final ServerSocket classic;
    private volatile boolean closed;

    public TrainingServer() throws IOException, GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        key = new ClientIdentity((RSAPrivateCrtKey) g.generateKeyPair().getPrivate());
        X509Certificate cert = ClientCertificate.create(key); // cf-serverd's certificate is of the same kind
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new OneKey(cert, key.privateKey())}, new TrustManager[] {new AnyClient()}, null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setNeedClientAuth(true);
        tls = s;
        classic = new ServerSocket();
        classic.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        accept(tls, this::tls);
        accept(classic, this::classic);
    }

    /** The server's public key (to put in the client's trust store). */
    public RSAPublicKey publicKey() {
        return key.publicKey();
    }

    public int tlsPort() {
        return tls.getLocalPort();
    }

    public int classicPort() {
        return classic.getLocalPort();
    }

    /**
     * Makes {@code workdir} a client work dir for the training: a fresh key pair, and this server's key trusted
     * on both ports (for the classic port, the "y" form).
     */
    public Path clientWorkdir(Path workdir) throws KeyFileException {
        KeyFiles.generate(workdir, KeyFiles.DEFAULT_BITS);
        TrustStore trust = new TrustStore(KeyFiles.ppkeys(workdir), System.getProperty("user.name", "root"));
        trust.trust(publicKey(), "127.0.0.1", tlsPort());
        trust.trust(publicKey(), "127.0.0.1", classicPort());
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
        Frames.readLine(in, 1024); // CFE_v3 cf-agent …
        Frames.readLine(in, 1024); // IDENTITY USERNAME=…
        out.write("OK WELCOME\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        exec(in, out);
    }

    private void classic(Socket s) throws IOException, GeneralSecurityException {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        read(in); // CAUTH
        byte[] sauth = read(in);
        BigInteger n = Mpi.decode(read(in), "client modulus");
        BigInteger e = Mpi.decode(read(in), "client exponent");
        String head = new String(sauth, 0, Math.min(sauth.length, 64), StandardCharsets.US_ASCII);
        boolean encrypted = head.startsWith("SAUTH y");
        int challengeLength = Integer.parseInt(head.split(" ")[2]);
        byte[] challenge = Arrays.copyOfRange(sauth, 24, 24 + challengeLength); // after the 24-byte header
        byte[] nonce = encrypted ? rsa(Cipher.DECRYPT_MODE, key.privateKey(), challenge) : challenge;
        Frames.write(out, "OK: key accepted".getBytes(StandardCharsets.US_ASCII));
        Frames.write(out, MessageDigest.getInstance("MD5").digest(nonce));
        byte[] counter = new byte[32];
        new SecureRandom().nextBytes(counter);
        counter[0] |= (byte) 0x80;
        Frames.write(out, rsa(Cipher.ENCRYPT_MODE, RsaKeys.publicKey(n, e), Mpi.encode(new BigInteger(1, counter))));
        if (!encrypted) {
            Frames.write(out, Mpi.encode(key.publicKey().getModulus()));
            Frames.write(out, Mpi.encode(key.publicKey().getPublicExponent()));
        }
        out.flush();
        read(in); // the proof of our counter-challenge
        read(in); // the session key
        exec(in, out);
    }

    private static void exec(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (true) { // EXEC, the select classes, the terminator
            Frame f = Frames.read(in);
            if (f == null || Arrays.equals(f.payload(), Frames.TERMINATOR_BYTES)) {
                break;
            }
        }
        for (String line : new String[] {"cf-serverd executing cfruncommand: /bin/echo training", "> training",
            "> R: training run", "(exit code: 0)"}) {
            reply.write(Frames.encode(line));
        }
        reply.write(Frames.encode(Frames.TERMINATOR_BYTES));
        out.write(reply.toByteArray());
        out.flush();
    }

    private static byte[] read(InputStream in) throws IOException {
        Frame f = Frames.read(in);
        if (f == null) {
            throw new IOException("closed");
        }
        return f.payload();
    }

    private static byte[] rsa(int mode, java.security.Key k, byte[] data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        c.init(mode, k);
        return c.doFinal(data);
    }

    /** Presents the server certificate. */
    private static final class OneKey extends X509ExtendedKeyManager {
        private final X509Certificate cert;
        private final PrivateKey key;

        OneKey(X509Certificate cert, PrivateKey key) {
            this.cert = cert;
            this.key = key;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {"server"};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keyType.startsWith("RSA") ? "server" : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {cert};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
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
