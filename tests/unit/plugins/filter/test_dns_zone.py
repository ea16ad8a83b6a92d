# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters dns_zone, dns_zone_serial, dns_zone_record_errors: records, serial rule, zone text."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.dns_zone import (
    FilterModule,
    dns_zone,
    dns_zone_record_errors,
    dns_zone_serial,
)

ZONE = "localai.internal"
NS = [{"name": "ns1", "address": "10.20.0.53"}]
RECORDS = [
    {"name": "qdrant", "type": "A", "value": "10.20.0.10"},
    {"name": "langfuse", "type": "A", "value": "10.20.0.11", "ttl": 300},
    {"name": "alice.ws", "type": "A", "value": "10.20.1.5"},
    {"name": "search", "type": "CNAME", "value": "qdrant"},
    {"name": "@", "type": "TXT", "value": 'platform "foundrycloud"'},
    {"name": "_ldap._tcp", "type": "SRV", "value": "0 5 389 ldap.example.org."},
]


def render(records=None, previous="", today="20261125", **kwargs):
    return dns_zone(RECORDS if records is None else records, ZONE, NS, previous=previous, today=today, **kwargs)


def serial_of(text):
    return int(next(line for line in text.splitlines() if line.endswith("; serial")).split()[0])


def test_filters_are_registered_under_their_names():
    assert FilterModule().filters() == {
        "dns_zone": dns_zone, "dns_zone_serial": dns_zone_serial, "dns_zone_record_errors": dns_zone_record_errors}


def test_first_run_serial_is_today_00():
    assert serial_of(render()) == 2026112500


def test_same_records_give_the_same_text_on_a_later_day():
    first = render()
    assert render(previous=first, today="20270101") == first


def test_record_order_and_duplicates_do_not_change_the_text():
    first = render()
    assert render(list(reversed(RECORDS)) + [RECORDS[0]], previous=first, today="20270101") == first


def test_changed_records_bump_the_serial_within_a_day():
    first = render()
    second = render(RECORDS + [{"name": "bob.ws", "type": "A", "value": "10.20.1.6"}], previous=first)
    assert serial_of(second) == 2026112501
    assert "bob.ws\t\tIN\tA\t10.20.1.6" in second
    third = render(RECORDS, previous=second)
    assert serial_of(third) == 2026112502


def test_changed_records_on_a_later_day_jump_to_that_day():
    assert serial_of(render(RECORDS[:2], previous=render(), today="20261203")) == 2026120300


def test_soa_and_ttl_changes_bump_the_serial_too():
    first = render()
    assert serial_of(render(previous=first, ttl=600)) == 2026112501
    assert serial_of(render(previous=first, soa={"refresh": 7200})) == 2026112501


def test_serial_rule():
    text = render()
    digest = next(line for line in text.splitlines() if line.startswith("; foundrycloud-digest: ")).split()[-1]
    assert dns_zone_serial(text, digest, "20300101") == 2026112500
    assert dns_zone_serial(text, "sha256:other", "20261125") == 2026112501
    assert dns_zone_serial(text, "sha256:other", "20261126") == 2026112600
    # A serial ahead of the date scheme (hand-set, or many changes a day) only ever grows.
    ahead = text.replace("2026112500 ; serial", "2099010107 ; serial")
    assert dns_zone_serial(ahead, "sha256:other", "20261126") == 2099010108
    assert dns_zone_serial("", "sha256:x", "20261125") == 2026112500
    assert dns_zone_serial(None, "sha256:x", "20261125") == 2026112500


def test_a_zone_file_written_by_hand_keeps_its_serial_rising():
    hand = "$TTL 1h\n@ IN SOA ns1.localai.internal. root.localai.internal. 2030010203 3600 600 86400 300\n"
    assert dns_zone_serial(hand, "sha256:x", "20261125") == 2030010204
    assert serial_of(render(previous=hand)) == 2030010204


@pytest.mark.parametrize("garbage", ["\x00\x01binary", "not a zone at all", "@ IN SOA ns1. host. (\n; no serial )",
                                     "; foundrycloud-digest: sha256:abc\n"])
def test_garbage_previous_file_counts_as_a_first_run(garbage):
    assert serial_of(render(previous=garbage)) == 2026112500


def test_bad_today_is_refused():
    with pytest.raises(AnsibleFilterError, match="YYYYMMDD"):
        dns_zone_serial("", "sha256:x", "2026-11-25")


def test_zone_text_has_soa_ns_glue_and_records():
    text = render()
    lines = text.splitlines()
    assert lines[1].startswith("; foundrycloud-digest: sha256:")
    assert "$ORIGIN localai.internal." in lines
    assert "@\tIN\tSOA\tns1 hostmaster (" in lines
    assert "@\tIN\tNS\tns1" in lines
    assert "ns1\t\tIN\tA\t10.20.0.53" in lines
    assert "langfuse\t300\tIN\tA\t10.20.0.11" in lines
    assert "search\t\tIN\tCNAME\tqdrant" in lines
    assert '@\t\tIN\tTXT\t"platform \\"foundrycloud\\""' in lines
    assert "_ldap._tcp\t\tIN\tSRV\t0 5 389 ldap.example.org." in lines


