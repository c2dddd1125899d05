package dev.cfrun.service.recheck;

import dev.cfrun.recheck.IcingaApi;
import dev.cfrun.recheck.NagiosCommandFile;
import dev.cfrun.recheck.Recheck;
import dev.cfrun.service.Source;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** The re-check of each monitoring source, from the service's options ({@code --nagios-command-file}, {@code --icinga-api} …). */
public final class Rechecks {
    private Rechecks() {
    }

    /**
     * Builds the re-checks the options ask for; the Icinga password file is read now.
     *
     * @param commandFile      Nagios' command pipe, or null
     * @param icingaApi        the Icinga 2 API URL, or null
     * @param icingaUser       its ApiUser (with {@code icingaApi})
     * @param icingaPassword   the file of its password (with {@code icingaApi})
     * @param icingaCa         the CA of the API's certificate, or null for Icinga's default
     * @return Nagios triggers to the command pipe, Icinga triggers to the API; empty when neither is given
     * @throws IllegalArgumentException with a one-line message naming the option, for a configuration error
     */
    public static Map<Source, Recheck> configure(Path commandFile, String icingaApi, String icingaUser,
                                                 Path icingaPassword, Path icingaCa) {
        Map<Source, Recheck> out = new EnumMap<>(Source.class);
        if (commandFile != null) {
            out.put(Source.NAGIOS, new NagiosCommandFile(commandFile));
        }
        if (icingaApi != null) {
            if (icingaUser == null || icingaPassword == null) {
                throw new IllegalArgumentException("--icinga-api needs --icinga-user NAME and --icinga-password-file FILE");
            }
            try {
                IcingaApi.Builder b = IcingaApi.builder(icingaApi).user(icingaUser).passwordFile(icingaPassword);
                if (icingaCa != null) {
                    b.caFile(icingaCa);
                }
                out.put(Source.ICINGA, b.build());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--icinga-api: " + e.getMessage(), e);
            }
        } else if (icingaUser != null || icingaPassword != null || icingaCa != null) {
            throw new IllegalArgumentException("--icinga-user, --icinga-password-file and --icinga-ca need --icinga-api URL");
        }
        return out;
    }
}
