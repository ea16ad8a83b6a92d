# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/service_catalog: the real catalog (so a broken catalog file fails CI), its
checks against small catalogs written to tmp_path, resolve(), compose_project() and the .env
lines."""

from __future__ import annotations

import copy
import re
import secrets
import string
from pathlib import Path

import pytest
import yaml

from ansible_collections.foundrycloud.platform.plugins.module_utils import service_catalog as sc
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import (
    CATALOG_DIR,
    CatalogError,
    check_service,
    compose_project,
    deep_merge,
    enabled_containers,
    env_file_lines,
    env_key,
    env_values,
    image_reference,
    load,
    resolve,
)

CATALOG = Path(CATALOG_DIR)
SERVICE_NAMES = sorted(path.stem for path in (CATALOG / "services").glob("*.yml"))
PLATFORM_VARIABLES = {"BIND_ADDRESS", "FQDN", "URL", "TLS"}
PLATFORM_VALUES = {"bind_address": "127.0.0.1", "fqdn": "svc.localai.internal",
                   "url": "https://svc.localai.internal/", "tls": True}
# Keys of a catalog container that are the platform's own and must never reach Compose.
OUR_KEYS = ("image_key", "enabled_when_empty", "limits")
# $$ is Compose's escape for a literal $; ${NAME...} and $NAME are interpolated.
COMPOSE_VARIABLE = re.compile(r"\$\$|\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def raw_entries():
    """The service files as stored, x- keys included."""
    return load()[1]


def strings_in(data):
    """Every string (keys and values) of a nested structure."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(data, (list, tuple)):
        for item in data:
            yield from strings_in(item)
    elif isinstance(data, str):
        yield data


def compose_variables(data):
    names = set()
    for text in strings_in(data):
        names.update(match.group(1) for match in COMPOSE_VARIABLE.finditer(text) if match.group(1))
    return names


def named_volume(volume):
    """The named volume of a short- or long-syntax Compose volume, None for a bind mount."""
    if isinstance(volume, dict):
        if volume.get("type", "volume") != "volume":
            return None
        source = str(volume.get("source") or "")
    else:
        source = str(volume).split(":", 1)[0]
    # A host path from a setting (${SETTING_X}) is a bind mount as well.
    return None if source.startswith(("/", ".", "~", "${")) else source


