package dev.cfrun.it;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real peers the integration tests need. Without them the tests skip on a developer machine, but
 * under {@code CI=true} a missing peer fails the run: CI must never go green without having talked to
 * a real cf-serverd.
 */
final class Peers {
    static final Path CF_SERVERD = Path.of("/usr/bin/cf-serverd");
    static final Path CF_KEY = Path.of("/usr/bin/cf-key");
    static final Path CF_RUNAGENT = Path.of("/usr/bin/cf-runagent");
    static final Path CF_PROMISES = Path.of("/usr/bin/cf-promises");
    static final Path CF_AGENT = Path.of("/usr/bin/cf-agent");
    static final Path NAGIOS4 = Path.of("/usr/sbin/nagios4");
    static final Path ICINGA2 = Path.of("/usr/sbin/icinga2");
    static final Path CHECK_HTTP = Path.of("/usr/lib/nagios/plugins/check_http");
    static final Path PYTHON3 = Path.of("/usr/bin/python3");
    static final Path SETSID = Path.of("/usr/bin/setsid");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    static final Path BLACKBOX_EXPORTER = Path.of("/usr/bin/prometheus-blackbox-exporter");
    static final Path WEBHOOK = Path.of("/usr/bin/webhook");

    private Peers() {
    }

    static boolean ci() {
        String prop = System.getProperty("cfrun.it.ci");
        String env = System.getenv("CI");
        return "true".equalsIgnoreCase(prop) || "true".equalsIgnoreCase(env) || "1".equals(env);
    }

    /** Fails under CI, skips elsewhere, when Debian's cfengine3 is not installed. */
    static void requireCfEngine() {
        require("Debian's cfengine3 package", CF_SERVERD, CF_KEY, CF_RUNAGENT, CF_PROMISES, CF_AGENT);
    }

    /**
     * Fails under CI, skips elsewhere, when the Nagios end-to-end peers are missing: Debian's nagios4-core
     * (not the nagios4 metapackage), check_http from monitoring-plugins-basic, python3 (the web server).
     */
    static void requireNagios() {
        require("nagios4-core monitoring-plugins-basic python3 (apt-get install --no-install-recommends)",
                NAGIOS4, CHECK_HTTP, PYTHON3, SETSID);
    }

    /**
     * Fails under CI, skips elsewhere, when the Icinga 2 end-to-end peers are missing: Debian's icinga2 (its
     * daemon not started: the test runs a private instance), check_http, python3 (the web server).
     */
    static void requireIcinga() {
        require("icinga2 monitoring-plugins-basic python3 (apt-get install --no-install-recommends)",
                ICINGA2, CHECK_HTTP, PYTHON3, SETSID);
    }

    /**
     * Fails under CI, skips elsewhere, when the Alertmanager end-to-end peers are missing: Debian's prometheus,
     * prometheus-alertmanager, prometheus-blackbox-exporter (none of their daemons started: the test runs private
     * instances), webhook (the do-it-yourself receiver compared with), python3 (the web server).
     */
    static void requirePrometheusStack() {
        require("prometheus prometheus-alertmanager prometheus-blackbox-exporter webhook python3"
                + " (apt-get install --no-install-recommends)", PROMETHEUS, ALERTMANAGER, BLACKBOX_EXPORTER, WEBHOOK,
                PYTHON3, SETSID);
    }

    private static void require(String what, Path... programs) {
        for (Path p : programs) {
            if (!Files.isExecutable(p)) {
                missing(p + " not found: install " + what + " (scripts/test.sh does)");
            }
        }
    }

    /** A peer the test needs is missing: fails under CI, skips (with this reason) elsewhere. */
    static void missing(String reason) {
        if (ci()) {
            Assertions.fail("CI=true and a real peer is missing: " + reason);
        }
        Assumptions.abort(reason);
    }
}
