package dev.cfrun.service.ingest;

import dev.cfrun.client.HostAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostLabelsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
        web1:9100                                 | web1
        web1.example.org:9100                     | web1.example.org
        10.0.0.7:9100                             | 10.0.0.7
        web1                                      | web1
        [::1]:9100                                | ::1
        [2001:db8::7]                             | 2001:db8::7
        http://web1:8080/health                   | web1
        https://shop.example.org/                 | shop.example.org
        http://127.0.0.1:54863/                   | 127.0.0.1
        http://[fd00::5]:8080/x?y=1               | fd00::5
        https://user:secret@web3:443/path         | web3
        tcp://db1:5432                            | db1
        icmp://web2                               | web2
        ::1                                       | NONE
        fe80::1:9100                              | NONE
        web1:port                                 | NONE
        web1:9100/metrics                         | NONE
        :9100                                     | NONE
        []:9100                                   | NONE
        [::1]x                                    | NONE
        ://web1                                   | NONE
        1http://web1/                             | NONE
        http://                                   | NONE
        """)
    void theHostOfAnInstance(String instance, String host) {
        assertEquals(host, HostLabels.instanceHost(instance));
    }

    private static HostLabels.Found find(String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return HostLabels.find(labels);
    }

    @Test
    void cfrunHostWinsOverInstanceAndThePortIsNeverTheExporters() {
        assertEquals(HostAddress.of("10.1.1.1", 5308), find("cfrun_host", "10.1.1.1", "instance", "web1:9100").host());
        assertEquals(HostAddress.of("web1", 5308), find("instance", "web1:9100").host());
        assertEquals(HostAddress.of("web1", 15308), find("instance", "web1:9100", "cfrun_port", "15308").host());
        assertEquals(HostAddress.of("::1", 5308), find("cfrun_host", "[::1]").host());
        assertEquals(HostAddress.of("fe80::2", 5308), find("cfrun_host", "fe80::2").host());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        no labels            | job=node                    | no label cfrun_host or instance
        port in cfrun_host   | cfrun_host=web1:5308        | label cfrun_host must be a host without a port
        empty cfrun_host     | cfrun_host=                 | label cfrun_host: invalid host name
        space in cfrun_host  | cfrun_host=web 1            | label cfrun_host: invalid character in host name
        bad cfrun_port       | instance=web1:9100,cfrun_port=0     | label cfrun_port is not a port
        huge cfrun_port      | instance=web1:9100,cfrun_port=99999 | label cfrun_port is not a port
        text cfrun_port      | instance=web1:9100,cfrun_port=ssh   | label cfrun_port is not a port
        bare IPv6 instance   | instance=fe80::1:9100       | cannot find a host in label instance
        path instance        | instance=web1/x             | label instance: invalid character in host name
        """)
    void noHostIsGuessed(String what, String labels, String reason) {
        String[] kv = labels.replace(",", "=").split("=", -1);
        HostLabels.Found f = find(kv);
        assertNull(f.host(), what);
        assertTrue(f.reason().startsWith(reason), what + ": " + f.reason());
    }
}
