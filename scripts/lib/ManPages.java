import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the AsciiDoc sources of the man pages (scripts/dist.sh turns them into roff with asciidoctor), from the
 * code the launchers run, so that a page never drifts from --help:
 * <ul>
 * <li>cfrun(1) and cfrun-SUBCOMMAND(1): picocli-codegen's ManPageGenerator on the picocli model bin/cfrun builds
 *     (dev.cfrun.cli.Picocli#commandLine, with its subcommands);</li>
 * <li>cfrun-service(8): the same generator on dev.cfrun.service.ServiceOptions (picocli-annotated);</li>
 * <li>cfrun-event-handler(8) and check_cfserverd(8): not picocli-based (hand-written parsers, for start-up time):
 *     their --help text (HandlerOptions.USAGE, CheckCfServerd.USAGE) under the usual man page sections.</li>
 * </ul>
 * Run with the source launcher: java -cp cfrun.jar:cfrun-nagios.jar:cfrun-service.jar:picocli-codegen.jar
 * scripts/lib/ManPages.java OUTDIR VERSION
 */
public final class ManPages {
    private static final String MANUAL = "cfrun Manual";
    /** What CfRunClient.defaultWorkdir() does, in words: its value on the build machine must not be printed. */
    private static final String WORKDIR_RULE = "/var/lib/cfengine3 or /var/cfengine if it holds a key, else ~/.cfrun";
    private static String builtWorkdir;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String version = args[1];
        Files.createDirectories(out);
        builtWorkdir = Class.forName("dev.cfrun.client.CfRunClient").getMethod("defaultWorkdir").invoke(null).toString();

        // bin/cfrun: the command line exactly as Main runs it (package-private in dev.cfrun.cli)
        Class<?> root = Class.forName("dev.cfrun.cli.CfRunCommand");
        Class<?> options = Class.forName("dev.cfrun.cli.RunOptions");
        Constructor<?> newRoot = root.getDeclaredConstructor(options, PrintStream.class, PrintStream.class,
                InputStream.class);
        newRoot.setAccessible(true);
        Constructor<?> newOptions = options.getDeclaredConstructor();
        newOptions.setAccessible(true);
        Object cmd = newRoot.newInstance(newOptions.newInstance(), System.out, System.err, InputStream.nullInputStream());
        Method commandLine = Class.forName("dev.cfrun.cli.Picocli").getDeclaredMethod("commandLine", root,
                PrintStream.class, PrintStream.class, InputStream.class);
        commandLine.setAccessible(true);
        CommandLine cfrun = (CommandLine) commandLine.invoke(null, cmd, System.out, System.err,
                InputStream.nullInputStream());
        picocliPages(out, cfrun.getCommandSpec(), "1", version);

        // cfrun-service: picocli-annotated options
        CommandLine service = new CommandLine(Class.forName("dev.cfrun.service.ServiceOptions"));
        picocliPages(out, service.getCommandSpec(), "8", version);

        // the Nagios handler and plugin: their --help text
        helpPage(out, "cfrun-event-handler", "8", version,
                "Nagios/Naemon/Icinga 2 event handler that asks cf-serverd to run the agent",
                usage("dev.cfrun.nagios.HandlerOptions"), "cfrun(1), check_cfserverd(8), cfrun-service(8)");
        helpPage(out, "check_cfserverd", "8", version,
                "Nagios plugin checking that cf-serverd answers, with the expected key",
                usage("dev.cfrun.nagios.CheckCfServerd"), "cfrun(1), cfrun-event-handler(8)");
    }

    private static String usage(String className) throws ReflectiveOperationException {
        Field f = Class.forName(className).getDeclaredField("USAGE");
        f.setAccessible(true);
        return (String) f.get(null);
    }

    /** One page per command (picocli's own naming: cfrun-keygen for the subcommand keygen), in section SECTION. */
    private static void picocliPages(Path out, CommandSpec spec, String section, String version) throws IOException {
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            ManPageGenerator.writeSingleManPage(pw, spec);
        }
        String name = spec.qualifiedName("-");
        String adoc = sw.toString()
                // the generator writes every page as section 1 and the version as it finds it (none here)
                .replace("= " + name + "(1)", "= " + name + "(" + section + ")")
                .replaceAll("(?m)^:mansource:.*$", ":mansource: cfrun " + version)
                .replaceAll("(?m)^:manmanual:.*$", ":manmanual: " + MANUAL)
                // a ${DEFAULT-VALUE} computed here (cfrun-service --workdir) would print this machine's work dir
                .replace("default " + builtWorkdir + ")", "default " + WORKDIR_RULE + ")");
        write(out.resolve(name + "." + section + ".adoc"), adoc);
        for (CommandLine sub : spec.subcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                picocliPages(out, sub.getCommandSpec(), section, version);
            }
        }
    }

    private static void helpPage(Path out, String name, String section, String version, String purpose,
            String help, String seeAlso) throws IOException {
        String adoc = "// generated by scripts/lib/ManPages.java from " + name + " --help: do not edit\n"
                + "= " + name + "(" + section + ")\n"
                + ":doctype: manpage\n"
                + ":manmanual: " + MANUAL + "\n"
                + ":mansource: cfrun " + version + "\n"
                + ":man-linkstyle: pass:[blue R < >]\n"
                + "\n== Name\n\n" + name + " - " + purpose + "\n"
                + "\n== Synopsis\n\n*" + name + "* [_OPTIONS_] (see below)\n"
                + "\n== Description\n\nThe text of *" + name + " --help*:\n\n"
                + "....\n" + help.stripTrailing() + "\n....\n"
                + "\n== See also\n\n" + seeAlso + "\n";
        write(out.resolve(name + "." + section + ".adoc"), adoc);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
