package dev.cfrun.client.internal;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the client's key pair and trust store are: the work dir discovery and the builder's defaults. */
public final class WorkDirs {
    private WorkDirs() {
    }

    /**
     * The work dir a CFEngine admin expects: {@code /var/lib/cfengine3} (Debian) or {@code /var/cfengine}
     * (upstream), whichever holds a key pair we can see, else {@code ~/.cfrun}.
     */
    public static Path defaultWorkdir() {
        for (String d : List.of("/var/lib/cfengine3", "/var/cfengine")) {
            Path p = Path.of(d);
            if (Files.exists(KeyFiles.ppkeys(p).resolve(KeyFiles.PRIVATE_FILE))) {
                return p;
            }
        }
        return Path.of(System.getProperty("user.home"), ".cfrun");
    }

    /**
     * Our identity and the trust store's directory, from what the builder was given.
     *
     * @param identity       the loaded key pair
     * @param trustDirectory the ppkeys directory to use as trust store
     */
    public record Located(ClientIdentity identity, Path trustDirectory) {
    }

    /**
     * Loads the key pair: an explicit private key file (the trust store defaulting to the work dir's ppkeys,
     * else the key's directory), or the work dir's (default {@link #defaultWorkdir()}).
     *
     * @param workdir        null for the default
     * @param privateKey     null to use the work dir's
     * @param trustDirectory null for the default
     */
    public static Located locate(Path workdir, Path privateKey, Path publicKey, String passphrase, Path trustDirectory)
            throws KeyFileException {
        if (privateKey != null) {
            ClientIdentity id = KeyFiles.load(privateKey, publicKey, passphrase);
            Path trust = trustDirectory != null ? trustDirectory
                    : workdir != null ? KeyFiles.ppkeys(workdir) : privateKey.toAbsolutePath().getParent();
            return new Located(id, trust);
        }
        Path w = workdir != null ? workdir : defaultWorkdir();
        ClientIdentity id = KeyFiles.loadFromWorkdir(w);
        return new Located(id, trustDirectory != null ? trustDirectory : KeyFiles.ppkeys(w));
    }
}
