/** Reading {@code cfrun.hosts} files: host lists, agent options and the one host-matching rule. */
package dev.cfrun.client.hosts;
