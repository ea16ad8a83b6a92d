# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: check DNS records, decide a zone's SOA serial, render a BIND zone file.

Each filter's documentation is the .yml file of its name next to this one."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import re

from ansible.errors import AnsibleFilterError

RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT", "SRV", "MX")
DIGEST_PREFIX = "; foundrycloud-digest: "
SERIAL_MAX = 4294967295
_LABEL = re.compile(r"^(\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$")
_SOA_SERIAL = re.compile(r"\bSOA\s+\S+\s+\S+\s*\(?\s*(\d+)", re.IGNORECASE)
_SOA_DEFAULTS = {"hostmaster": "hostmaster", "refresh": 3600, "retry": 600, "expire": 1209600, "negative_ttl": 300}


def _zone_name(zone):
    if not isinstance(zone, str) or not zone.strip(".") or not _is_hostname(zone.strip(".")):
        raise AnsibleFilterError("dns_zone: zone %r is not a DNS name" % (zone,))
    return zone.strip(".").lower()


def _is_hostname(name, wildcard=False):
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return False
    return wildcard or "*" not in labels


def _owner(name, zone):
    """The owner name relative to the zone ('@' for the apex), or raise ValueError."""
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    lowered = name.lower()
    if lowered == "@" or lowered == zone + ".":
        return "@"
    if lowered.endswith("."):
        if not lowered.endswith("." + zone + "."):
            raise ValueError("name %s is outside the zone %s" % (name, zone))
        lowered = lowered[: -len(zone) - 2]
    elif lowered == zone or lowered.endswith("." + zone):
        raise ValueError("name %s already ends with the zone: write it relative (%s) or absolute with a "
                         "trailing dot" % (name, lowered[: -len(zone) - 1] or "@"))
    if not _is_hostname(lowered, wildcard=True) or ("*" in lowered and not lowered.startswith("*")):
        raise ValueError("name %s is not a valid DNS name" % name)
    return lowered


def _target(value):
    return isinstance(value, str) and value not in ("", ".") and _is_hostname(value.rstrip("."))


def _txt(value):
    if not isinstance(value, str) or not value.isprintable():
        raise ValueError("TXT value must be printable text")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    chunks = [escaped[i:i + 250] for i in range(0, len(escaped), 250)] or [""]
    return " ".join('"%s"' % chunk for chunk in chunks)


def _rdata(rtype, value):
    """The record data as written in the zone file, or raise ValueError."""
    if rtype == "A":
        try:
            return str(ipaddress.IPv4Address(value))
        except (ipaddress.AddressValueError, ValueError):
            raise ValueError("value %r is not an IPv4 address" % (value,)) from None
    if rtype == "AAAA":
        try:
            return str(ipaddress.IPv6Address(value))
        except (ipaddress.AddressValueError, ValueError):
            raise ValueError("value %r is not an IPv6 address" % (value,)) from None
    if rtype == "CNAME":
        if not _target(value):
            raise ValueError("value %r is not a host name" % (value,))
        return value.lower()
    if rtype == "TXT":
        return _txt(value)
    fields = str(value).split()
    numbers, target = fields[:-1], fields[-1] if fields else ""
    wanted = 3 if rtype == "SRV" else 1
    if len(numbers) != wanted or not all(n.isdigit() and int(n) <= 65535 for n in numbers) or not _target(target):
        raise ValueError("value %r is not '%s'" % (value, "priority weight port target" if rtype == "SRV"
                                                   else "preference exchange"))
    return " ".join(numbers + [target.lower()])


def _checked(records, zone):
    """(normalised records, problems): each record as (owner, ttl, type, rdata)."""
    if not isinstance(records, list):
        return [], ["the records must be a list, not %s" % type(records).__name__]
    result, problems = [], []
    for index, record in enumerate(records):
        label = "record %d" % index
        if not isinstance(record, dict):
            problems.append("%s (%r): must be a mapping with name, type, value" % (label, record))
            continue
        label = "record %d (%s %s %s)" % (index, record.get("name"), record.get("type"), record.get("value"))
        unknown = sorted(set(record) - {"name", "type", "value", "ttl"})
        missing = [key for key in ("name", "type", "value") if record.get(key) in (None, "")]
        if unknown or missing:
            problems.append("%s: %s" % (label, "; ".join(
                (["unknown keys: %s" % ", ".join(map(str, unknown))] if unknown else [])
                + (["missing: %s" % ", ".join(missing)] if missing else []))))
            continue
        rtype = str(record["type"]).upper()
        ttl = record.get("ttl")
        try:
            if rtype not in RECORD_TYPES:
                raise ValueError("type %s is not one of %s" % (record["type"], ", ".join(RECORD_TYPES)))
            if ttl is not None and (isinstance(ttl, bool) or not str(ttl).isdigit() or int(ttl) > 2147483647):
                raise ValueError("ttl %r is not a number of seconds" % (ttl,))
            owner = _owner(record["name"], zone)
            rdata = _rdata(rtype, record["value"])
        except ValueError as exc:
            problems.append("%s: %s" % (label, exc))
            continue
        entry = (owner, None if ttl is None else int(ttl), rtype, rdata)
        if entry not in result:  # the same record twice is one record, as in DNS
            result.append(entry)
    problems.extend(_cname_conflicts(result))
    return result, problems


