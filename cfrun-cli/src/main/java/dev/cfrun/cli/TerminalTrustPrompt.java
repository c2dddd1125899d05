package dev.cfrun.cli;

import dev.cfrun.client.HostAddress;
import dev.cfrun.client.TrustPolicy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The questions about a server key asked on the terminal. As a {@link TrustPolicy.UnknownKeyPrompt}: the
 * run's {@code -i} question, worded as cf-runagent -i words it (on stderr, so that stdout stays the agents'
 * output); {@link #confirm} is the question of {@code cfrun trust}.
 */
final class TerminalTrustPrompt implements TrustPolicy.UnknownKeyPrompt {
    private static final int TRIES = 5;

    private final BufferedReader reader;
    private final PrintStream err;

    TerminalTrustPrompt(InputStream in, PrintStream err) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.err = err;
    }

    @Override
    public synchronized boolean trust(HostAddress host, String address, String digest) {
        // synchronized: one question at a time, also with -b
        err.println("WARNING - You do not have a public key from host " + host.host() + " = " + address);
        err.println("          It presents the key " + digest + " (compare with cf-key -p on that host)");
        err.println("Do you want to accept one on trust? (yes/no)");
        err.flush();
        try {
            for (int tries = 0; tries < TRIES; tries++) {
                String answer = reader.readLine();
                String a = answer == null ? "no" : answer.strip().toLowerCase(Locale.ROOT);
                if (a.equals("yes") || a.equals("no")) {
                    boolean yes = a.equals("yes");
                    err.println(yes ? "--> Will trust the key..." : "--> Will not trust the key...");
                    return yes;
                }
                err.println("Please reply yes or no");
            }
        } catch (IOException e) {
            // no answer: no trust
        }
        err.println("--> Will not trust the key...");
        return false;
    }

    /** {@code cfrun trust}'s question, after it printed the digests: true only for the answer "yes". */
    static boolean confirm(PrintStream out, InputStream in) throws IOException {
        out.print("Compare it with 'cf-key -p' on the server. Trust this key? (yes/no) ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        return answer != null && answer.strip().equalsIgnoreCase("yes");
    }
}
