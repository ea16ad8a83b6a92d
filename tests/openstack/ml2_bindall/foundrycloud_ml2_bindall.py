"""ML2 mechanism driver for the OpenStack test fixture: binds every port on its first segment.

Without L2 agents, ports stay unbound (`binding_failed`) and Nova puts servers in ERROR. This
driver binds any port that has a host (Nova's compute host) as an OVS port, status ACTIVE, so
servers of the fake virt driver reach ACTIVE. No data plane is involved. Registered as
`foundrycloud_bindall` under the entry-point group `neutron.ml2.mechanism_drivers` (see the
dist-info next to this file).
"""

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindAllMechanismDriver(api.MechanismDriver):
    """Binds every port, whatever its VNIC type, host or network type."""

    def initialize(self):
        """Nothing to set up."""

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                {portbindings.CAP_PORT_FILTER: True},
                                status=constants.PORT_STATUS_ACTIVE)
            return

    def check_vlan_transparency(self, context):
        return False

    def check_vlan_qinq(self, context):
        return False