def test_nameserver_named_by_the_records_gets_no_extra_glue():
    text = render(RECORDS + [{"name": "ns1", "type": "A", "value": "10.20.0.99"}])
    assert [line for line in text.splitlines() if line.startswith("ns1")] == ["ns1\t\tIN\tA\t10.20.0.99"]


def test_nameserver_outside_the_zone_needs_no_address():
    text = dns_zone([], ZONE, [{"name": "ns.example.org."}], today="20261125")
    assert "@\tIN\tNS\tns.example.org." in text.splitlines()


def test_absolute_names_inside_the_zone_are_made_relative():
    text = render([{"name": "qdrant.localai.internal.", "type": "A", "value": "10.20.0.10"},
                   {"name": "localai.internal.", "type": "TXT", "value": "apex"}])
    assert "qdrant\t\tIN\tA\t10.20.0.10" in text
    assert '@\t\tIN\tTXT\t"apex"' in text


@pytest.mark.parametrize(("record", "expected"), [
    ({"name": "x", "type": "MXX", "value": "1"}, "record 0 (x MXX 1): type MXX is not one of"),
    ({"name": "x", "type": "A", "value": "10.0.0.300"}, "record 0 (x A 10.0.0.300): value '10.0.0.300' is not an IPv4"),
    ({"name": "x", "type": "A", "value": "fd00::1"}, "is not an IPv4 address"),
    ({"name": "x", "type": "AAAA", "value": "10.0.0.1"}, "is not an IPv6 address"),
    ({"name": "www.example.org.", "type": "A", "value": "10.0.0.1"}, "name www.example.org. is outside the zone"),
    ({"name": "qdrant.localai.internal", "type": "A", "value": "10.0.0.1"}, "write it relative (qdrant)"),
    ({"name": "bad_name!", "type": "A", "value": "10.0.0.1"}, "is not a valid DNS name"),
    ({"name": "x", "type": "CNAME", "value": "not a name"}, "is not a host name"),
    ({"name": "x", "type": "SRV", "value": "0 5 target."}, "is not 'priority weight port target'"),
    ({"name": "x", "type": "A", "value": "10.0.0.1", "ttl": "soon"}, "ttl 'soon' is not a number"),
    ({"name": "x", "type": "A", "value": "10.0.0.1", "weight": 3}, "unknown keys: weight"),
    ({"name": "x", "type": "A"}, "missing: value"),
    ("x A 10.0.0.1", "record 0 ('x A 10.0.0.1'): must be a mapping"),
])
def test_record_errors_name_the_record(record, expected):
    errors = dns_zone_record_errors([record], ZONE)
    assert len(errors) == 1 and expected in errors[0], errors


def test_cname_with_other_data_is_refused():
    records = [{"name": "search", "type": "CNAME", "value": "qdrant"},
               {"name": "search", "type": "A", "value": "10.0.0.1"},
               {"name": "alias", "type": "CNAME", "value": "a"},
               {"name": "alias", "type": "CNAME", "value": "b"},
               {"name": "@", "type": "CNAME", "value": "c"}]
    assert dns_zone_record_errors(records, ZONE) == [
        "name @: a CNAME cannot stand at the zone apex (SOA and NS live there)",
        "name alias: a CNAME cannot share its name with other data (2 CNAME)",
        "name search: a CNAME cannot share its name with other data (A, CNAME)",
    ]


def test_valid_records_have_no_errors():
    assert dns_zone_record_errors(RECORDS, ZONE) == []
    assert dns_zone_record_errors("qdrant", ZONE) == ["the records must be a list, not str"]


def test_invalid_records_stop_the_rendering_naming_each_record():
    with pytest.raises(AnsibleFilterError, match=r"record 1 \(y A nope\).*record 2 \(z TXT None\): missing: value"):
        render([RECORDS[0], {"name": "y", "type": "A", "value": "nope"}, {"name": "z", "type": "TXT"}])


@pytest.mark.parametrize("zone", ["", ".", "bad zone", None])
def test_bad_zone_is_refused(zone):
    with pytest.raises(AnsibleFilterError, match="is not a DNS name"):
        dns_zone_record_errors([], zone)


@pytest.mark.parametrize("nameservers", [[], [{"name": "ns1"}], [{"address": "10.0.0.1"}]])
def test_bad_nameservers_are_refused(nameservers):
    with pytest.raises(AnsibleFilterError, match="nameserver"):
        dns_zone([], ZONE, nameservers, today="20261125")


@pytest.mark.skipif(shutil.which("named-checkzone") is None, reason="named-checkzone (bind9-utils) not installed")
def test_named_checkzone_accepts_the_text(tmp_path):
    path = tmp_path / "db"
    path.write_text(render())
    subprocess.run(["named-checkzone", ZONE, str(path)], check=True, capture_output=True)
