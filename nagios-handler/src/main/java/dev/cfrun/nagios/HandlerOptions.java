package dev.cfrun.nagios;

import dev.cfrun.client.Protocol;
import dev.cfrun.recheck.decision.Decision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The event handler's command line. Parsed by hand (no option library to load: a handler starts a fresh
 * JVM for every event), strictly: anything unknown is a configuration error with a clear message.
 */
final class HandlerOptions {
    static final String USAGE = """
            Usage: cfrun-event-handler [OPTIONS] STATE STATETYPE ATTEMPT HOSTADDRESS
              Service events:
                "$SERVICESTATE$" "$SERVICESTATETYPE$" "$SERVICEATTEMPT$" "$HOSTADDRESS$"
              Host events (--host-event):
                "$HOSTSTATE$" "$HOSTSTATETYPE$" "$HOSTATTEMPT$" "$HOSTADDRESS$"

            Asks the host's cf-serverd to run its agent when the event calls for it
            (by default CRITICAL HARD, or CRITICAL SOFT at attempt 3), passing classes
            built from the event so that policy can repair what failed. Returns at once:
            the run continues detached (its own session), so Nagios' 30 s
            event_handler_timeout never cuts it. Exit status 0 whatever the run did;
            2 for a configuration error.

            Event:
              --host-event            the macros are host macros (default states: DOWN)
              --service NAME          "$SERVICEDESC$": for ${service} and the log
              --hostname NAME         "$HOSTNAME$": for ${hostname}, the log and
                                      the hosts file
            Decision:
              --states LIST           states to act on (default CRITICAL,
                                      or DOWN with --host-event)
              --soft-attempt N        act on SOFT at attempt N
                                      (default 3; 0 = never on SOFT)
              --no-hard               do not act on HARD
              --cooldown SECONDS      no new run for the host within this time
                                      of its last one (default 0)
            Remote run:
              -D, --define-class T    class template, repeatable,
                                      e.g. 'nagios_${service}_${state}'
              --remote-bundles T      bundle template(s), comma-separated
                                      variables: ${service} ${state} ${statetype}
                                      ${attempt} ${hostname} ${address}
                                      (values canonified as CFEngine does: each
                                      byte outside [A-Za-z0-9_] becomes '_')
              -f, --file HOSTSFILE    cfrun.hosts: the host's port and -D/-b options
              --port N                cf-serverd port
                                      (default: from the hosts file, else 5308)
              --workdir DIR           our key pair and trusted server keys
                                      (default: as bin/cfrun)
              --user NAME             user name claimed to the server
                                      (default: the login name)
              --protocol tls|classic  (default tls)
              --trust DIGEST[,DIGEST] also accept exactly these server keys
                                      (default: ppkeys only)
              -t, --timeout S         connect timeout (default 30)
              --idle-timeout S        silence allowed while the agent runs
                                      (default 3600; 0 = none)
              --max-time S            limit for the whole run (default 3600; 0 = none)
            Execution and logging:
              --wait                  run in the foreground instead of detached
              --state-dir DIR         locks and cooldown stamps
                                      (default: <workdir>/cfrun-handler)
              --log FILE              append one line per decision and per result
                                      (default: syslog)
            Re-check after the run (needs --hostname, and --service for services;
            the result line says verify=scheduled|unavailable|none):
              --command-file FILE     Nagios/Naemon command pipe (command_file,
                                      e.g. /var/lib/nagios4/rw/nagios.cmd)
              --icinga-api URL        Icinga 2 API, e.g. https://localhost:5665
                                      (the name in its certificate, TLS verified)
              --icinga-user NAME      ApiUser with actions/reschedule-check
              --icinga-password-file FILE
                                      its password (first line; mode 0600)
              --icinga-ca FILE        CA of the API's certificate
                                      (default /var/lib/icinga2/certs/ca.crt)
              -h, --help
            """;


    boolean hostEvent;
    String service = "";
    String hostname = "";
    Set<String> states;
    int softAttempt = 3;
    boolean noHard;
    double cooldown;
    final List<String> classTemplates = new ArrayList<>();
    final List<String> bundleTemplates = new ArrayList<>();
    Path hostsFile;
    Integer port;
    Path workdir;
    String user;
    Protocol protocol = Protocol.TLS;
    private String protocolName;
    String trust;
    double timeout = 30;
    double idleTimeout = 3600;
    double maxTime = 3600;
    boolean waitForRun;
    boolean detachedChild;
    Path stateDir;
    Path log;
    Path commandFile;
    String icingaApi;
    String icingaUser;
    Path icingaPasswordFile;
    Path icingaCa;
    boolean help;
    String state;
    String stateType;
    String attempt;
    String hostAddress;

    private HandlerOptions() {
    }

