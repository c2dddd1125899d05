package dev.cfrun.client.internal.keys;

import dev.cfrun.client.KeyFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.cfrun.client.keys.KeyFixtures.chmod;
import static dev.cfrun.client.keys.KeyFixtures.mode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeFilesTest {
    @TempDir
    Path tmp;

    private static final byte[] NEW = "new content\n".getBytes(StandardCharsets.US_ASCII);

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeNewCreatesAnOwnerOnlyFile() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path f = dir.resolve("a.pub");
        assertTrue(SafeFiles.writeNew(f, NEW));
        assertArrayEquals(NEW, Files.readAllBytes(f));
        assertEquals("rw-------", mode(f));
        assertEquals(List.of("a.pub"), names(dir), "temporary file removed");
    }

    @Test
    void writeNewLeavesAnExistingFileAlone() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.pub"), "old");
        assertFalse(SafeFiles.writeNew(f, NEW));
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("a.pub"), names(tmp));
    }

    @Test
    void writeNewNeverFollowsASymlinkPlantedAtTheTarget() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve("a.pub"), victim);
        assertFalse(SafeFiles.writeNew(link, NEW));
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(victim, Files.readSymbolicLink(link));

        // dangling: following it would create the file the link points to
        Path nowhere = tmp.resolve("nowhere");
        Path dangling = Files.createSymbolicLink(dir.resolve("b.pub"), nowhere);
        assertFalse(SafeFiles.writeNew(dangling, NEW));
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals(List.of("a.pub", "b.pub"), names(dir), "temporary files removed");
    }

    @Test
    void replaceWritesAtomicallyWithOwnerOnlyMode() throws Exception {
        Path f = Files.writeString(tmp.resolve("record"), "old");
        chmod(f, "rw-r--r--");
        SafeFiles.replace(f, NEW);
        assertArrayEquals(NEW, Files.readAllBytes(f));
        assertEquals("rw-------", mode(f));
        SafeFiles.replace(tmp.resolve("fresh"), NEW);
        assertArrayEquals(NEW, Files.readAllBytes(tmp.resolve("fresh")));
        assertEquals(List.of("fresh", "record"), names(tmp));
    }

    @Test
    void replaceReplacesASymlinkInsteadOfWritingThroughIt() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve("cfrun_lastseen"), victim);
        SafeFiles.replace(link, NEW);
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(link));
        assertTrue(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(NEW, Files.readAllBytes(link));
        assertEquals(List.of("cfrun_lastseen"), names(dir));
    }

    @Test
    void writeIntoAMissingDirectoryFailsWithKeyFileException() {
        Path f = tmp.resolve("no/such/dir/file");
        assertThrows(KeyFileException.class, () -> SafeFiles.writeNew(f, NEW));
        assertThrows(KeyFileException.class, () -> SafeFiles.replace(f, NEW));
    }

    @Test
    void readBounded() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[100]);
        assertEquals(100, SafeFiles.readBounded(f, 100).length);
        KeyFileException e = assertThrows(KeyFileException.class, () -> SafeFiles.readBounded(f, 99));
        assertTrue(e.getMessage().contains("larger than 99"), e.getMessage());
        e = assertThrows(KeyFileException.class, () -> SafeFiles.readBounded(tmp.resolve("missing"), 10));
        assertEquals(tmp.resolve("missing"), e.path().orElseThrow());
        assertThrows(KeyFileException.class, () -> SafeFiles.readBounded(tmp, 10)); // a directory
    }

    @Test
    void requireOwnerOnly() throws Exception {
        Path f = Files.writeString(tmp.resolve("k"), "x");
        chmod(f, "rw-------");
        SafeFiles.requireOwnerOnly(f, "key");
        chmod(f, "r--------");
        SafeFiles.requireOwnerOnly(f, "key");
        for (String bad : new String[] {"rw-r--r--", "rw-----w-", "rw---x---", "rw-rw-rw-"}) {
            chmod(f, bad);
            KeyFileException e = assertThrows(KeyFileException.class, () -> SafeFiles.requireOwnerOnly(f, "key"), bad);
            assertTrue(e.getMessage().contains("chmod 600 " + f), e.getMessage());
            assertTrue(e.getMessage().contains("key is accessible by others"), e.getMessage());
        }
        Path d = Files.createDirectory(tmp.resolve("dir"));
        chmod(d, "rwxr-x---");
        KeyFileException e = assertThrows(KeyFileException.class, () -> SafeFiles.requireOwnerOnly(d, "ppkeys directory"));
        assertTrue(e.getMessage().contains("chmod 700 " + d), e.getMessage());
        assertTrue(e.getMessage().contains("(mode 0750)"), e.getMessage());
        assertThrows(KeyFileException.class, () -> SafeFiles.requireOwnerOnly(tmp.resolve("missing"), "key"));
    }

    @Test
    void createPrivateDirectory() throws Exception {
        Path d = tmp.resolve("a/b/ppkeys");
        SafeFiles.createPrivateDirectory(d);
        assertEquals("rwx------", mode(d));
        SafeFiles.createPrivateDirectory(d); // exists: fine
        Path file = Files.writeString(tmp.resolve("notadir"), "x");
        assertThrows(KeyFileException.class, () -> SafeFiles.createPrivateDirectory(file));
    }
}
