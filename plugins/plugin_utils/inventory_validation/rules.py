# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule of the inventory validation, in the order :func:`.engine.validate` runs them."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.backup import check_backup
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ceph import (
    check_ceph_client_data,
    check_ceph_clients,
    check_ceph_cluster,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.desktop import check_workspace_desktop
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.dns import check_dns_client, check_dns_server
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.docker_networks import check_docker_address_pools
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.file_rules import (
    check_inventory_files,
    check_inventory_has_hosts,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.groups import check_unknown_groups
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.host_addresses import check_host_addresses
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.model_mapping import check_model_mapping
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.monitoring import check_monitoring
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ollama_settings import check_ollama_settings
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.openstack import (
    check_openstack_network,
    check_workspace_vms,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ports import check_ports
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.role_variables import (
    check_argument_specs,
    check_unknown_role_variables,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.secret_values import (
    check_literal_secrets,
    check_vault_files,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.secrets_state import (
    check_committed_secrets,
    check_secrets_location,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import (
    check_central_services,
    check_gateway,
    check_placement,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.variables import (
    check_platform_variables,
    check_unknown_variables,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.vram import check_vram_plans

RULES: list = [
    check_inventory_files,
    check_inventory_has_hosts,
    check_unknown_variables,
    check_platform_variables,
    check_vault_files,
    check_literal_secrets,
    check_argument_specs,
    check_unknown_role_variables,
    check_unknown_groups,
    check_docker_address_pools,
    check_model_mapping,
    check_central_services,
    check_placement,
    check_gateway,
    check_host_addresses,
    check_ports,
    check_ollama_settings,
    check_vram_plans,
    check_openstack_network,
    check_workspace_vms,
    check_workspace_desktop,
    check_ceph_cluster,
    check_ceph_client_data,
    check_ceph_clients,
    check_dns_server,
    check_dns_client,
    check_monitoring,
    check_backup,
    check_secrets_location,
    check_committed_secrets,
]
"""Every check, in order. Append new cross-host rules here."""
