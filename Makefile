# The two commands of the README:
#   make deploy   Chatwoot on this machine (inventories/local), through the project's local registry
#   make test     every test: lint, build, sanity, unit, integration, local deploy, Molecule
VENV ?= .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: deploy test controller rig

controller:
	scripts/controller-setup.sh

rig:
	tests/rig/up.sh

deploy: controller rig
	ansible-playbook site.yml

test: controller
	tests/run