    static HandlerOptions parse(String[] args) {
        HandlerOptions o = new HandlerOptions();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            String name = a;
            if (a.startsWith("--") && a.indexOf('=') > 2) {
                name = a.substring(0, a.indexOf('='));
                value = a.substring(a.indexOf('=') + 1);
            }
            if (!name.startsWith("-") || name.equals("-")) {
                positional.add(a);
                continue;
            }
            if (name.equals("--")) {
                positional.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (value != null && List.of("--help", "--host-event", "--no-hard", "--wait", "--detached-run").contains(name)) {
                throw new IllegalArgumentException("option " + name + " takes no value: '" + a + "'");
            }
            switch (name) {
                case "-h", "--help" -> o.help = true;
                case "--host-event" -> o.hostEvent = true;
                case "--no-hard" -> o.noHard = true;
                case "--wait" -> o.waitForRun = true;
                case "--detached-run" -> o.detachedChild = true; // internal: the detached child
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    o.option(name, value);
                }
            }
        }
        if (o.help) {
            return o;
        }
        if (positional.size() != 4) {
            throw new IllegalArgumentException("expected 4 arguments (STATE STATETYPE ATTEMPT HOSTADDRESS), got "
                    + positional.size() + (positional.isEmpty() ? "" : ": " + positional));
        }
        o.state = positional.get(0);
        o.stateType = positional.get(1);
        o.attempt = positional.get(2);
        o.hostAddress = Decision.macro(positional.get(3), "$HOSTADDRESS$");
        if (o.states == null) {
            o.states = Set.of(o.hostEvent ? "DOWN" : "CRITICAL");
        }
        try {
            Decision.checkStates(o.states, o.hostEvent);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--states: " + e.getMessage(), e);
        }
        o.checkRecheck();
        if (o.protocolName != null) {
            o.protocol = tlsOrClassic(o.protocolName);
            if (o.protocol == null) {
                throw new IllegalArgumentException("--protocol must be tls or classic: '"
                        + o.protocolName.toLowerCase(Locale.ROOT) + "'");
            }
        }
        return o;
    }

    private void option(String name, String value) {
        switch (name) {
            case "--service" -> service = value;
            case "--hostname" -> hostname = value;
            case "--states" -> {
                Set<String> s = new LinkedHashSet<>();
                for (String p : value.split(",")) {
                    if (!p.isBlank()) {
                        s.add(p.strip().toUpperCase(Locale.ROOT));
                    }
                }
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("--states needs at least one state");
                }
                states = s;
            }
            case "--soft-attempt" -> softAttempt = integer(name, value, 0, 1_000_000);
            case "--cooldown" -> cooldown = seconds(name, value, true);
            case "-D", "--define-class" -> classTemplates.add(value);
            case "--remote-bundles" -> bundleTemplates.add(value);
            case "-f", "--file" -> hostsFile = Path.of(value);
            case "--port" -> port = integer(name, value, 1, 65535);
            case "--workdir" -> workdir = Path.of(value);
            case "--user" -> user = value;
            case "--protocol" -> protocolName = value;
            case "--trust" -> trust = value;
            case "-t", "--timeout" -> timeout = seconds(name, value, false);
            case "--idle-timeout" -> idleTimeout = seconds(name, value, true);
            case "--max-time" -> maxTime = seconds(name, value, true);
            case "--state-dir" -> stateDir = Path.of(value);
            case "--log" -> log = Path.of(value);
            case "--command-file" -> commandFile = Path.of(value);
            case "--icinga-api" -> icingaApi = value;
            case "--icinga-user" -> icingaUser = value;
            case "--icinga-password-file" -> icingaPasswordFile = Path.of(value);
            case "--icinga-ca" -> icingaCa = Path.of(value);
            default -> throw new IllegalArgumentException("unknown option " + name + " (see --help)");
        }
    }

    /** The re-check options go together: one system, with the names it needs. */
    private void checkRecheck() {
        boolean icinga = icingaApi != null;
        if (!icinga && (icingaUser != null || icingaPasswordFile != null || icingaCa != null)) {
            throw new IllegalArgumentException("--icinga-user, --icinga-password-file and --icinga-ca need --icinga-api URL");
        }
        if (commandFile != null && icinga) {
            throw new IllegalArgumentException("--command-file and --icinga-api exclude each other: give the one of the"
                    + " monitoring system that runs this handler");
        }
        if (icinga && (icingaUser == null || icingaPasswordFile == null)) {
            throw new IllegalArgumentException("--icinga-api needs --icinga-user NAME and --icinga-password-file FILE");
        }
        String option = commandFile != null ? "--command-file" : icinga ? "--icinga-api" : null;
        if (option != null && hostname.isEmpty()) {
            throw new IllegalArgumentException(option + " needs --hostname (\"$HOSTNAME$\" / \"$host.name$\"): the name"
                    + " the monitoring system knows the host by");
        }
        if (option != null && !hostEvent && service.isEmpty()) {
            throw new IllegalArgumentException(option + " needs --service (\"$SERVICEDESC$\" / \"$service.name$\"),"
                    + " or --host-event for a host check");
        }
    }

    /**
     * The protocol named by {@code --protocol} when it is one the handler and the check plugin speak: tls
     * or classic, never auto (a path attacker could force a monitoring run into classic); null otherwise.
     */
    static Protocol tlsOrClassic(String name) {
        try {
            Protocol p = Protocol.parse(name);
            return p == Protocol.AUTO ? null : p;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int integer(String name, String v, int min, int max) {
        if (!v.strip().matches("\\d{1,7}")) {
            throw new IllegalArgumentException(name + " needs a number, not '" + v + "'");
        }
        int n = Integer.parseInt(v.strip());
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + n);
        }
        return n;
    }

    private static double seconds(String name, String v, boolean zeroAllowed) {
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number of seconds, not '" + v + "'");
        }
        if (!(d >= 0) || d > 1e7 || (!zeroAllowed && d == 0)) {
            throw new IllegalArgumentException(name + " out of range: " + v);
        }
        return d;
    }
}
