package dev.cfrun.client;

import java.time.Duration;

/**
 * Where the time of a run went.
 *
 * @param connect   opening the TCP connection
 * @param handshake TLS handshake and identification, or the classic RSA dialogue
 * @param exec      from sending EXEC to the terminator (the remote agent's run)
 * @param total     the whole run, including name resolution and closing
 */
public record RunTimings(Duration connect, Duration handshake, Duration exec, Duration total) {
}
