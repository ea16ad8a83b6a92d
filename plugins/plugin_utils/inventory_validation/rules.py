# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule of the inventory validation, in the order :func:`.engine.validate` runs them."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.docker_networks import check_docker_address_pools
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.groups import check_unknown_groups
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.model_mapping import check_model_mapping
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.role_variables import (
    check_argument_specs,
    check_unknown_role_variables,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import (
    check_central_services,
    check_gateway,
    check_placement,
)

RULES: list = [
    check_argument_specs,
    check_unknown_role_variables,
    check_unknown_groups,
    check_docker_address_pools,
    check_model_mapping,
    check_central_services,
    check_placement,
    check_gateway,
]
"""Every check, in order. Append new cross-host rules here."""
