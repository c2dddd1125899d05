package dev.cfrun.nagios;

import dev.cfrun.recheck.IcingaApi;
import dev.cfrun.recheck.NagiosCommandFile;
import dev.cfrun.recheck.Outcome;
import dev.cfrun.recheck.Recheck;
import dev.cfrun.recheck.Target;

import java.util.Map;

/**
 * The re-check after a run ({@code --command-file}, {@code --icinga-api}): asks the monitoring system to look
 * again at once, and puts {@code verify=scheduled|unavailable|none} (and {@code verify_reason}) into the
 * result line. Configured, with every configuration error, before anything runs.
 */
final class Verify {
    private static final Verify NONE = new Verify(null, null);

    private final Recheck recheck;
    private final Target target;

    private Verify(Recheck recheck, Target target) {
        this.recheck = recheck;
        this.target = target;
    }

    /**
     * The re-check the options ask for (HandlerOptions has checked that they go together).
     *
     * @throws IllegalArgumentException for a configuration error (a name the system cannot take, a bad file)
     */
    static Verify configure(HandlerOptions o) {
        String option = o.commandFile != null ? "--command-file" : o.icingaApi != null ? "--icinga-api" : null;
        if (option == null) {
            return NONE;
        }
        try {
            Target t = o.hostEvent ? Target.ofHost(o.hostname) : Target.ofService(o.hostname, o.service);
            Recheck r;
            if (o.commandFile != null) {
                r = new NagiosCommandFile(o.commandFile);
            } else {
                IcingaApi.Builder b = IcingaApi.builder(o.icingaApi).user(o.icingaUser).passwordFile(o.icingaPasswordFile);
                if (o.icingaCa != null) {
                    b.caFile(o.icingaCa);
                }
                r = b.build();
            }
            r.validate(t);
            return new Verify(r, t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** Without a re-check, and for a run that did not happen (skipped): {@code verify=none}. */
    static void none(Map<String, Object> result) {
        result.put("verify", "none");
    }

    /** After a run, failed or not: asks for the re-check (bounded time) and records the outcome. */
    void afterRun(Map<String, Object> result) {
        if (recheck == null) {
            none(result);
            return;
        }
        Outcome out = recheck.request(target);
        result.put("verify", out.word());
        if (!out.isScheduled()) {
            result.put("verify_reason", out.reason());
        }
    }
}
