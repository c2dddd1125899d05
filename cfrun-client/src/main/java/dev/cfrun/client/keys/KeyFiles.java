package dev.cfrun.client.keys;

import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.keys.SafeFiles;
import dev.cfrun.client.internal.keys.Pem;

import dev.cfrun.client.KeyFileException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAKeyGenParameterSpec;

/** Our own key pair on disk: {@code <workdir>/ppkeys/localhost.priv} and {@code localhost.pub}. */
public final class KeyFiles {
    /** The keys directory under a work dir. */
    public static final String PPKEYS = "ppkeys";
    /** Our private key's file name in ppkeys. */
    public static final String PRIVATE_FILE = "localhost.priv";
    /** Our public key's file name in ppkeys. */
    public static final String PUBLIC_FILE = "localhost.pub";
    /** The key size cf-key uses. */
    public static final int DEFAULT_BITS = 2048;

    private KeyFiles() {
    }

    /**
     * @param workdir a CFEngine work dir
     * @return its ppkeys directory
     */
    public static Path ppkeys(Path workdir) {
        return workdir.resolve(PPKEYS);
    }

    /**
     * Loads the identity of a CFEngine work dir. The ppkeys directory and the private key must not be
     * accessible by group or others. If {@code localhost.pub} exists it must match the private key.
     *
     * @param workdir a CFEngine work dir, e.g. {@code /var/lib/cfengine3}
     * @return our identity, from {@code ppkeys/localhost.priv}
     * @throws KeyFileException if the key is missing, unreadable, corrupt, mismatched or accessible by others
     */
    public static ClientIdentity loadFromWorkdir(Path workdir) throws KeyFileException {
        Path dir = ppkeys(workdir);
        if (!Files.isDirectory(dir)) {
            throw new KeyFileException(dir, "no ppkeys directory (create a key pair with 'cfrun keygen' or cf-key)", null);
        }
        SafeFiles.requireOwnerOnly(dir, "ppkeys directory");
        return load(dir.resolve(PRIVATE_FILE), dir.resolve(PUBLIC_FILE), RsaKeys.CFENGINE_PASSPHRASE);
    }

    /**
     * Loads a private key (and checks the public key file against it, if that file exists).
     *
     * @param privateFile our private key (PEM, as cf-key writes it)
     * @param publicFile  our public key, or {@code null}; checked only if it exists
     * @param passphrase  the passphrase of an encrypted private key (CFEngine's default is {@code Cfengine passphrase})
     * @return our identity
     * @throws KeyFileException if the key is missing, unreadable, corrupt, mismatched or accessible by others
     */
    public static ClientIdentity load(Path privateFile, Path publicFile, String passphrase) throws KeyFileException {
        if (!Files.exists(privateFile)) {
            throw new KeyFileException(privateFile, "no private key (create one with 'cfrun keygen' or cf-key)", null);
        }
        SafeFiles.requireOwnerOnly(privateFile, "private key");
        RSAPrivateCrtKey priv;
        try {
            priv = RsaKeys.readPrivate(SafeFiles.readBounded(privateFile, Pem.MAX_TEXT), passphrase);
        } catch (KeyFileException e) {
            throw e.path().isPresent() ? e : new KeyFileException(privateFile, e.getMessage(), e);
        }
        ClientIdentity id = new ClientIdentity(priv);
        if (publicFile != null && Files.exists(publicFile)) {
            RSAPublicKey pub = readPublic(publicFile);
            if (!RsaKeys.sameKey(pub, id.publicKey())) {
                throw new KeyFileException(publicFile, "does not match " + privateFile.getFileName()
                        + " (" + KeyDigest.md5(pub) + " vs " + id.digest() + ")", null);
            }
        }
        return id;
    }

    /**
     * Writes a file that only its owner may read (mode 0600, its directory created 0700 if missing), replacing
     * it atomically and never following a symlink planted in its place: for files beside keys, such as reports.
     *
     * @param file    the file to write
     * @param content the whole new content
     * @throws KeyFileException if the directory or the file cannot be created or written safely
     */
    public static void writeOwnerOnly(Path file, byte[] content) throws KeyFileException {
        SafeFiles.createPrivateDirectory(file.toAbsolutePath().getParent());
        SafeFiles.replace(file, content);
    }

    /**
     * Reads a public key file (ours or a peer's).
     *
     * @param file a PEM public key file, e.g. {@code ppkeys/root-MD5=….pub}
     * @return the key
     * @throws KeyFileException if the file cannot be read or holds no RSA public key
     */
    public static RSAPublicKey readPublic(Path file) throws KeyFileException {
        try {
            return RsaKeys.readPublic(SafeFiles.readBounded(file, Pem.MAX_TEXT));
        } catch (KeyFileException e) {
            throw e.path().isPresent() ? e : new KeyFileException(file, e.getMessage(), e);
        }
    }

    /**
     * Generates a key pair exactly as {@code cf-key} writes it (PKCS#1 PEM, unencrypted, e = 65537,
     * both files mode 0600) into {@code <workdir>/ppkeys}. Refuses to overwrite an existing key.
     *
     * @param workdir the CFEngine work dir to create the key pair in
     * @param bits    the key size, a multiple of 8 from 1024 to 16384 (cf-key: {@link #DEFAULT_BITS})
     * @return the new identity
     * @throws KeyFileException if a key file exists, the size is invalid, or the files cannot be written
     */
    public static ClientIdentity generate(Path workdir, int bits) throws KeyFileException {
        Path dir = ppkeys(workdir);
        return generate(dir.resolve(PRIVATE_FILE), dir.resolve(PUBLIC_FILE), bits);
    }

    /**
     * Generates a key pair into the two named files (cf-key -f). Refuses to overwrite either.
     *
     * @param privateFile where to write the private key
     * @param publicFile  where to write the public key
     * @param bits        the key size, a multiple of 8 from 1024 to 16384
     * @return the new identity
     * @throws KeyFileException if a file exists, the size is invalid, or the files cannot be written
     */
    public static ClientIdentity generate(Path privateFile, Path publicFile, int bits) throws KeyFileException {
        if (bits < 1024 || bits > 16384 || bits % 8 != 0) {
            throw new KeyFileException("key size must be a multiple of 8 between 1024 and 16384 bits: " + bits);
        }
        for (Path p : new Path[] {privateFile, publicFile}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new KeyFileException(p, "already exists; refusing to overwrite a key (remove it first if you really mean to)", null);
            }
        }
        Path dir = privateFile.toAbsolutePath().getParent();
        SafeFiles.createPrivateDirectory(dir);
        KeyPair kp;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), new SecureRandom());
            kp = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(null, "cannot generate an RSA key: " + e.getMessage(), e);
        }
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kp.getPrivate();
        byte[] privPem = RsaKeys.writePrivate(priv).getBytes(StandardCharsets.US_ASCII);
        byte[] pubPem = RsaKeys.writePublic((RSAPublicKey) kp.getPublic()).getBytes(StandardCharsets.US_ASCII);
        if (!SafeFiles.writeNew(privateFile, privPem)) {
            throw new KeyFileException(privateFile, "already exists; refusing to overwrite a key", null);
        }
        boolean ok = false;
        try {
            if (!SafeFiles.writeNew(publicFile, pubPem)) {
                throw new KeyFileException(publicFile, "already exists; refusing to overwrite a key", null);
            }
            ok = true;
        } finally {
            if (!ok) {
                SafeFiles.deleteQuietly(privateFile); // never leave half a key pair
            }
        }
        return new ClientIdentity(priv);
    }
}
