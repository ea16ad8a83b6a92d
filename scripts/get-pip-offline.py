"""Stand-in for get-pip.py that ansible-test fetches from a host this build machine cannot reach.

ansible-test runs its cached get-pip script inside each fresh sanity venv with pip-install
arguments (e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``).
This does the same job with what is reachable: the interpreter's bundled pip (ensurepip),
then ``pip install`` of the requested versions from the configured package index.
"""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

# ansible-test runs pip with a scrubbed environment: PIP_CERT and friends are gone. Sites
# that inspect TLS with their own CA need it in the venv's own pip.conf for every later call.
CA_CANDIDATES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
ca_bundle = next((path for path in CA_CANDIDATES if os.path.exists(path)), None)
if ca_bundle:
    with open(os.path.join(sys.prefix, "pip.conf"), "w", encoding="utf-8") as conf:
        conf.write("[global]\ncert = %s\n" % ca_bundle)

ensurepip.bootstrap(upgrade=True, default_pip=True)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
# ensurepip points PIP_CONFIG_FILE at /dev/null in this process; pip must read its config again.
env = {key: value for key, value in os.environ.items() if key != "PIP_CONFIG_FILE"}
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args], env=env))
