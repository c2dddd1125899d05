package dev.cfrun.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Whether a process listens on a TCP port, read from /proc (no probe connection that the server would log). */
final class Listening {
    private Listening() {
    }

    static boolean isListening(int port, long pid) {
        Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return false;
        }
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (var s = Files.list(fds)) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // fd closed meanwhile
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Whether any socket listens on this TCP port in our network namespace (a host-networked container's too). */
    static boolean isListening(int port) {
        return !listeningInodes(port).isEmpty();
    }

    private static Set<String> listeningInodes(int port) {
        Set<String> out = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(f));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 9 && cols[1].endsWith(hexPort) && cols[3].equals("0A")) {
                    out.add(cols[9]);
                }
            }
        }
        return out;
    }
}
