# -*- coding: utf-8 -*-
"""The platform's alert rules as Prometheus loads them: rendered from catalog/monitoring/alerts.yml
with their default thresholds (module_utils/monitoring.alert_rules), checked by
`promtool check rules` and tested by `promtool test rules` (alerts_test.yml: each alert fires
when it should and not before)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ansible_collections.foundrycloud.platform.plugins.module_utils import monitoring as mon

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
RULES = yaml.safe_load((ROOT / "catalog" / "monitoring" / "alerts.yml").read_text())
ALERTS = RULES["groups"]


def promtool():
    path = shutil.which("promtool")
    assert path, "promtool not found: scripts/prepare venv installs Debian's prometheus package (promtool)"
    return path


def rendered(tmp_path, **kwargs):
    rules = mon.alert_rules(RULES, **kwargs)
    path = tmp_path / "alerts.rules.yml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return path


def test_promtool_accepts_the_rules(tmp_path):
    path = rendered(tmp_path)
    result = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: %d rules found" % sum(len(g["rules"]) for g in ALERTS) in result.stdout


def test_every_alert_fires_when_it_should(tmp_path):
    path = rendered(tmp_path)
    test = (HERE / "alerts_test.yml").read_text().replace("RULES_FILE", str(path))
    test_path = tmp_path / "alerts_test.yml"
    test_path.write_text(test)
    result = subprocess.run([promtool(), "test", "rules", str(test_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_platform_alert_is_tested():
    tested = set()
    for case in yaml.safe_load((HERE / "alerts_test.yml").read_text())["tests"]:
        tested.update(item["alertname"] for item in case["alert_rule_test"] if item.get("exp_alerts"))
    assert tested == set(rule["alert"] for group in ALERTS for rule in group["rules"])


def test_no_placeholder_is_left_and_thresholds_are_used():
    rules = mon.alert_rules(RULES, {"disk_free_percent": 7})
    text = yaml.safe_dump(rules)
    assert "<<" not in text
    disk = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "HostDiskAlmostFull")
    assert disk["expr"].endswith("< 7") and "Less than 7%" in disk["annotations"]["description"]


def test_extra_groups_and_disabled_alerts(tmp_path):
    extra = [{"name": "customer", "rules": [{"alert": "QueueLong", "expr": "queue_length > <<disk_free_percent>>"}]}]
    rules = mon.alert_rules(RULES, extra=extra, disabled=["GpuMemoryNearlyFull"])
    names = [r["alert"] for g in rules["groups"] for r in g["rules"]]
    assert "QueueLong" in names and "GpuMemoryNearlyFull" not in names
    assert "foundrycloud-gpu" not in [g["name"] for g in rules["groups"]]   # an emptied group goes
    assert rules["groups"][-1]["rules"][0]["expr"] == "queue_length > 10"


@pytest.mark.parametrize("kwargs, message", [
    ({"thresholds": {"target_down_for": "5 minutes"}}, "monitoring_alert_thresholds.target_down_for: '5 minutes' is not a Prometheus duration"),
    ({"thresholds": {"disk_free_percent": [10]}}, "monitoring_alert_thresholds.disk_free_percent: must be a number or a duration"),
    ({"thresholds": {"disk_free_percnt": 5}}, "monitoring_alert_thresholds: disk_free_percnt is no threshold of the rules (known: "),
    ({"thresholds": [5]}, "monitoring_alert_thresholds: must map threshold names to values"),
    ({"disabled": ["NoSuchAlert"]}, "monitoring_alert_rules_disabled: NoSuchAlert is no alert of the rules"),
    ({"extra": [{"name": "foundrycloud-hosts", "rules": [{"alert": "X", "expr": "up"}]}]},
     "monitoring_alert_rules_extra[0]: rule group foundrycloud-hosts is there twice"),
    ({"extra": [{"name": "c", "rules": [{"alert": "X"}]}]}, "monitoring_alert_rules_extra[0].rules[0]: a rule needs alert (or record) and expr"),
    ({"extra": [{"name": "c", "rules": [{"alert": "X", "expr": "up > <<nope>>"}]}]},
     "monitoring_alert_rules_extra[0].rules[0]: <<nope>> is not in monitoring_alert_thresholds"),
    ({"extra": {"name": "c"}}, "monitoring_alert_rules_extra: must be a list of rule groups"),
])
def test_wrong_data_is_named(kwargs, message):
    with pytest.raises(mon.MonitoringError) as error:
        mon.alert_rules(RULES, **kwargs)
    assert message in str(error.value)
