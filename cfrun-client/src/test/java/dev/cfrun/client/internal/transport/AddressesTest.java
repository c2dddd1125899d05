package dev.cfrun.client.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class AddressesTest {

    /** An Inet6Address from 32 hex digits, without the JDK turning v4-mapped addresses into Inet4Address. */
    private static Inet6Address v6(String hex32) throws Exception {
        return Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex32), null);
    }

    @ParameterizedTest
    @CsvSource({
            "::1,             00000000000000000000000000000001",
            "::,              00000000000000000000000000000000",
            "2001:db8::1,     20010db8000000000000000000000001",
            "fe80::1:0:0:1,   fe800000000000000001000000000001",
            "1::,             00010000000000000000000000000000",
            "1::1,            00010000000000000000000000000001",
            "2001:db8:0:1:1:1:1:1, 20010db8000000010001000100010001", // a single zero group is not compressed
            "2001:db8::1:0:0:1, 20010db8000000000001000000000001",    // the first of two equal runs
            "2001:0:0:1::1,   20010000000000010000000000000001",      // the longer run wins
            "1:2:3:4:5:6:7:8, 00010002000300040005000600070008",
            "abcd:ef01:2345:6789:abcd:ef01:2345:6789, abcdef0123456789abcdef0123456789",
            "0:2:3:4:5:6:7:8, 00000002000300040005000600070008",      // a single zero group is not compressed
            "1:2:3:4:5:6:7:0, 00010002000300040005000600070000",
            "::ffff,          0000000000000000000000000000ffff",
            "::ffff:1.2.3.4,  00000000000000000000ffff01020304",
            "::ffff:255.0.128.9, 00000000000000000000ffff ff008009",
            "::fffe:102:304,  00000000000000000000fffe01020304",      // not v4-mapped
    })
    void ipv6LikeInetNtop(String expected, String hex) throws Exception {
        assertEquals(expected, Addresses.numeric(v6(hex.replace(" ", ""))));
    }

    @Test
    void parsedAddresses() throws Exception {
        assertEquals("::1", Addresses.numeric(InetAddress.getByName("0:0:0:0:0:0:0:1")));
        assertEquals("2001:db8::1", Addresses.numeric(InetAddress.getByName("2001:DB8:0:0:0:0:0:1")));
        Inet6Address scoped = assertInstanceOf(Inet6Address.class, InetAddress.getByName("fe80::1%1"));
        assertEquals("fe80::1", Addresses.numeric(scoped), "no scope id");
    }

    @Test
    void ipv4() throws Exception {
        assertEquals("127.0.0.1", Addresses.numeric(InetAddress.getByName("127.0.0.1")));
        assertEquals("10.0.0.255", Addresses.numeric(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) 255})));
        // the JDK hands v4-mapped text back as an Inet4Address: printed as plain IPv4
        InetAddress mapped = InetAddress.getByName("::ffff:1.2.3.4");
        assertInstanceOf(Inet4Address.class, mapped);
        assertEquals("1.2.3.4", Addresses.numeric(mapped));
    }
}
