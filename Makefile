# Single entry point. `make help` lists the targets.
SHELL := /bin/bash
INVENTORY ?= inventories/lab
ANSIBLE := .venv/bin/ansible-playbook
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: help prepare lab lab-down test test-fast lint unit sanity molecule validate deploy check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

prepare:  ## virtualenv, Docker engine, base images (idempotent)
	scripts/prepare all

lab:  ## the local lab: nodes as containers, site.yml, verify, summary (re-run: changed=0)
	scripts/lab up

lab-down:  ## remove the lab's containers, volumes and network (nothing else)
	scripts/lab down

test:  ## the whole test suite (SCENARIO=name runs one molecule scenario)
	scripts/test $(if $(SCENARIO),--scenario $(SCENARIO))

test-fast:  ## lint, syntax, inventory validation, unit, sanity (no molecule)
	scripts/test --fast

lint:  ## ansible-lint, production profile
	scripts/prepare venv && .venv/bin/ansible-lint --offline

unit:  ## unit tests
	scripts/prepare venv && .venv/bin/pytest -q tests/unit

sanity:  ## ansible-test sanity on a copy of the collection
	scripts/prepare venv && scripts/sanity

validate:  ## check INVENTORY without touching any host
	scripts/prepare venv && $(ANSIBLE) -i $(INVENTORY) playbooks/validate.yml

check:  ## dry run of site.yml against INVENTORY (--check --diff)
	scripts/prepare venv && $(ANSIBLE) -i $(INVENTORY) playbooks/site.yml --check --diff

deploy:  ## site.yml against INVENTORY
	scripts/prepare venv && $(ANSIBLE) -i $(INVENTORY) playbooks/site.yml
