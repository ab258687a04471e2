# The two commands of the README:
#   make deploy   Chatwoot on this machine (inventories/local), through the project's local registry
#   make test     every test: lint, build, sanity, unit (with integration), local deploy, Molecule
# Day-2 (the README's "Day-2"): `ansible-playbook playbooks/NAME.yml` with the tools of .venv, so they work from a
# fresh shell. HOST narrows to one inventory host (-l); ARGS goes to ansible-playbook as written (-e, -i, --check, -v):
#   make status | health | backup | logs [SERVICE=sidekiq] [LINES=200]
#   make restore HOST=localhost [BACKUP=20260101T030000Z]       make remove HOST=localhost
#   make runner CODE='puts Account.count'                        (rails runner in the web container)
#   make reliability   docs/reliability.md from the last test run's records, to commit with it
VENV ?= .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

DAY2 := status health backup logs restore remove runner
.PHONY: deploy test controller rig reliability $(DAY2)

controller:
	scripts/controller-setup.sh

rig:
	tests/rig/up.sh

deploy: controller rig
	ansible-playbook site.yml $(ARGS)

test: controller
	tests/run

reliability: controller
	python tests/reliability/report.py --output docs/reliability.md

# Each Day-2 variable becomes the playbook variable it names, only when given.
day2_vars = $(if $(HOST),--limit '$(HOST)') \
	$(if $(SERVICE),-e chatwoot_logs_service='$(SERVICE)') $(if $(LINES),-e chatwoot_logs_lines='$(LINES)') \
	$(if $(BACKUP),-e chatwoot_restore_backup='$(BACKUP)')

status health backup logs: controller
	ansible-playbook playbooks/$@.yml $(day2_vars) $(ARGS)

# Restore and remove act on the host named, never on every host of the inventory at once.
restore remove: controller
	@[ -n "$(HOST)" ] || { echo "make $@: name the host, e.g. make $@ HOST=localhost (the local inventory's host)" >&2; exit 2; }
	ansible-playbook playbooks/$@.yml $(day2_vars) $(ARGS)

# CODE reaches Ansible as JSON, from the environment, unexpanded by make: quotes, spaces and $ stay as written.
ifdef CODE
override CODE := $(value CODE)
export CODE
endif
runner: controller
	ansible-playbook playbooks/runner.yml $(day2_vars) \
	  $(if $(CODE),-e "$$(python -c 'import json, os; print(json.dumps({"chatwoot_runner_code": os.environ["CODE"]}))')") $(ARGS)
