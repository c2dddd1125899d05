package dev.cfrun.client.internal.keys;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFixtures;

import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.KeyFileException;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.cfrun.client.keys.KeyFixtures.bytes;
import static dev.cfrun.client.keys.KeyFixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RsaKeysTest {
    private static final String PASS = RsaKeys.CFENGINE_PASSPHRASE;

    // ---- reading cf-key's files ----

    @Test
    void readsTheKeyPairCfKeyWrote() throws Exception {
        RSAPrivateCrtKey priv = RsaKeys.readPrivate(bytes("cfkey.priv"), null);
        java.security.interfaces.RSAPublicKey pub = RsaKeys.readPublic(bytes("cfkey.pub"));
        assertEquals(2048, pub.getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), pub.getPublicExponent());
        assertTrue(RsaKeys.sameKey(pub, RsaKeys.publicOf(priv)), "localhost.pub is the public half of localhost.priv");
        assertEquals(priv.getPrimeP().multiply(priv.getPrimeQ()), priv.getModulus());
    }

    @Test
    void digestsEqualWhatCfKeyPrintsAndAnIndependentSha256() throws Exception {
        java.security.interfaces.RSAPublicKey pub = RsaKeys.readPublic(bytes("cfkey.pub"));
        assertEquals(KeyFixtures.CFKEY_MD5, KeyDigest.md5(pub));
        assertEquals(KeyFixtures.CFKEY_SHA, KeyDigest.sha256(pub));
        assertEquals(KeyFixtures.CFKEY_MD5, new ClientIdentity(RsaKeys.readPrivate(bytes("cfkey.priv"), null)).digest());

        // and recomputed here, from BouncyCastle's view of the DER, without KeyDigest
        RSAPublicKey bc = RSAPublicKey.getInstance(pemBody("cfkey.pub"));
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(bc.getModulus().toByteArray(), 1, 256); // 2048-bit modulus: toByteArray has a 0x00 sign byte
        md5.update(new byte[] {1, 0, 1});
        assertEquals(KeyFixtures.CFKEY_MD5, "MD5=" + HexFormat.of().formatHex(md5.digest()));
    }

    @Test
    void cfengine2StyleKeyWithExponent35() throws Exception {
        java.security.interfaces.RSAPublicKey pub = RsaKeys.readPublic(bytes("e35.pub"));
        assertEquals(BigInteger.valueOf(35), pub.getPublicExponent());
        assertEquals(KeyFixtures.E35_MD5, KeyDigest.md5(pub));
        assertEquals(KeyFixtures.E35_SHA, KeyDigest.sha256(pub));
        RSAPrivateCrtKey priv = RsaKeys.readPrivate(bytes("e35.priv"), null);
        assertTrue(RsaKeys.sameKey(pub, RsaKeys.publicOf(priv)));
        assertSamePrivate(priv, RsaKeys.readPrivate(bytes("e35-des3.priv"), PASS));
    }

    @Test
    void unencryptedKeyIgnoresThePassphrase() throws Exception {
        RSAPrivateCrtKey a = RsaKeys.readPrivate(bytes("cfkey.priv"), null);
        RSAPrivateCrtKey b = RsaKeys.readPrivate(bytes("cfkey.priv"), "anything");
        assertSamePrivate(a, b);
    }

    // ---- legacy encryption ----

    @ParameterizedTest
    @ValueSource(strings = {"cfkey-des3.priv", "cfkey-aes128.priv", "cfkey-aes256.priv"})
    void legacyEncryptedKeyDecryptsToTheSameKey(String file) throws Exception {
        String t = text(file);
        assertTrue(t.contains("Proc-Type: 4,ENCRYPTED"), "fixture is encrypted");
        assertSamePrivate(KeyFixtures.cfkeyPrivate(), RsaKeys.readPrivate(bytes(file), PASS));
    }

    @Test
    void desEde3FixtureHasTheHeadersOldCfEngineWrote() throws Exception {
        Pem.Block b = Pem.decode(bytes("cfkey-des3.priv"));
        assertEquals("4,ENCRYPTED", b.headers().get("Proc-Type"));
        assertTrue(b.headers().get("DEK-Info").matches("DES-EDE3-CBC,[0-9A-F]{16}"), b.headers().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cfkey-des3.priv", "cfkey-aes128.priv", "cfkey-aes256.priv", "e35-des3.priv"})
    void wrongPassphraseIsAClearKeyFileException(String file) {
        for (String wrong : new String[] {"", "wrong", "cfengine passphrase", "Cfengine passphrase ", "public"}) {
            KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(bytes(file), wrong), wrong);
            assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());
            assertEquals(ErrorKind.LOCAL_KEY, e.kind());
        }
    }

    @Test
    void encryptedKeyWithoutPassphrase() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(bytes("cfkey-des3.priv"), null));
        assertTrue(e.getMessage().contains("no passphrase"), e.getMessage());
    }

    @Test
    void bytesToKeyMatchesOpenSslEvpBytesToKey() {
        // D1 = MD5(pass || salt), D2 = MD5(D1 || pass || salt); 3DES key = D1 || D2[0..8)
        byte[] pass = PASS.getBytes(StandardCharsets.US_ASCII);
        byte[] salt = HexFormat.of().parseHex("0102030405060708");
        byte[] d1 = md5(concat(pass, salt));
        byte[] d2 = md5(concat(d1, pass, salt));
        byte[] expected = concat(d1, Arrays.copyOf(d2, 8));
        assertArrayEquals(expected, RsaKeys.bytesToKey(pass, salt, 24));
        assertArrayEquals(d1, RsaKeys.bytesToKey(pass, salt, 16));
    }

    @Test
    void badDekInfoHeaders() {
        String enc = text("cfkey-des3.priv");
        String dek = enc.lines().filter(l -> l.startsWith("DEK-Info:")).findFirst().orElseThrow();
        String iv = dek.substring(dek.indexOf(',') + 1);
        assertKeyFileError(enc.replace(dek, "DEK-Info: BF-CBC," + iv), "unsupported private key encryption");
        assertKeyFileError(enc.replace(dek, "DEK-Info: DES-EDE3-CBC,XYZ"), "invalid IV");
        assertKeyFileError(enc.replace(dek, "DEK-Info: DES-EDE3-CBC," + iv + "00"), "IV in DEK-Info has 9 bytes");
        assertKeyFileError(enc.replace(dek, "DEK-Info: AES-128-CBC," + iv), "IV in DEK-Info has 8 bytes");
        assertKeyFileError(enc.replace(dek + "\n", ""), "DEK-Info");
        // a different IV decrypts the first block to garbage: wrong passphrase or corrupt
        String otherIv = iv.startsWith("0") ? "1" + iv.substring(1) : "0" + iv.substring(1);
        assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                enc.replace(dek, "DEK-Info: DES-EDE3-CBC," + otherIv).getBytes(StandardCharsets.US_ASCII), PASS));
    }

    // ---- writing exactly what cf-key / openssl write ----

    @ParameterizedTest
    @ValueSource(strings = {"cfkey", "e35"})
    void writeIsByteIdenticalToCfKeyOutput(String base) throws Exception {
        byte[] privFile = bytes(base + ".priv");
        byte[] pubFile = bytes(base + ".pub");
        RSAPrivateCrtKey priv = RsaKeys.readPrivate(privFile, null);
        assertArrayEquals(privFile, RsaKeys.writePrivate(priv).getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(pubFile, RsaKeys.writePublic(RsaKeys.readPublic(pubFile)).getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(pubFile, RsaKeys.writePublic(RsaKeys.publicOf(priv)).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void writePublicMatchesTheTrustFileCfKeyWrote() throws Exception {
        assertArrayEquals(bytes("cfkey-trusted-e35.pub"),
                RsaKeys.writePublic(KeyFixtures.e35Public()).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void writtenDerIsWhatBouncyCastleReads() throws Exception {
        RSAPrivateCrtKey k = KeyFixtures.cfkeyPrivate();
        RSAPrivateKey bc = RSAPrivateKey.getInstance(Pem.decode(RsaKeys.writePrivate(k).getBytes(StandardCharsets.US_ASCII)).der());
        assertEquals(BigInteger.ZERO, bc.getVersion());
        assertEquals(k.getModulus(), bc.getModulus());
        assertEquals(k.getPrivateExponent(), bc.getPrivateExponent());
        assertEquals(k.getCrtCoefficient(), bc.getCoefficient());
    }

    // ---- other encodings accepted ----

    @Test
    void pkcs8AndSpkiAreAccepted() throws Exception {
        assertSamePrivate(KeyFixtures.cfkeyPrivate(), RsaKeys.readPrivate(bytes("cfkey-pkcs8.priv"), null));
        java.security.interfaces.RSAPublicKey spki = RsaKeys.readPublic(bytes("cfkey-spki.pub"));
        assertTrue(RsaKeys.sameKey(KeyFixtures.cfkeyPublic(), spki));
        assertEquals(KeyFixtures.CFKEY_MD5, KeyDigest.md5(spki));
        // converting back gives cf-key's format
        assertArrayEquals(bytes("cfkey.pub"), RsaKeys.writePublic(spki).getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(bytes("cfkey.priv"), RsaKeys.writePrivate(RsaKeys.readPrivate(bytes("cfkey-pkcs8.priv"), null))
                .getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void pkcs8EncryptedIsRefusedWithAHint() {
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> RsaKeys.readPrivate(bytes("cfkey-pkcs8-encrypted.priv"), PASS));
        assertTrue(e.getMessage().contains("-traditional"), e.getMessage());
    }

    @Test
    void nonRsaKeysAreRefused() {
        assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(bytes("ec.priv"), null));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(bytes("ec-spki.pub")));
    }

    // ---- refusals ----

    @Test
    void wrongTypes() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(bytes("cfkey.pub"), PASS));
        assertTrue(e.getMessage().contains("RSA PUBLIC KEY"), e.getMessage());
        e = assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(bytes("cfkey.priv")));
        assertTrue(e.getMessage().contains("RSA PRIVATE KEY"), e.getMessage());
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(bytes("cfkey-pkcs8.priv")));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(bytes("cfkey-spki.pub"), PASS));
        // right label, wrong body: a public key's DER under the private label and vice versa
        assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                Pem.encode(RsaKeys.PRIVATE_TYPE, pemBody("cfkey.pub")).getBytes(StandardCharsets.US_ASCII), PASS));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(
                Pem.encode(RsaKeys.PUBLIC_TYPE, pemBody("cfkey.priv")).getBytes(StandardCharsets.US_ASCII)));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(
                Pem.encode("PUBLIC KEY", pemBody("cfkey-pkcs8.priv")).getBytes(StandardCharsets.US_ASCII)));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                Pem.encode("PRIVATE KEY", pemBody("cfkey-spki.pub")).getBytes(StandardCharsets.US_ASCII), PASS));
    }

    @Test
    void emptyAndNonPemInputs() {
        assertKeyFileError("", "BEGIN");
        assertKeyFileError("hello world\n", "BEGIN");
        assertKeyFileError("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host\n", "BEGIN");
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(new byte[0]));
    }

    @Test
    void hugeFileRefused() {
        byte[] big = new byte[Pem.MAX_TEXT + 1];
        Arrays.fill(big, (byte) ' ');
        byte[] key = bytes("cfkey.priv");
        System.arraycopy(key, 0, big, 0, key.length); // a valid key followed by 64 KiB of blanks
        KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(big, PASS));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(big));
    }

    @Test
    void truncatedFiles() {
        byte[] priv = bytes("cfkey.priv");
        for (int len : new int[] {1, 20, 40, priv.length / 2, priv.length - 20}) {
            assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(Arrays.copyOf(priv, len), PASS), "length " + len);
        }
        byte[] der = pemBody("cfkey.priv");
        for (int cut : new int[] {1, 10, der.length / 2, der.length - 4}) {
            byte[] shortDer = Arrays.copyOf(der, der.length - cut);
            KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                    Pem.encode(RsaKeys.PRIVATE_TYPE, shortDer).getBytes(StandardCharsets.US_ASCII), PASS));
            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        }
        byte[] pubDer = pemBody("cfkey.pub");
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(
                Pem.encode(RsaKeys.PUBLIC_TYPE, Arrays.copyOf(pubDer, pubDer.length - 3)).getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void garbageBase64() {
        String pub = text("cfkey.pub");
        String[] lines = pub.split("\n");
        assertKeyFileError(pub.replace(lines[2], lines[2].substring(0, 10) + "!*?" + lines[2].substring(13)), null);
        assertKeyFileError(pub.replace(lines[2], lines[2].substring(0, 10) + "=" + lines[2].substring(11)), null);
        assertKeyFileError("-----BEGIN RSA PUBLIC KEY-----\n%%%%\n-----END RSA PUBLIC KEY-----\n", null);
        assertKeyFileError("-----BEGIN RSA PUBLIC KEY-----\n\n-----END RSA PUBLIC KEY-----\n", null);
    }

    @Test
    void inconsistentPrivateKeyRefused() throws Exception {
        RSAPrivateCrtKey k = KeyFixtures.cfkeyPrivate();
        byte[] der = Der.sequence(Der.integer(BigInteger.ZERO), Der.integer(k.getModulus().add(BigInteger.TWO)),
                Der.integer(k.getPublicExponent()), Der.integer(k.getPrivateExponent()),
                Der.integer(k.getPrimeP()), Der.integer(k.getPrimeQ()), Der.integer(k.getPrimeExponentP()),
                Der.integer(k.getPrimeExponentQ()), Der.integer(k.getCrtCoefficient()));
        KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                Pem.encode(RsaKeys.PRIVATE_TYPE, der).getBytes(StandardCharsets.US_ASCII), null));
        assertTrue(e.getMessage().contains("p*q"), e.getMessage());

        byte[] v1 = Der.sequence(Der.integer(BigInteger.ONE), Der.integer(k.getModulus()),
                Der.integer(k.getPublicExponent()), Der.integer(k.getPrivateExponent()),
                Der.integer(k.getPrimeP()), Der.integer(k.getPrimeQ()), Der.integer(k.getPrimeExponentP()),
                Der.integer(k.getPrimeExponentQ()), Der.integer(k.getCrtCoefficient()));
        e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(
                Pem.encode(RsaKeys.PRIVATE_TYPE, v1).getBytes(StandardCharsets.US_ASCII), null));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void implausiblePublicNumbersRefused() {
        BigInteger n = KeyFixtures.cfkeyPublic().getModulus();
        BigInteger small = BigInteger.ONE.shiftLeft(255).add(BigInteger.ONE);
        for (BigInteger[] ne : new BigInteger[][] {
                {small, BigInteger.valueOf(65537)},                   // 256-bit modulus
                {BigInteger.ONE.shiftLeft(16400).add(BigInteger.ONE), BigInteger.valueOf(65537)}, // too big
                {n.negate(), BigInteger.valueOf(65537)},
                {n, BigInteger.valueOf(65536)},                       // even exponent
                {n, BigInteger.ONE},                                  // shorter than 2 bits
                {n, BigInteger.valueOf(-3)},
                {n, n.add(BigInteger.TWO)},                           // exponent >= modulus
        }) {
            byte[] der = Der.sequence(Der.integer(ne[0]), Der.integer(ne[1]));
            assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(
                    Pem.encode(RsaKeys.PUBLIC_TYPE, der).getBytes(StandardCharsets.US_ASCII)), ne[1].toString());
            assertThrows(KeyFileException.class, () -> RsaKeys.publicKey(ne[0], ne[1]));
        }
        // trailing data inside the SEQUENCE
        byte[] extra = Der.sequence(Der.integer(n), Der.integer(BigInteger.valueOf(65537)), Der.integer(BigInteger.ONE));
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(
                Pem.encode(RsaKeys.PUBLIC_TYPE, extra).getBytes(StandardCharsets.US_ASCII)));
    }

    // ---- fuzz: only KeyFileException or success, never anything else ----

    @Test
    void fuzzedInputsOnlyEverGiveKeyFileException() {
        Random rnd = new Random(0x5eed_cf3L);
        List<byte[]> seeds = List.of(bytes("cfkey.priv"), bytes("cfkey.pub"), bytes("cfkey-des3.priv"),
                bytes("cfkey-aes128.priv"), bytes("cfkey-pkcs8.priv"), bytes("cfkey-spki.pub"), bytes("e35.priv"),
                bytes("ec.priv"), bytes("ec-spki.pub"), bytes("cfkey-pkcs8-encrypted.priv"));
        String[] labels = {RsaKeys.PRIVATE_TYPE, RsaKeys.PUBLIC_TYPE, "PRIVATE KEY", "PUBLIC KEY", "ENCRYPTED PRIVATE KEY"};
        List<String> failures = new ArrayList<>();
        int successes = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] input;
            switch (i % 5) {
                case 0 -> { // random bytes, sometimes behind a BEGIN line
                    byte[] r = new byte[rnd.nextInt(400)];
                    rnd.nextBytes(r);
                    input = rnd.nextBoolean() ? r : concat(("-----BEGIN " + labels[rnd.nextInt(labels.length)]
                            + "-----\n").getBytes(StandardCharsets.US_ASCII), r);
                }
                case 1 -> { // random DER-ish content, properly armoured
                    byte[] r = new byte[1 + rnd.nextInt(600)];
                    rnd.nextBytes(r);
                    if (rnd.nextBoolean()) {
                        r[0] = 0x30;
                    }
                    input = Pem.encode(labels[rnd.nextInt(labels.length)], r).getBytes(StandardCharsets.US_ASCII);
                }
                case 2 -> { // mutated DER of a real key, properly armoured
                    byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                    Pem.Block b = decodeUnchecked(seed);
                    byte[] der = mutate(b.der(), rnd);
                    String label = rnd.nextInt(8) == 0 ? labels[rnd.nextInt(labels.length)] : b.type();
                    StringBuilder sb = new StringBuilder("-----BEGIN " + label + "-----\n");
                    b.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
                    if (!b.headers().isEmpty()) {
                        sb.append('\n');
                    }
                    String enc = Pem.encode(label, der);
                    sb.append(enc, enc.indexOf('\n') + 1, enc.length());
                    input = sb.toString().getBytes(StandardCharsets.US_ASCII);
                }
                case 3 -> input = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd); // mutated text
                default -> { // truncated text
                    byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                    input = Arrays.copyOf(seed, rnd.nextInt(seed.length + 1));
                }
            }
            for (int which = 0; which < 2; which++) {
                try {
                    Object k = which == 0 ? RsaKeys.readPrivate(input, PASS) : RsaKeys.readPublic(input);
                    assertNotNull(k);
                    successes++;
                } catch (KeyFileException expected) {
                    assertNotNull(expected.getMessage());
                } catch (Throwable t) {
                    failures.add("input #" + i + (which == 0 ? " readPrivate" : " readPublic") + ": " + t
                            + "\n" + Base64.getEncoder().encodeToString(input));
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " inputs threw something other than KeyFileException, e.g.\n"
                    + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
        }
        assertTrue(successes > 0, "the mutations should leave some inputs valid (sanity check of the generator)");
    }

    // ---- helpers ----

    static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        int kind = rnd.nextInt(4);
        if (b.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        switch (kind) {
            case 0 -> { // flip a few bytes
                int n = 1 + rnd.nextInt(4);
                for (int j = 0; j < n; j++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            case 1 -> { // set a byte to an interesting value
                int[] vals = {0x00, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0x30, 0x02};
                b[rnd.nextInt(b.length)] = (byte) vals[rnd.nextInt(vals.length)];
            }
            case 2 -> { // delete a range
                int from = rnd.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + rnd.nextInt(16));
                b = concat(Arrays.copyOfRange(b, 0, from), Arrays.copyOfRange(b, to, b.length));
            }
            default -> { // insert random bytes
                int at = rnd.nextInt(b.length + 1);
                byte[] ins = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(ins);
                b = concat(Arrays.copyOfRange(b, 0, at), ins, Arrays.copyOfRange(b, at, b.length));
            }
        }
        return b;
    }

    private static Pem.Block decodeUnchecked(byte[] pem) {
        try {
            return Pem.decode(pem);
        } catch (Pem.PemException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pemBody(String fixture) {
        return decodeUnchecked(bytes(fixture)).der();
    }

    private static void assertKeyFileError(String text, String messagePart) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        KeyFileException e = assertThrows(KeyFileException.class, () -> RsaKeys.readPrivate(b, PASS));
        if (messagePart != null) {
            assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
        }
        assertThrows(KeyFileException.class, () -> RsaKeys.readPublic(b));
    }

    static void assertSamePrivate(RSAPrivateCrtKey a, RSAPrivateCrtKey b) {
        KeyFixtures.assertSamePrivate(a, b);
    }

    static byte[] concat(byte[]... parts) {
        return Der.concat(parts);
    }

    private static byte[] md5(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
