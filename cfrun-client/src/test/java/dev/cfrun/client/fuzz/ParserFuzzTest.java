package dev.cfrun.client.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.protocol.ReplyClassifier;
import dev.cfrun.client.internal.protocol.classic.Mpi;
import dev.cfrun.client.internal.transport.Frame;
import dev.cfrun.client.internal.transport.FrameException;
import dev.cfrun.client.internal.transport.Frames;
import dev.cfrun.client.internal.transport.TruncatedException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of every parser that reads what a server or a key file says. Each target may
 * only return a value or throw the parser's own typed error; anything else (an unchecked exception, a
 * hang, an allocation beyond the limits) is a finding. In a normal build these run the checked-in
 * inputs under src/test/resources/.../ParserFuzzTestInputs/ (regression mode); scripts/fuzz.sh fuzzes.
 */
class ParserFuzzTest {

    /** The transaction reader: frames, continued messages and identification lines from a hostile peer. */
    @FuzzTest(maxDuration = "30m")
    void frames(byte[] data) throws IOException {
        InputStream in = new ByteArrayInputStream(data);
        try {
            for (int i = 0; i < 1000; i++) {
                Frame f = Frames.read(in);
                if (f == null) {
                    break;
                }
                if (f.payload().length < 1 || f.payload().length > Frames.MAX_PAYLOAD) {
                    throw new AssertionError("frame outside the limits: " + f.payload().length);
                }
                ReplyClassifier.isTerminator(f.payload());
                f.text();
            }
        } catch (FrameException | TruncatedException expected) {
            // a typed protocol error
        }
        try {
            byte[] m = Frames.readMessage(new ByteArrayInputStream(data), 64 * 1024);
            if (m != null && m.length > 64 * 1024) {
                throw new AssertionError("message over its bound");
            }
        } catch (FrameException | TruncatedException expected) {
            // a typed protocol error
        }
        try {
            String line = Frames.readLine(new ByteArrayInputStream(data), 1024);
            if (line != null && line.length() > 1024) {
                throw new AssertionError("line over its bound");
            }
        } catch (FrameException | TruncatedException expected) {
            // a typed protocol error
        }
    }

    /** The reply classifier: any payload becomes exactly one classified line, in both dialects. */
    @FuzzTest(maxDuration = "30m")
    void replies(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        for (ReplyLine l : new ReplyLine[] {ReplyClassifier.classify(raw), ReplyClassifier.classifyCfengine2(raw, true, false),
            ReplyClassifier.classifyCfengine2(raw, false, true), ReplyClassifier.classifyCfengine2(raw, false, false)}) {
            if (l == null || !l.raw().equals(raw)) {
                throw new AssertionError("the raw payload must be kept: " + l);
            }
            if (l.kind() == ReplyLine.Kind.EXIT_CODE) {
                Integer.parseInt(l.text()); // must be a number
            }
        }
    }

    /** Key files: PEM armour, DER, legacy encryption; only KeyFileException for anything malformed. */
    @FuzzTest(maxDuration = "30m")
    void keys(byte[] data) {
        try {
            RsaKeys.readPrivate(data, RsaKeys.CFENGINE_PASSPHRASE);
        } catch (KeyFileException expected) {
            // a clear error
        }
        try {
            RsaKeys.readPublic(data);
        } catch (KeyFileException expected) {
            // a clear error
        }
    }

    /** The same key readers, but fed well-formed PEM armour around fuzzed DER (reaches the DER parser). */
    @FuzzTest(maxDuration = "30m")
    void keyDer(FuzzedDataProvider data) {
        boolean encrypted = data.consumeBoolean();
        String type = data.pickValue(new String[] {"RSA PRIVATE KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "PUBLIC KEY"});
        byte[] der = data.consumeRemainingAsBytes();
        String pem = "-----BEGIN " + type + "-----\n"
                + (encrypted ? "Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0123456789ABCDEF\n\n" : "")
                + java.util.Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
        keys(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** OpenSSL MPIs as the classic protocol carries them. */
    @FuzzTest(maxDuration = "30m")
    void mpi(byte[] data) {
        try {
            if (Mpi.decode(data, "fuzz").signum() < 0) {
                throw new AssertionError("negative MPI accepted");
            }
        } catch (dev.cfrun.client.ProtocolViolationException expected) {
            // a typed protocol error
        }
    }
}
