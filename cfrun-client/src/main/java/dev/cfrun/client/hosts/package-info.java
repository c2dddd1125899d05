/**
 * {@code cfrun.hosts} files as CFEngine 2's cfrun reads them, for any program built on the library (the CLI,
 * the Nagios event handler, a scheduler plugin): {@link dev.cfrun.client.hosts.HostsFile} parses a file and
 * holds the one rule that matches a user's host name to an entry; {@link dev.cfrun.client.hosts.AgentOptions}
 * sorts agent options into what cf-serverd 3.x accepts and states that rule once.
 */
package dev.cfrun.client.hosts;