def fake_secrets(entry):
    alphabets = {"alnum": string.ascii_letters + string.digits, "hex": "0123456789abcdef",
                 "base32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "password": string.ascii_letters + string.digits + "-_."}
    return dict((name, "".join(secrets.choice(alphabets[(spec or {}).get("chars", "alnum")])
                               for _unused in range((spec or {}).get("length", 32))))
                for name, spec in entry["secrets"].items())


# ---------------------------------------------------------------------------------------------
# Small catalogs in tmp_path

IMAGES = {
    "app": {"repository": "acme/app", "tag": "1.2.3"},
    "db": {"repository": "library/postgres", "tag": "17.6-trixie"},
    "blob": {"repository": "minio/minio", "tag": "RELEASE.2025-09-07T16-13-09Z"},
}


def demo_entry(name="demo"):
    return {
        "name": name,
        "placement": {"central": "default", "local": "optional"},
        "dns_name": name,
        "endpoint": {"container": "app", "port": 8080, "protocol": "http"},
        "secrets": {"token": {"length": 32}, "db_password": {"length": 32}},
        "settings": {"greeting": "hello", "s3_endpoint": ""},
        "x-shared": {"SHARED": "1"},
        "containers": {
            "db": {
                "image": "db",
                "environment": {"POSTGRES_PASSWORD": "${SECRET_DB_PASSWORD}"},
                "volumes": ["pgdata:/var/lib/postgresql/data", "./files/initdb:/docker-entrypoint-initdb.d:ro"],
                "limits": {"memory": "512m"},
            },
            "blob": {
                "image": "blob",
                "enabled_when_empty": "s3_endpoint",
                "volumes": ["blob:/data"],
            },
            "app": {
                "image": "app",
                "ports": [8080, {"container": 9000, "host": 19000}],
                "environment": {"TOKEN": "${SECRET_TOKEN}", "GREETING": "${SETTING_GREETING}", "LIST": "a,b"},
                "volumes": ["/etc/localtime:/etc/localtime:ro"],
                "depends_on": {"db": {"condition": "service_healthy"}, "blob": {"condition": "service_healthy"}},
                "labels": {"com.example.team": "platform"},
                "limits": {"memory": "1g", "cpus": 2},
            },
        },
        "volumes": ["pgdata", "blob"],
    }


def write_catalog(root, entries, images=None):
    """A catalog directory with images.yml and services/<name>.yml; returns it as str."""
    images = IMAGES if images is None else images
    (root / "services").mkdir(parents=True)
    (root / "images.yml").write_text(yaml.safe_dump(images))
    for entry in entries:
        (root / "services" / ("%s.yml" % entry["name"])).write_text(yaml.safe_dump(entry))
    return str(root)


@pytest.fixture
def demo_dir(tmp_path):
    return write_catalog(tmp_path / "catalog", [demo_entry()])


def resolved_demo(tmp_path, entry=None, **kwargs):
    directory = write_catalog(tmp_path / "catalog", [entry or demo_entry()])
    return resolve(directory=directory, **kwargs)[0]


# ---------------------------------------------------------------------------------------------
# The real catalog


def test_the_catalog_has_services():
    assert SERVICE_NAMES, "catalog/services/ holds no service file"
    assert set(SERVICE_NAMES) >= {"guacamole", "langfuse", "n8n", "qdrant"}


def test_the_real_catalog_loads_and_every_entry_passes_check_service():
    images, services = load()
    assert sorted(services) == SERVICE_NAMES
    for name, entry in services.items():
        check_service(name, dict((k, v) for k, v in entry.items() if not str(k).startswith("x-")), images)
    entries = resolve(registry="docker.io")
    assert [entry["name"] for entry in entries] == SERVICE_NAMES


@pytest.mark.parametrize("key", sorted(load()[0]))
def test_every_image_is_registry_less_and_pinned(key):
    image = load()[0][key]
    assert isinstance(image, dict) and set(image) <= {"repository", "tag", "upstream_registry"}, image
    tag = image["tag"]
    # A string in the file: an unquoted 1.10 would be the float 1.1.
    assert isinstance(tag, str), "%s: quote the tag in catalog/images.yml, got %r" % (key, tag)
    assert tag.strip() and tag == tag.strip()
    assert tag != "latest"
    assert "@" not in tag and ":" not in tag
    repository = image["repository"]
    assert isinstance(repository, str) and "/" in repository, "%s: namespace/name, e.g. library/postgres" % key
    first = repository.split("/", 1)[0]
    assert "." not in first and ":" not in first and first != "localhost", \
        "%s: the repository must not name a registry (platform_image_registry does)" % key
    assert ":" not in repository and repository == repository.lower()


def test_the_images_of_the_catalog_pass_check_images():
    sc.check_images(load()[0], where="catalog/images.yml")


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_image_key_of_a_service_exists(name):
    images, services = load()
    entry = services[name]
    for cname, container in (entry.get("containers") or {}).items():
        assert container["image"] in images, "%s: containers.%s: image %r" % (name, cname, container["image"])
    for item in entry.get("generated_files") or []:
        assert item["image"] in images, "%s: generated_files: image %r" % (name, item["image"])


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_named_volume_used_is_declared(name):
    entry = raw_entries()[name]
    declared = entry.get("volumes") or []
    assert len(declared) == len(set(declared)), "%s: volumes declared twice" % name
    for cname, container in (entry.get("containers") or {}).items():
        for volume in container.get("volumes") or []:
            source = named_volume(volume)
            assert source is None or source in declared, "%s: containers.%s: volume %r" % (name, cname, source)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_dependencies_backups_and_templates_refer_to_what_exists(name):
    entry = resolve([name])[0]
    containers = entry["containers"]
    for cname, container in containers.items():
        depends = container.get("depends_on") or {}
        for target in depends:
            assert target in containers and target != cname, "%s: containers.%s depends on %r" % (name, cname, target)
    for item in entry.get("backup") or []:
        if "container" in item:
            assert item["container"] in containers, item
        if "volume" in item:
            assert item["volume"] in entry["volumes"], item
    for item in entry.get("files") or []:
        assert Path(item["template_path"]).is_file(), item


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_secret_specs_are_what_platform_secret_accepts(name):
    entry = resolve([name])[0]
    for secret, spec in entry["secrets"].items():
        spec = spec or {}
        assert re.match(r"^[a-z][a-z0-9_]*$", secret), secret
        assert isinstance(spec.get("length", 32), int) and spec.get("length", 32) >= 16, (secret, spec)
        assert spec.get("chars", "alnum") in ("alnum", "hex", "base32", "password"), (secret, spec)


# ---------------------------------------------------------------------------------------------
# resolve(): registry, overrides


def test_resolve_prefixes_every_image_with_the_registry():
    images = load()[0]
    for entry in resolve(registry="mirror.foundrycloud.test"):
        for container in entry["containers"].values():
            image = images[container["image_key"]]
            assert container["image"] == "mirror.foundrycloud.test/%s:%s" % (image["repository"], image["tag"])
    n8n = resolve(["n8n"], registry="mirror.foundrycloud.test")[0]
    assert n8n["containers"]["postgres"]["image"] == "mirror.foundrycloud.test/library/postgres:%s" % images["postgres"]["tag"]


def test_an_upstream_registry_is_used_only_while_the_platform_registry_is_docker_io(tmp_path):
    images = {"img": {"repository": "vendor/app", "tag": "1.0", "upstream_registry": "ghcr.io"}}
    assert sc.image_reference("docker.io", images["img"]) == "ghcr.io/vendor/app:1.0"
    assert sc.image_reference("mirror.example", images["img"]) == "mirror.example/vendor/app:1.0"
    # An override naming a registry for the image wins over both.
    assert sc.image_reference("mirror.example", dict(images["img"], registry="other.example")) == "other.example/vendor/app:1.0"
    assert sc.image_reference("docker.io", {"repository": "library/redis", "tag": "8"}) == "docker.io/library/redis:8"


def test_an_entry_deployed_by_a_role_without_containers_needs_a_port():
    sc.check_service("ollama", {"placement": {"central": "required", "local": "default"}, "deployed_by": "ollama",
                                "dns_name": "ollama", "endpoint": {"port": 11434}}, {})
    with pytest.raises(CatalogError, match="endpoint.port"):
        sc.check_service("ollama", {"placement": {"central": "required", "local": "default"}, "deployed_by": "ollama",
                                    "dns_name": "ollama", "endpoint": {}}, {})


def test_an_entry_deployed_by_a_role_with_containers_is_checked_like_any_compose_entry():
    entry = {"placement": {"central": "required", "local": "never"}, "deployed_by": "inference_gateway",
             "dns_name": "llm", "endpoint": {"container": "proxy", "port": 443}, "containers": {"proxy": {"image": "nginx"}}}
    sc.check_service("gateway", entry, {"nginx": {"repository": "library/nginx", "tag": "1"}})
    with pytest.raises(CatalogError, match="containers.proxy: image 'nginx' is not in catalog/images.yml"):
        sc.check_service("gateway", entry, {})
    with pytest.raises(CatalogError, match="endpoint.container 'litellm' is not one of its containers"):
        sc.check_service("gateway", dict(entry, endpoint={"container": "litellm", "port": 4000}),
                         {"nginx": {"repository": "library/nginx", "tag": "1"}})


def test_structured_settings_stay_out_of_the_environment_file():
    lines = env_file_lines({}, {"level": "info", "model_list": [{"model_name": "chat"}], "limits": {"rpm": 1}}, {})
    assert lines == ["SETTING_LEVEL='info'"]


@pytest.mark.parametrize("fields, message", [
    ({"dns_name": "Not A Label"}, "dns_name must be one DNS label"),
    ({"central_group": "gpu-nodes"}, "central_group must be an inventory group name"),
    ({"uses": {"ollama": "maybe"}}, "uses.ollama must be one of required, optional"),
    ({"uses": {"ollama": "required"}, "wiring": {"nope": {"service": "ollama", "value": "url"}}}, "'nope' is not a setting"),
    ({"uses": {}, "settings": {"base": ""}, "wiring": {"base": {"service": "ollama", "value": "url"}}},
     "service must be one of the services under uses"),
    ({"uses": {"ollama": "required"}, "settings": {"base": ""}, "wiring": {"base": {"service": "ollama"}}},
     "exactly one of value"),
    ({"uses": {"ollama": "required"}, "settings": {"base": ""}, "wiring": {"base": {"service": "ollama", "value": "url", "setting": "x"}}},
     "exactly one of value"),
    ({"uses": {"ollama": "required"}, "settings": {"base": ""}, "wiring": {"base": {"format": 1}}},
     "format is a string"),
    ({"uses": {"ollama": "required"}, "settings": {"base": ""}, "wiring": {"base": {"service": "ollama", "value": "ip"}}},
     "value must be one of url, urls"),
    ({"front": "yes"}, "front: must be a mapping"),
    ({"front": {"tls": True}}, "front: unknown field 'tls'"),
    ({"front": {"websocket": "yes"}}, "front.websocket: must be a bool"),
    ({"front": {"read_timeout": True}}, "front.read_timeout: must be a int"),
    ({"front": {}, "placement": {"central": "never", "local": "default"}}, "never runs centrally"),
    ({"front": {}, "endpoint": {"port": 443, "protocol": "https"}}, "endpoint.protocol must be http"),
    ({"firewall": "yes"}, "firewall must be true or false, got 'yes'"),
    ({"uses": {"qdrant": "optional"}, "settings": {"base": ""}, "wiring": {"base": {"service": "qdrant", "value": "urls", "explicit_port": True}}},
     "explicit_port: true .the URL with its port written out. goes with a value that is one URL"),
    ({"central_clients": "gateway"}, "central_clients must be one of all, services, got 'gateway'"),
    ({"uses": {"ollama": "optional"}, "needs_one_of": ["ollama", "qdrant"]}, "needs_one_of must list two or more services of uses"),
    ({"uses": {"gateway": "optional"}, "wiring": {"key": {"service": "gateway", "user_key": "yes"}}}, "user_key: true wires"),
    ({"uses": {"qdrant": "optional"}, "wiring": {"key": {"service": "qdrant", "user_key": True}}}, "own key of gateway, got True for qdrant"),
    ({"uses": {"gateway": "optional"}, "settings": {"base": ""}, "wiring": {"base": {"service": "gateway", "value": "host", "path": "/v1"}}},
     "path .appended to the URL, starting with /. goes with a value that is a URL"),
    ({"uses": {"gateway": "optional"}, "settings": {"base": ""}, "wiring": {"base": {"service": "gateway", "value": "url", "path": "v1"}}},
     "path .appended to the URL"),
])
def test_placement_fields_are_checked_with_the_field_named(fields, message):
    entry = dict({"dns_name": "demo"}, **fields)
    with pytest.raises(CatalogError, match=message):
        sc.check_placement_fields("demo", entry)


def test_resolve_defaults_to_docker_io_and_strips_a_trailing_slash():
    assert resolve(["n8n"])[0]["containers"]["n8n"]["image"].startswith("docker.io/n8nio/n8n:")
    assert resolve(["n8n"], registry="reg.example:5000/")[0]["containers"]["n8n"]["image"].startswith("reg.example:5000/n8nio/n8n:")


@pytest.mark.parametrize("registry", ["", None, "  "])
def test_resolve_with_an_empty_registry_gives_no_prefix(registry):
    images = load()[0]
    entry = resolve(["n8n"], registry=registry)[0]
    assert entry["containers"]["n8n"]["image"] == "n8nio/n8n:%s" % images["n8n"]["tag"]


def test_image_reference():
    image = {"repository": "library/redis", "tag": "8"}
    assert image_reference("r.example", image) == "r.example/library/redis:8"
    assert image_reference("", image) == "library/redis:8"


def test_a_per_image_registry_override_wins():
    entry = resolve(["n8n"], registry="mirror.example", image_overrides={"postgres": {"registry": "other.example"}})[0]
    assert entry["containers"]["postgres"]["image"].startswith("other.example/library/postgres:")
    assert entry["containers"]["n8n"]["image"].startswith("mirror.example/n8nio/n8n:")
    entry = resolve(["n8n"], registry="mirror.example", image_overrides={"postgres": {"registry": ""}})[0]
    assert entry["containers"]["postgres"]["image"].startswith("library/postgres:")


def test_image_overrides_deep_merge_onto_the_catalog():
    entry = resolve(["n8n"], registry="", image_overrides={"postgres": {"tag": "16.10"}})[0]
    assert entry["containers"]["postgres"]["image"] == "library/postgres:16.10"
    assert entry["containers"]["postgres"]["image_key"] == "postgres"


def test_an_unknown_image_override_names_the_variable():
    with pytest.raises(CatalogError, match=r"platform_image_overrides: 'postgress' is not an image"):
        resolve(image_overrides={"postgress": {"tag": "1"}})


@pytest.mark.parametrize("override", [{"tag": "latest"}, {"tag": ""}, {"repository": None}, "postgres:16", None])
def test_a_bad_image_override_names_the_variable_and_the_image(override):
    with pytest.raises(CatalogError, match=r"platform_image_overrides: image postgres"):
        resolve(image_overrides={"postgres": override})


def test_service_overrides_merge_dicts_and_replace_lists(tmp_path):
    override = {
        "settings": {"greeting": "moin"},
        "containers": {"app": {"environment": {"TOKEN": "${SECRET_TOKEN}", "EXTRA": "1"},
                               "limits": {"memory": "2g"},
                               "ports": [8081]},
                       "db": {"volumes": ["pgdata:/data"]}},
    }
    entry = resolved_demo(tmp_path, service_overrides={"demo": override})
    app = entry["containers"]["app"]
    assert entry["settings"] == {"greeting": "moin", "s3_endpoint": ""}
    assert app["environment"] == {"TOKEN": "${SECRET_TOKEN}", "GREETING": "${SETTING_GREETING}", "LIST": "a,b", "EXTRA": "1"}
    assert app["limits"] == {"memory": "2g", "cpus": 2}
    assert app["ports"] == [8081]
    assert entry["containers"]["db"]["volumes"] == ["pgdata:/data"]
    assert app["depends_on"] == demo_entry()["containers"]["app"]["depends_on"]


def test_service_overrides_on_the_real_catalog():
    entry = resolve(["n8n"], service_overrides={"n8n": {"settings": {"timezone": "UTC"}}})[0]
    assert entry["settings"]["timezone"] == "UTC"
    # The override changes that call only: every call reads the catalog afresh.
    assert resolve(["n8n"])[0]["settings"]["timezone"] == load()[1]["n8n"]["settings"]["timezone"]


def test_an_unknown_service_override_names_the_variable():
    with pytest.raises(CatalogError, match=r"platform_service_overrides: 'n8m' is not a service"):
        resolve(service_overrides={"n8m": {}})


def test_a_service_override_that_is_not_a_mapping_is_a_catalog_error():
    """`platform_service_overrides: {n8n: }` (an empty YAML value) is a plausible typo."""
    with pytest.raises(CatalogError, match=r"platform_service_overrides"):
        resolve(["n8n"], service_overrides={"n8n": None})


def test_a_service_override_is_checked_like_the_catalog():
    with pytest.raises(CatalogError, match=r"service n8n: containers\.n8n: image 'n8n-enterprise'"):
        resolve(["n8n"], service_overrides={"n8n": {"containers": {"n8n": {"image": "n8n-enterprise"}}}})


def test_resolve_selects_names_in_the_order_given_and_refuses_unknown_ones():
    assert [entry["name"] for entry in resolve(["qdrant", "n8n"])] == ["qdrant", "n8n"]
    with pytest.raises(CatalogError, match=r"'nope' is not a service of the catalog"):
        resolve(["nope"])


def test_resolve_drops_x_keys_and_fills_defaults(tmp_path):
    entry = demo_entry()
    for key in ("secrets", "settings"):
        del entry[key]
    entry["containers"]["blob"].pop("enabled_when_empty")
    entry["volumes"] = ["pgdata", "blob"]
    resolved = resolved_demo(tmp_path, entry)
    assert not [key for key in resolved if str(key).startswith("x-")]
    assert resolved["secrets"] == {} and resolved["settings"] == {}
    langfuse = resolve(["langfuse"])[0]
    assert not [key for key in langfuse if str(key).startswith("x-")]


def test_resolve_adds_image_key_template_path_and_generated_image_ref():
    entry = resolve(["guacamole"], registry="mirror.example")[0]
    assert entry["containers"]["guacd"]["image_key"] == "guacd"
    for item in entry["files"]:
        assert item["template_path"] == str(CATALOG / "templates" / item["template"])
    for item in entry["generated_files"]:
        assert item["image_ref"].startswith("mirror.example/guacamole/")


def test_resolve_does_not_change_the_catalog_between_calls():
    first = resolve(["langfuse"], registry="a.example")[0]
    second = resolve(["langfuse"], registry="b.example")[0]
    assert first["containers"]["postgres"]["image"].startswith("a.example/")
    assert second["containers"]["postgres"]["image"].startswith("b.example/")


def test_deep_merge():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    override = {"a": {"c": [3]}, "e": {"f": 1}}
    merged = deep_merge(base, override)
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": {"f": 1}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    merged["e"]["f"] = 2
    assert override == {"a": {"c": [3]}, "e": {"f": 1}}
    assert deep_merge({"a": 1}, None) is None
    assert deep_merge([1], [2]) == [2]


# ---------------------------------------------------------------------------------------------
# check_service through resolve(directory=...): errors name the service and the field


def _set(path, value):
    def change(entry):
        target = entry
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return change


_DELETE = object()

BAD_ENTRIES = [
    ("placement-central", _set("placement.central", "sometimes"),
     r"service demo: placement\.central must be one of required, default, optional, never, got 'sometimes'"),
    ("placement-local-missing", _set("placement.local", _DELETE), r"service demo: placement\.local must be one of .*got None"),
    ("placement-missing", _set("placement", _DELETE), r"service demo: placement\.central"),
    ("no-containers", _set("containers", {}), r"service demo: containers must be a mapping"),
    ("container-not-a-mapping", _set("containers.app", ["app"]), r"service demo: containers\.app: must be a mapping"),
    ("unknown-image", _set("containers.app.image", "nginx"), r"service demo: containers\.app: image 'nginx' is not in catalog/images\.yml"),
    ("missing-image", _set("containers.db.image", _DELETE), r"service demo: containers\.db: image None is not in catalog/images\.yml"),
    ("undeclared-volume", _set("containers.db.volumes", ["pgdata2:/var/lib/postgresql/data"]),
     r"service demo: containers\.db: volume 'pgdata2' is not declared"),
    ("port-zero", _set("containers.app.ports", [0]), r"service demo: containers\.app: ports: 0 is not a port number"),
    ("port-too-big", _set("containers.app.ports", [65536]), r"service demo: containers\.app: ports: 65536"),
    ("port-string", _set("containers.app.ports", ["8080:80"]), r"service demo: containers\.app: ports: '8080:80'"),
    ("port-dict-without-container", _set("containers.app.ports", [{"host": 80}]), r"service demo: containers\.app: ports: None"),
    ("enabled-when-empty-not-a-setting", _set("containers.blob.enabled_when_empty", "s3_url"),
     r"service demo: containers\.blob: enabled_when_empty names 's3_url', which is not a setting"),
    ("endpoint-unknown-container", _set("endpoint.container", "web"), r"service demo: endpoint\.container 'web' is not one of its containers"),
    ("endpoint-missing", _set("endpoint", _DELETE), r"service demo: endpoint\.container None"),
    ("bad-setting-name", _set("settings.Greeting-Text", "x"), r"service demo: setting name 'Greeting-Text'"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in BAD_ENTRIES], ids=[case[0] for case in BAD_ENTRIES])
def test_check_service_errors_name_the_service_and_the_field(tmp_path, change, message):
    entry = demo_entry()
    change(entry)
    directory = write_catalog(tmp_path / "catalog", [entry])
    with pytest.raises(CatalogError, match=message):
        resolve(directory=directory)


@pytest.mark.parametrize("port", [{"container": 8080, "host": 70000}, {"container": 8080, "host": 0},
                                  {"container": 8080, "host": "8080"}])
def test_check_service_checks_the_host_port_too(tmp_path, port):
    """A {container, host} port is checked on both sides, not only container (else Compose or
    compose_project's '%d' fails later, without naming the service and field)."""
    entry = demo_entry()
    entry["containers"]["app"]["ports"] = [port]
    directory = write_catalog(tmp_path / "catalog", [entry])
    with pytest.raises(CatalogError, match=r"service demo: containers\.app: ports"):
        resolve(directory=directory)


def test_bind_mounts_need_no_declaration_and_a_valid_demo_resolves(demo_dir):
    entry = resolve(directory=demo_dir, registry="")[0]
    assert entry["containers"]["app"]["image"] == "acme/app:1.2.3"
    assert entry["containers"]["db"]["volumes"][1].startswith("./files/")


def test_load_refuses_a_file_whose_name_differs_from_the_entry(tmp_path):
    directory = write_catalog(tmp_path / "catalog", [demo_entry()])
    (Path(directory) / "services" / "demo.yml").rename(Path(directory) / "services" / "other.yml")
    with pytest.raises(CatalogError, match=r"other\.yml: name must be 'other' \(the file name\), got 'demo'"):
        load(directory)


def test_load_names_a_file_that_is_not_yaml(tmp_path):
    directory = write_catalog(tmp_path / "catalog", [demo_entry()])
    broken = Path(directory) / "services" / "broken.yml"
    broken.write_text("name: broken\ncontainers: [\n")
    with pytest.raises(CatalogError, match=re.escape(str(broken)) + " is not valid YAML"):
        load(directory)


def test_load_ignores_files_that_are_not_yml(tmp_path):
    directory = write_catalog(tmp_path / "catalog", [demo_entry()])
    (Path(directory) / "services" / "README.md").write_text("# notes\n")
    assert list(load(directory)[1]) == ["demo"]


# ---------------------------------------------------------------------------------------------
# compose_project


@pytest.fixture
def demo(tmp_path):
    return resolved_demo(tmp_path, registry="mirror.example")


def test_ports_are_published_on_the_bind_address(demo):
    project = compose_project(demo)
    assert project["services"]["app"]["ports"] == ["${PLATFORM_BIND_ADDRESS}:8080:8080", "${PLATFORM_BIND_ADDRESS}:19000:9000"]
    assert "ports" not in project["services"]["db"]
    n8n = compose_project(resolve(["n8n"])[0])
    assert n8n["services"]["n8n"]["ports"] == ["${PLATFORM_BIND_ADDRESS}:5678:5678"]
    qdrant = compose_project(resolve(["qdrant"])[0])
    assert qdrant["services"]["qdrant"]["ports"] == ["${PLATFORM_BIND_ADDRESS}:6333:6333", "${PLATFORM_BIND_ADDRESS}:6334:6334"]


def test_limits_become_deploy_resources_limits(demo):
    services = compose_project(demo)["services"]
    assert services["app"]["deploy"] == {"resources": {"limits": {"memory": "1g", "cpus": "2"}}}
    assert services["db"]["deploy"] == {"resources": {"limits": {"memory": "512m"}}}
    assert "deploy" not in services["blob"]


def test_limits_keep_the_rest_of_an_existing_deploy(tmp_path):
    """A container's own deploy (e.g. GPU reservations) must survive its limits."""
    entry = demo_entry()
    reservations = {"devices": [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]}
    entry["containers"]["app"]["deploy"] = {"resources": {"reservations": reservations}}
    service = compose_project(resolved_demo(tmp_path, entry))["services"]["app"]
    assert service["deploy"]["resources"]["limits"] == {"memory": "1g", "cpus": "2"}
    assert service["deploy"]["resources"]["reservations"] == reservations


def test_labels_name_the_service_and_container_and_keep_the_catalogs(demo):
    services = compose_project(demo)["services"]
    assert services["app"]["labels"] == {"com.example.team": "platform", "org.foundrycloud.service": "demo",
                                         "org.foundrycloud.container": "app"}
    assert services["db"]["labels"] == {"org.foundrycloud.service": "demo", "org.foundrycloud.container": "db"}


def test_restart_and_logging_defaults_and_overrides(tmp_path):
    entry = demo_entry()
    entry["containers"]["db"]["restart"] = "always"
    entry["containers"]["db"]["logging"] = {"driver": "journald"}
    services = compose_project(resolved_demo(tmp_path, entry))["services"]
    assert services["app"]["restart"] == "unless-stopped"
    assert services["app"]["logging"] == {"driver": "json-file", "options": {"max-size": "20m", "max-file": "5"}}
    assert services["db"]["restart"] == "always"
    assert services["db"]["logging"] == {"driver": "journald"}
    services["app"]["logging"]["options"]["max-size"] = "1g"
    assert sc.DEFAULT_LOGGING["options"]["max-size"] == "20m"


def test_compose_passes_other_keys_through_and_uses_the_resolved_image(demo):
    app = compose_project(demo)["services"]["app"]
    assert app["image"] == "mirror.example/acme/app:1.2.3"
    assert app["environment"] == {"TOKEN": "${SECRET_TOKEN}", "GREETING": "${SETTING_GREETING}", "LIST": "a,b"}
    assert app["volumes"] == ["/etc/localtime:/etc/localtime:ro"]
    app["environment"]["TOKEN"] = "changed"
    assert demo["containers"]["app"]["environment"]["TOKEN"] == "${SECRET_TOKEN}"


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_our_own_keys_never_reach_compose(name):
    entry = resolve([name])[0]
    project = compose_project(entry)
    assert set(project) <= {"name", "services", "volumes"}
    assert project["name"] == name
    for cname, service in project["services"].items():
        for key in OUR_KEYS:
            assert key not in service, "%s: %s: %s" % (name, cname, key)
        assert not [key for key in service if str(key).startswith("x-")]
        assert service["restart"] and service["logging"]
    assert set(project.get("volumes", {})) == set(entry["volumes"])


def test_project_name_and_volumes(demo):
    project = compose_project(demo, project="tenant-demo")
    assert project["name"] == "tenant-demo"
    assert project["volumes"] == {"pgdata": {"labels": {"org.foundrycloud.service": "demo"}},
                                  "blob": {"labels": {"org.foundrycloud.service": "demo"}}}


def test_enabled_when_empty_drops_the_container_and_dependencies_on_it(demo):
    services = compose_project(demo)["services"]
    assert "blob" in services
    assert set(services["app"]["depends_on"]) == {"db", "blob"}
    services = compose_project(demo, {"s3_endpoint": "https://s3.example"})["services"]
    assert "blob" not in services
    assert services["app"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert sorted(enabled_containers(demo, {"s3_endpoint": "  "})) == ["app", "blob", "db"]
    assert sorted(enabled_containers(demo, {"s3_endpoint": None})) == ["app", "blob", "db"]


def test_depends_on_only_on_a_dropped_container_is_removed(tmp_path):
    entry = demo_entry()
    entry["containers"]["app"]["depends_on"] = {"blob": {"condition": "service_started"}}
    app = compose_project(resolved_demo(tmp_path, entry), {"s3_endpoint": "https://s3.example"})["services"]["app"]
    assert "depends_on" not in app


def test_list_form_depends_on_a_dropped_container_is_removed_too(tmp_path):
    """Compose also takes depends_on as a list; a dependency on a dropped container makes the
    project invalid ("depends on undefined service")."""
    entry = demo_entry()
    entry["containers"]["app"]["depends_on"] = ["db", "blob"]
    app = compose_project(resolved_demo(tmp_path, entry), {"s3_endpoint": "https://s3.example"})["services"]["app"]
    assert app["depends_on"] == ["db"]


def test_langfuse_with_bundled_minio():
    entry = resolve(["langfuse"])[0]
    services = compose_project(entry)["services"]
    assert "minio" in services
    for name in ("langfuse-web", "langfuse-worker"):
        assert "minio" in services[name]["depends_on"]
    assert "minio" in compose_project(entry, {"s3_endpoint": ""})["services"]


def test_langfuse_with_external_s3_has_no_minio():
    entry = resolve(["langfuse"])[0]
    project = compose_project(entry, {"s3_endpoint": "https://rgw.example:7480", "s3_access_key_id": "k"})
    services = project["services"]
    assert "minio" not in services
    for name, service in services.items():
        assert "minio" not in (service.get("depends_on") or {}), name
    for name in ("langfuse-web", "langfuse-worker"):
        assert set(services[name]["depends_on"]) == {"postgres", "redis", "clickhouse"}
    # Langfuse's environment still falls back to MinIO only through the setting's default.
    assert services["langfuse-web"]["environment"]["LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT"].startswith("${SETTING_S3_ENDPOINT")


def test_langfuse_x_environment_is_dropped_but_used():
    entry = resolve(["langfuse"])[0]
    project = compose_project(entry)
    assert not [key for key in project if str(key).startswith("x-")]
    assert "x-langfuse-environment" not in yaml.safe_dump(project)
    worker = project["services"]["langfuse-worker"]["environment"]
    web = project["services"]["langfuse-web"]["environment"]
    assert worker["SALT"] == web["SALT"] == "${SECRET_SALT}"
    assert set(worker) < set(web)


# ---------------------------------------------------------------------------------------------
# Every entry's Compose output holds references only, and each reference is defined


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_no_secret_value_in_the_compose_output(name):
    entry = resolve([name])[0]
    values = fake_secrets(entry)
    text = yaml.safe_dump(compose_project(entry, dict(entry["settings"])))
    for secret, value in values.items():
        assert value not in text, secret
    # Environment variables that carry credentials take them from the .env file, never literally.
    for cname, service in compose_project(entry)["services"].items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for variable, value in environment.items():
            if re.search(r"PASSWORD|SECRET|_KEY$|TOKEN|REDIS_AUTH", variable):
                assert "${" in str(value), "%s: containers.%s: %s is a literal" % (name, cname, variable)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_variable_in_the_compose_output_is_defined(name):
    """${SECRET_X} must be a declared secret, ${SETTING_X} a setting, ${PLATFORM_X} one of the
    site values; anything else would silently be interpolated from the environment."""
    entry = resolve([name])[0]
    variables = compose_variables(compose_project(entry))
    # Wired secrets (a used service's secret, handed over by the workspace role) count as secrets.
    wired = sc.wired_secrets(entry)
    secrets_ = set(env_key("SECRET", secret) for secret in list(entry["secrets"]) + wired)
    settings = set(env_key("SETTING", setting) for setting in entry["settings"])
    for variable in sorted(variables):
        prefix = variable.split("_", 1)[0]
        if prefix == "SECRET":
            assert variable in secrets_, "%s: ${%s} is not one of its secrets: %s" % (name, variable, sorted(entry["secrets"]))
        elif prefix == "SETTING":
            assert variable in settings, "%s: ${%s} is not one of its settings: %s" % (name, variable, sorted(entry["settings"]))
        elif prefix == "PLATFORM":
            assert variable[len("PLATFORM_"):] in PLATFORM_VARIABLES, "%s: ${%s}" % (name, variable)
        else:
            pytest.fail("%s: ${%s} is none of SECRET_, SETTING_, PLATFORM_" % (name, variable))
    # ... and the .env file the role writes from the same entry defines every one of them.
    secret_values = dict(fake_secrets(entry), **dict((key, "wired") for key in wired))
    env = env_values(PLATFORM_VALUES, entry["settings"], secret_values)
    assert variables <= set(env)
    assert env_file_lines(PLATFORM_VALUES, entry["settings"], secret_values)


def test_the_variable_scan_catches_a_typo(tmp_path):
    entry = demo_entry()
    entry["containers"]["app"]["environment"]["TOKEN"] = "${SECRET_TOKNE}"
    entry["containers"]["app"]["command"] = ["run", "$$HOME", "${SETTING_GREETING:-hi}", "$PLATFORM_FQDN"]
    resolved = resolved_demo(tmp_path, entry)
    variables = compose_variables(compose_project(resolved))
    assert "SECRET_TOKNE" in variables and "HOME" not in variables
    assert {"SETTING_GREETING", "PLATFORM_FQDN", "PLATFORM_BIND_ADDRESS"} <= variables
    assert "SECRET_TOKNE" not in set(env_key("SECRET", name) for name in resolved["secrets"])


# ---------------------------------------------------------------------------------------------
# The .env lines


def test_env_file_lines_are_sorted_prefixed_and_quoted():
    lines = env_file_lines({"fqdn": "n8n.localai.internal", "bind_address": "10.0.0.5"},
                           {"time-zone": "Europe/Berlin", "workers": 4},
                           {"db_password": "abc", "n8n/key": "d$e"})
    assert lines == [
        "PLATFORM_BIND_ADDRESS='10.0.0.5'",
        "PLATFORM_FQDN='n8n.localai.internal'",
        "SECRET_DB_PASSWORD='abc'",
        "SECRET_N8N_KEY='d$e'",
        "SETTING_TIME_ZONE='Europe/Berlin'",
        "SETTING_WORKERS='4'",
    ]
    assert lines == sorted(lines)


def test_env_file_lines_booleans_and_none():
    assert env_file_lines({"tls": True, "debug": False, "empty": None, "zero": 0}) == [
        "PLATFORM_DEBUG='false'", "PLATFORM_EMPTY=''", "PLATFORM_TLS='true'", "PLATFORM_ZERO='0'"]
    assert env_file_lines({}, None, None) == []


@pytest.mark.parametrize("value", ["it's", "line1\nline2"])
@pytest.mark.parametrize("where", ["platform", "settings", "secrets"])
def test_env_file_lines_refuse_quote_and_newline_naming_the_key_not_the_value(value, where):
    value = "Sup3rS3cret-" + value
    arguments = {"platform": {}, "settings": {}, "secrets": {}}
    arguments[where] = {"db_password": value}
    with pytest.raises(CatalogError) as caught:
        env_file_lines(**arguments)
    message = str(caught.value)
    assert "%s_DB_PASSWORD" % {"platform": "PLATFORM", "settings": "SETTING", "secrets": "SECRET"}[where] in message
    assert "single quote or newline" in message
    assert "Sup3rS3cret" not in message


def test_env_key():
    assert env_key("SETTING", "s3_endpoint") == "SETTING_S3_ENDPOINT"
    assert env_key("PLATFORM", "bind-address") == "PLATFORM_BIND_ADDRESS"
    assert env_key("SECRET", "n8n/encryption.key") == "SECRET_N8N_ENCRYPTION_KEY"


def test_module_leaves_its_inputs_alone(demo):
    before = copy.deepcopy(demo)
    compose_project(demo, {"s3_endpoint": "x"})
    env_file_lines({"a": 1}, demo["settings"], {"token": "t"})
    assert demo == before


@pytest.mark.parametrize("entry", sc.resolve(), ids=lambda entry: entry["name"])
def test_no_secret_on_a_command_line(entry):
    """Command lines show in `docker inspect`, `ps` and Compose's output (and so in Ansible's):
    secrets reach containers through environment variables or mounted files only."""
    for name, container in entry["containers"].items():
        for key in ("command", "entrypoint"):
            text = str(container.get(key) or "")
            assert "${SECRET_" not in text, "%s: containers.%s.%s uses a secret" % (entry["name"], name, key)


def test_dns_servers_are_given_to_every_container_only_when_asked():
    entry = resolve(["n8n"])[0]
    project = sc.compose_project(entry, dns_servers=["10.0.0.53"])
    assert all(service["dns"] == ["10.0.0.53"] for service in project["services"].values())
    assert all("dns" not in service for service in sc.compose_project(entry)["services"].values())


def test_the_hosts_ca_bundle_is_mounted_and_named_in_every_container_only_when_asked():
    entry = resolve(["langfuse"])[0]
    project = sc.compose_project(entry, ca_bundle="/etc/ssl/certs/ca-certificates.crt")
    inside = "/etc/foundrycloud/host-certs/ca-certificates.crt"
    for name, service in project["services"].items():
        assert "/etc/ssl/certs:/etc/foundrycloud/host-certs:ro" in service["volumes"], name
        environment = service["environment"]
        assert all(environment[key] == inside for key in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")), name
    # The entry's own volumes and environment stay; its own value of a variable wins.
    plain = sc.compose_project(entry)["services"]
    for name, service in project["services"].items():
        assert service["volumes"][:-1] == list(plain[name].get("volumes") or [])
        assert dict((k, v) for k, v in service["environment"].items() if k in (plain[name].get("environment") or {})) \
            == dict(plain[name].get("environment") or {})
    custom = dict(entry, containers=dict(entry["containers"]))
    web = next(name for name in custom["containers"] if "environment" in custom["containers"][name])
    custom["containers"][web] = dict(custom["containers"][web], environment=dict(
        custom["containers"][web]["environment"], NODE_EXTRA_CA_CERTS="/own.pem"))
    assert sc.compose_project(custom, ca_bundle="/etc/ssl/certs/ca-certificates.crt")["services"][web]["environment"][
        "NODE_EXTRA_CA_CERTS"] == "/own.pem"
    assert all("SSL_CERT_FILE" not in (service.get("environment") or {}) for service in plain.values())
    with pytest.raises(CatalogError, match="ca_bundle must be the absolute path of a file"):
        sc.compose_project(entry, ca_bundle="certs/ca.crt")


def test_plain_copy_gives_plain_types_and_an_independent_copy():
    from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import plain_copy

    class Tagged(str):
        """Stands for the tagged strings Ansible hands to filters."""

    original = {Tagged("environment"): {"A": Tagged("1"), "list": (Tagged("x"), 2, True, None)}}
    copied = plain_copy(original)
    assert copied == {"environment": {"A": "1", "list": ["x", 2, True, None]}}
    key = next(iter(copied))
    # exactly str, not the subclass: the tags are gone
    assert {type(value) for value in (key, copied["environment"]["A"], copied["environment"]["list"][0])} == {str}
    copied["environment"]["A"] = "changed"
    assert original["environment"]["A"] == "1"


def test_the_front_is_optional_and_an_empty_one_means_the_defaults():
    entry = {"dns_name": "demo", "front": None, "endpoint": {"port": 80, "protocol": "http"}}
    sc.check_placement_fields("demo", entry)
    assert entry["front"] == {}
    sc.check_placement_fields("demo", {"dns_name": "demo"})