def _cname_conflicts(entries):
    problems = []
    for owner in sorted({e[0] for e in entries if e[2] == "CNAME"}):
        others = sorted({e[2] for e in entries if e[0] == owner})
        cnames = [e for e in entries if e[0] == owner and e[2] == "CNAME"]
        if owner == "@":
            problems.append("name @: a CNAME cannot stand at the zone apex (SOA and NS live there)")
        elif len(cnames) > 1 or others != ["CNAME"]:
            problems.append("name %s: a CNAME cannot share its name with other data (%s)"
                            % (owner, ", ".join("%d CNAME" % len(cnames) if t == "CNAME" and len(cnames) > 1 else t for t in others)))
    return problems


def dns_zone_record_errors(records, zone):
    return _checked(records, _zone_name(zone))[1]


def _previous_serial(previous):
    text = "\n".join(line.split(";", 1)[0] for line in previous.splitlines())
    match = _SOA_SERIAL.search(text)
    if match and int(match.group(1)) <= SERIAL_MAX:
        return int(match.group(1))
    return None


def _previous_digest(previous):
    for line in previous.splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line[len(DIGEST_PREFIX):].strip()
    return None


def dns_zone_serial(previous, digest, today=None):
    """Keep the old serial when the digest is unchanged, else max(old + 1, YYYYMMDD00)."""
    previous = previous if isinstance(previous, str) else ""
    today = str(today) if today else datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    if not re.match(r"^\d{8}$", today):
        raise AnsibleFilterError("dns_zone_serial: today %r is not YYYYMMDD" % (today,))
    old = _previous_serial(previous)
    if old is not None and _previous_digest(previous) == digest:
        return old
    base = int(today) * 100
    if old is None:
        return base
    # RFC 1982: a serial past 2^32-1 wraps; a zone this old is beyond what this rule serves.
    return min(max(old + 1, base), SERIAL_MAX)


def _fqdn_in_zone(name, zone):
    name = name.lower()
    if name.endswith("."):
        return name[: -len(zone) - 2] if name.endswith("." + zone + ".") else None
    return None if name.endswith("." + zone) or name == zone else name


def dns_zone(records, zone, nameservers, previous="", today=None, ttl=3600, soa=None):
    zone = _zone_name(zone)
    entries, problems = _checked(records, zone)
    if problems:
        raise AnsibleFilterError("dns_zone: invalid records for %s: %s" % (zone, "; ".join(problems)))
    if not isinstance(nameservers, list) or not nameservers:
        raise AnsibleFilterError("dns_zone: nameservers must be a non-empty list of {name, address}")
    soa = dict(_SOA_DEFAULTS, **(soa or {}))
    ns_lines, glue = [], []
    for server in nameservers:
        if not isinstance(server, dict) or not _target(str(server.get("name", ""))):
            raise AnsibleFilterError("dns_zone: nameserver %r needs a host name" % (server,))
        name = str(server["name"]).lower()
        ns_lines.append("@\tIN\tNS\t%s" % name)
        inside = _fqdn_in_zone(name, zone)
        if inside and not any(e[0] == inside for e in entries):
            try:
                address = ipaddress.ip_address(str(server.get("address")))
            except ValueError:
                raise AnsibleFilterError("dns_zone: nameserver %s is inside the zone and needs an address"
                                         % name) from None
            glue.append((inside, None, "A" if address.version == 4 else "AAAA", str(address)))
    primary = str(nameservers[0]["name"]).lower()
    hostmaster = str(soa["hostmaster"]).replace("@", ".").lower()
    body = ["$ORIGIN %s." % zone, "$TTL %d" % int(ttl),
            "@\tIN\tSOA\t%s %s (" % (primary, hostmaster),
            "\t\t@SERIAL@ ; serial",
            "\t\t%d ; refresh\n\t\t%d ; retry\n\t\t%d ; expire\n\t\t%d ) ; negative answers TTL"
            % (int(soa["refresh"]), int(soa["retry"]), int(soa["expire"]), int(soa["negative_ttl"]))]
    body += ns_lines
    order = {t: i for i, t in enumerate(RECORD_TYPES)}
    for owner, rttl, rtype, rdata in sorted(glue + entries, key=lambda e: (e[0] != "@", e[0], order[e[2]], e[3])):
        body.append("%s\t%s\tIN\t%s\t%s" % (owner, "" if rttl is None else rttl, rtype, rdata))
    text = "\n".join(body) + "\n"
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    serial = dns_zone_serial(previous, digest, today)
    header = ("; Zone %s, written by foundrycloud.platform.dns_server: changes here are overwritten.\n"
              "%s%s\n" % (zone, DIGEST_PREFIX, digest))
    return header + text.replace("@SERIAL@", str(serial), 1)


class FilterModule:
    def filters(self):
        return {
            "dns_zone": dns_zone,
            "dns_zone_serial": dns_zone_serial,
            "dns_zone_record_errors": dns_zone_record_errors,
        }
