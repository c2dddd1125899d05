package dev.cfrun.client.internal.keys;

import dev.cfrun.client.KeyFileException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * File operations for keys and trust data: bounded reads, owner-only permission checks, and atomic
 * writes (a temporary file in the same directory, fsync, then a hard link or rename, so that a reader
 * never sees half a key and a crash never leaves one).
 */
public final class SafeFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SafeFiles() {
    }

    /** Reads a whole file of at most {@code max} bytes. */
    public static byte[] readBounded(Path file, int max) throws KeyFileException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(max + 1);
            if (data.length > max) {
                throw new KeyFileException(file, "file is larger than " + max + " bytes; not a key file", null);
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "no such file", e);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a file or directory that group or others may access, as ssh does for private keys and
     * as cf-agent insists on a private ppkeys directory. No-op on file systems without POSIX modes.
     */
    public static void requireOwnerOnly(Path path, String what) throws KeyFileException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (NoSuchFileException e) {
            throw new KeyFileException(path, "no such " + what, e);
        } catch (IOException e) {
            throw new KeyFileException(path, "cannot check permissions: " + e.getMessage(), e);
        }
        Set<PosixFilePermission> bad = EnumSet.noneOf(PosixFilePermission.class);
        bad.addAll(perms);
        bad.retainAll(GROUP_OR_OTHER);
        if (!bad.isEmpty()) {
            boolean dir = Files.isDirectory(path);
            throw new KeyFileException(path, what + " is accessible by others (mode " + mode(perms)
                    + "); refusing to use it. Fix with: chmod " + (dir ? "700" : "600") + " " + path, null);
        }
    }

    /** Creates a directory (and parents) with mode 0700 if it does not exist. */
    public static void createPrivateDirectory(Path dir) throws KeyFileException {
        try {
            if (Files.isDirectory(dir)) {
                return;
            }
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, posix("rwx------"));
            } catch (UnsupportedOperationException e) {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new KeyFileException(dir, "exists and is not a directory", e);
            }
        } catch (IOException e) {
            throw new KeyFileException(dir, "cannot create directory: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new file atomically with mode 0600, refusing to replace anything that exists at that
     * name (a file, or a symlink planted there).
     *
     * @return false if the target already existed (nothing written)
     */
    public static boolean writeNew(Path target, byte[] content) throws KeyFileException {
        Path tmp = writeTemp(target, content);
        try {
            try {
                Files.createLink(target, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | IOException linkUnsupported) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                Files.move(tmp, target); // no REPLACE_EXISTING: fails rather than overwrite
                return true;
            }
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new KeyFileException(target, "cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Replaces a file atomically with mode 0600 (a symlink at that name is replaced, never followed). */
    public static void replace(Path target, byte[] content) throws KeyFileException {
        Path tmp = writeTemp(target, content);
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new KeyFileException(target, "cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static Path writeTemp(Path target, byte[] content) throws KeyFileException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            try {
                tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", posix("rw-------"));
            } catch (UnsupportedOperationException e) {
                tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            }
        } catch (IOException e) {
            throw new KeyFileException(target, "cannot create a file in " + dir + ": " + e.getMessage(), e);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new KeyFileException(target, "cannot write: " + e.getMessage(), e);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> posix(String perms) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms));
    }

    private static String mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", m);
    }
}
