package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.protocol.tls.TlsContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.net.Socket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS variants of a real server. A server restricted to cf-serverd's TLS 1.2 suites (static RSA: AES256-GCM-SHA384, AES256-SHA), as a
 * server with an older allowciphers setting is. JDK 17 negotiates them; JDK 24 and later disable
 * TLS_RSA_* by default, and we do not change JVM-wide security settings: the error must say so.
 * A server whose OpenSSL has no X25519 (FIPS mode): our first ClientHello offers X25519 only
 * (TlsContext.KeyShares), so the client must ask again with every group.
 */
class Tls12IT {
    @TempDir
    Path tmp;

    @Test
    void tls12OnlyServer() throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).allowCiphers("AES256-GCM-SHA384:AES256-SHA").start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(Protocol.TLS)) {
                if (Runtime.version().feature() < 24) {
                    RunResult r = c.run(RunRequest.builder(server.address()).build());
                    assertEquals(0, r.exitCode().orElseThrow());
                    assertEquals("TLSv1.2", r.tlsVersion().orElseThrow());
                    assertEquals("TLS_RSA_WITH_AES_256_GCM_SHA384", r.cipherSuite().orElseThrow());
                } else {
                    ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                            () -> c.run(RunRequest.builder(server.address()).build()));
                    assertTrue(e.getMessage().contains("TLS_AES_256_GCM_SHA384"), e.getMessage());
                }
            }
        }
    }

    @Test
    void serverWithoutX25519() throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).opensslGroups("P-256").start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            // this server refuses a ClientHello with X25519 only, as OpenSSL does: handshake_failure
            TlsContext tls = new TlsContext(KeyFiles.loadFromWorkdir(tmp.resolve("client")));
            try (Socket tcp = new Socket(server.address().host(), server.port())) {
                SSLSocket ssl = tls.layer(tcp, server.address().host(), server.port(), TlsContext.KeyShares.X25519_ONLY);
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class, ssl::startHandshake);
                assertTrue(TlsContext.needsAllGroups(e), e.getMessage());
            }
            // and the client, refused like that, asks again with every group: TLS 1.3 all the same
            try (CfRunClient c = client.client(Protocol.TLS)) {
                RunResult r = c.run(RunRequest.builder(server.address()).build());
                assertEquals(0, r.exitCode().orElseThrow());
                assertEquals("TLSv1.3", r.tlsVersion().orElseThrow());
            }
        }
    }
}
