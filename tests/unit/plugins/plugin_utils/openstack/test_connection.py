# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection parameters of the openstack.cloud modules (openstack/common.py)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.common import connection


def test_connection_by_cloud_name():
    assert connection("acme") == {"cloud": "acme"}
    assert connection("acme", project_id="p1") == {"cloud": "acme", "auth": {"project_id": "p1"}}


def test_connection_by_dict_keeps_credentials_under_auth():
    cloud_config = {"auth": {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": "secret",
                             "project_name": "admin", "project_domain_name": "Default", "user_domain_name": "Default"},
                    "region_name": "RegionOne", "verify": False}
    params = connection(cloud_config)
    assert params == {"auth": cloud_config["auth"], "region_name": "RegionOne", "validate_certs": False}
    scoped = connection(cloud_config, project_id="p1")
    assert scoped["auth"] == {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": "secret",
                              "user_domain_name": "Default", "project_id": "p1"}
    assert cloud_config["auth"]["project_name"] == "admin"   # the input is not changed


@pytest.mark.parametrize("cloud_config, message", [
    ("", "openstack_cloud is empty"),
    (5, "must be a clouds.yaml cloud name or a dict"),
    ({"auth": {}}, "needs auth with at least auth_url"),
    ({"auth": {"auth_url": "x"}, "regoin_name": "r"}, "unknown key(s) regoin_name"),
])
def test_connection_errors(cloud_config, message):
    with pytest.raises(ValueError) as error:
        connection(cloud_config)
    assert message in str(error.value)
