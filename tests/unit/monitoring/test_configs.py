# -*- coding: utf-8 -*-
"""The monitoring host's configuration files as the monitoring role writes them
(module_utils/monitoring.py), checked by the tools of the real software: `promtool check config`
(with the rules file it names), `amtool check-config` and the blackbox exporter's --config.check."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.backup_jobs import backup_jobs
from ansible_collections.foundrycloud.platform.plugins.filter.monitoring_config import monitoring_config
from ansible_collections.foundrycloud.platform.plugins.filter.platform_placement import platform_placement
from ansible_collections.foundrycloud.platform.plugins.module_utils import monitoring as mon
from test_alert_rules import RULES
from monitoring_cases import site, targets


def tool(name):
    path = shutil.which(name)
    assert path, "%s not found: scripts/prepare tools installs Debian's prometheus packages" % name
    return path


def run(*argv):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


RECEIVERS = [
    {"name": "ops-webhook", "webhook": {"url": "https://hooks.example-customer.test/alerts"}},
    {"name": "ops-mail", "severities": ["critical"],
     "email": {"to": "ops@example-customer.test", "from": "prometheus@example-customer.test",
               "smarthost": "mail.example-customer.test:587", "auth_username": "prometheus", "auth_password": "s3cret"}},
]


def test_prometheus_accepts_the_configuration(tmp_path):
    hosts, groups = site()
    config = mon.prometheus_config(targets(hosts, groups), "core-1")
    rules = tmp_path / "alerts.rules.yml"
    rules.write_text(yaml.safe_dump(mon.alert_rules(RULES)))
    config["rule_files"] = [str(rules)]   # where the container mounts it, here
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    out = run(tool("promtool"), "check", "config", str(path))
    assert "SUCCESS" in out


def test_every_target_and_probe_is_in_the_configuration():
    hosts, groups = site()
    result = targets(hosts, groups)
    config = mon.prometheus_config(result, "core-1")
    jobs = dict((job["job_name"], job) for job in config["scrape_configs"])
    assert sorted(jobs) == ["alertmanager", "blackbox", "ceph", "dcgm", "node", "probe", "prometheus"]
    node = [(c["targets"][0], c["labels"]["host"]) for c in jobs["node"]["static_configs"]]
    assert node == [(t["target"], t["labels"]["host"]) for t in result["jobs"]["node"]]
    probes = jobs["probe"]["static_configs"]
    assert [c["targets"][0] for c in probes] == [p["url"] for p in result["probes"]]
    qdrant = next(c for c in probes if c["labels"]["service"] == "qdrant" and c["labels"]["via"] == "front")
    assert qdrant["labels"]["__param_module"] == "https_2xx"
    # The blackbox exporter does the probing; the probed URL becomes the instance label.
    assert jobs["probe"]["relabel_configs"][-1] == {"target_label": "__address__", "replacement": "blackbox:9115"}
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_a_job_without_targets_is_left_out():
    hosts, groups = site()
    del groups["ceph_mgrs"]
    jobs = [job["job_name"] for job in mon.prometheus_config(targets(hosts, groups), "core-1")["scrape_configs"]]
    assert "ceph" not in jobs and "node" in jobs


def test_alertmanager_accepts_the_receivers(tmp_path):
    config = mon.alertmanager_config(RECEIVERS)
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    out = run(tool("amtool"), "check-config", str(path))
    assert "SUCCESS" in out and "3 receivers" in out
    assert config["route"]["routes"] == [
        {"receiver": "ops-webhook", "matchers": ['severity=~"critical|warning"'], "continue": True},
        {"receiver": "ops-mail", "matchers": ['severity=~"critical"'], "continue": True}]
    assert config["receivers"][1]["webhook_configs"] == [
        {"url": "https://hooks.example-customer.test/alerts", "send_resolved": True}]
    assert config["receivers"][2]["email_configs"][0]["smarthost"] == "mail.example-customer.test:587"


def test_without_receivers_alertmanager_still_starts(tmp_path):
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(mon.alertmanager_config([])))
    assert "SUCCESS" in run(tool("amtool"), "check-config", str(path))


def test_the_blackbox_exporter_accepts_its_modules(tmp_path):
    hosts, groups = site()
    config = mon.blackbox_config(targets(hosts, groups))
    path = tmp_path / "blackbox.yml"
    path.write_text(yaml.safe_dump(config))
    out = run(tool("prometheus-blackbox-exporter"), "--config.check", "--config.file=%s" % path)
    assert "Config file is ok" in out
    assert config["modules"]["https_2xx_gateway"]["http"]["tls_config"] == {"server_name": "llm.localai.internal"}
    assert sorted(config["modules"]) == ["http_2xx", "https_2xx", "https_2xx_gateway"]


@pytest.mark.parametrize("receivers, message", [
    ({"name": "x"}, "monitoring_receivers: must be a list of receivers"),
    ([{"webhook": {"url": "https://x"}}], "monitoring_receivers[0]: a receiver needs a name"),
    ([{"name": "ops"}], "monitoring_receivers[ops]: give webhook or email"),
    ([{"name": "ops", "webhook": {"url": "ftp://x"}}], "monitoring_receivers[ops]: webhook.url must be an http(s) URL"),
    ([{"name": "ops", "email": {"to": "a@b"}}], "monitoring_receivers[ops]: email needs from, smarthost"),
    ([{"name": "ops", "webhook": {"url": "https://x"}, "severities": ["info"]}], "severities must list critical and/or warning"),
    ([{"name": "ops", "webhook": {"url": "https://x"}, "slack": {}}], "monitoring_receivers[ops]: unknown key(s) slack"),
    ([{"name": "ops", "webhook": {"url": "https://x"}}, {"name": "ops", "webhook": {"url": "https://y"}}],
     "monitoring_receivers[ops]: the name is taken"),
])
def test_wrong_receivers_are_named(receivers, message):
    with pytest.raises(mon.MonitoringError) as error:
        mon.alertmanager_config(receivers)
    assert message in str(error.value)


@pytest.mark.parametrize("name, call", [
    ("monitoring_config: catalog", lambda: monitoring_config({}, {}, [{"no": "name"}], {}, "core-1")),
    ("backup_jobs: the input", lambda: backup_jobs("not a list", {}, "core-1")),
    ("platform_placement: catalog", lambda: platform_placement({}, {}, {"qdrant": {}}, "localai.internal")),
])
def test_filters_refuse_what_is_not_the_catalog_lookups_list(name, call):
    with pytest.raises(AnsibleFilterError) as error:
        call()
    assert str(error.value) == "%s must be the list the service_catalog lookup returns" % name
