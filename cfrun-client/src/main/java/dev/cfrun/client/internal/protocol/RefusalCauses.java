package dev.cfrun.client.internal.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The cf-serverd settings behind each kind of refusal. cf-serverd tells a client almost nothing (a
 * silent close, or "Unspecified server refusal"); the real reason is in its verbose log. These lists
 * turn a refusal into something an admin can act on.
 */
public final class RefusalCauses {
    private RefusalCauses() {
    }

    /** A silent close before or during the TLS handshake, or before the first classic reply. */
    public static List<String> closedOnConnect(boolean classic) {
        List<String> c = new ArrayList<>();
        c.add("our address is not in allowconnects, or is in denyconnects (body server control)");
        c.add("another connection from our address is open and it is not in allowallconnects");
        c.add("the server has reached maxconnections (default 30)");
        if (classic) {
            c.add(0, "classic protocol: our address is not in allowlegacyconnects (classic is refused by default"
                    + " since 3.6; use TLS)");
        }
        return c;
    }

    /** The server closed after our TLS IDENTITY line. */
    public static List<String> closedAfterIdentity(String user, String clientDigest) {
        return List.of(
                "the server does not trust our key " + clientDigest + " for user '" + user + "': install it on the"
                        + " server (cf-key -t <our address>:<our localhost.pub>, stored as ppkeys/" + user + "-"
                        + clientDigest + ".pub) or list our address in trustkeysfrom",
                "the user name '" + user + "' was refused");
    }

    /** The classic server answered our key with BAD. */
    public static List<String> keyNotAccepted(String user, String clientDigest) {
        return List.of("the server does not trust our key " + clientDigest + " for user '" + user + "' and our"
                + " address is not in trustkeysfrom: install it on the server with cf-key -t (ppkeys/" + user + "-"
                + clientDigest + ".pub)");
    }

    /** "BAD: Unspecified server refusal" after EXEC, or a close without a reply. */
    public static List<String> execRefused(String user) {
        return List.of(
                "user '" + user + "' is not in allowusers (body server control; default: nobody)",
                "cfruncommand is not set (body server control)",
                "no access rule admits us to the cfruncommand's program (bundle server access_rules: the path"
                        + " after realpath, e.g. /usr/bin/cf-agent, needs admit_ips/admit_keys for us)");
    }

    /** A cfservd 2.x refusal (CF_FAILEDSTR and a close): its checks, in its order. */
    public static List<String> execRefusedCfengine2(String user) {
        return List.of(
                "user '" + user + "' is not in AllowUsers (cfservd.conf control section)",
                "cfrunCommand is not defined (cfservd.conf control section)",
                "no admit rule for the cfrunCommand's path admits our address or host name (cfservd.conf admit:)");
    }

    public static List<String> roleDenied(String user, List<String> classes) {
        return List.of("no roles promise authorizes user '" + user + "' to define " + String.join(",", classes)
                + " (bundle server access_rules: roles: \"<class regex>\" authorize => { \"" + user + "\" };)");
    }

    public static List<String> bundleDenied(List<String> bundles) {
        return List.of("no access rule with resource_type => \"bundle\" admits " + String.join(",", bundles)
                + " for us (bundle server access_rules)");
    }

    public static List<String> classMatchFailed(List<String> selectClasses) {
        return List.of("none of the select classes " + String.join(",", selectClasses) + " is defined on the server");
    }

    public static List<String> invalidArguments() {
        return List.of("the server accepts only -D and -b with names made of letters, digits, '_' and ':'");
    }

    public static List<String> cannotRun() {
        return List.of("the cfruncommand's program does not exist or cannot be executed on the server");
    }
}
