package dev.cfrun.service;

/** Where a trigger came from. */
public enum Source { ALERTMANAGER, API, NAGIOS, ICINGA }
