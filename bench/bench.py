# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a test): what the collection costs over raw Compose, and how it scales with hosts.

    bench/run [--quick] [--pairs N] [--hosts 1,2,4] [--health-calls 50] [--phases cold,health,scale,upgrade]

On the test rig (tests/rig: the Docker engine, the images, the registry on 127.0.0.1:5000) it starts fresh
systemd "servers" (sinapum-rig/server:trixie, started like Molecule's), installs Docker on each with the
collection's docker_engine role (untimed), then times:

  cold     site.yml against a fresh server vs bench/raw_deploy.sh on another fresh server, in pairs (A/B order
           alternated); after each collection deploy, a no-op re-run of site.yml (wall time, changed count);
           the connection's per-task floor and, unless --quick, a no-op with ANSIBLE_PIPELINING=false (what-if: what pipelining saves)
           and, on the last pair's server once those are done, three no-ops of a host at rest (settled)
  health   chatwoot_health's whole check, 50 calls in-process (bench/health_check.py) against a deployed server
  scale    site.yml against 1, 2 and 4 fresh servers in one run each; a no-op re-run on the largest group
  upgrade  site.yml moving v4.15.1 -> v4.16.0 while http://SERVER:3001/health is polled every 100 ms

It prints a table and writes everything to bench/results/<timestamp>.json (logs of every run beside it).
Timings are reported against targets; nothing fails on a timing. Every server, network and volume it creates
is removed at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')

LABEL = 'sinapum-chatwoot-bench'
SERVER_IMAGE = 'sinapum-rig/server:trixie'
REGISTRY_CONTAINER = 'sinapum-rig-registry'
# The benchmark's own address range; Molecule's scenarios use 10.199.0.0/24 and others.
SUBNETS = ['10.199.%d.0/24' % third for third in (100, 101, 102, 103)]
# test-environment.md's flags for a systemd server with its own engine (--privileged fails on these machines).
SERVER_FLAGS = ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
                '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
                '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '--tmpfs', '/run', '--tmpfs', '/run/lock']
# molecule/default's group_vars, the first administrator included (a deploy without one leaves the onboarding page
# open, and asks Chatwoot about it on every run), chatwoot_config_accounts left out: the deploy alone is measured.
GROUP_VARS = {
    'ansible_connection': 'community.docker.docker',
    'chatwoot_become': False,
    'chatwoot_image_registry': 'registry:5000',
    'chatwoot_postgres_image': 'pgvector/pgvector:pg17',
    'chatwoot_redis_image': 'redis:8',
    'chatwoot_frontend_url': 'http://{{ inventory_hostname }}:3001',
    'chatwoot_admin_email': 'admin@molecule.example.org',
    'chatwoot_account_name': 'Molecule',
    'docker_engine_insecure_registries': ['registry:5000'],
}
VERSION_FROM = 'v4.15.1'
VERSION_TO = 'v4.16.0'
# Issue 16's figures: the no-op 4 s (8 s before it), and 4 hosts in one run no worse than the raw script's own 4-host
# ratio of the same run (raw_scale; 1.5x stands for it in a run without one, --quick).
TARGETS = {'cold_ratio': 1.15, 'noop_seconds': 4.0, 'health_ms': 150.0, 'scale4_ratio': 1.5}
RUN_TIMEOUT = 1200
# No-op re-runs on the last pair's server once the floor's runs are done (cold phase).
SETTLED_NOOPS = 3
TOP = 15

RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+'
                      r'skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)')
PROFILE_RE = re.compile(r'^(.+?) -+ (\d+\.\d+)s\s*$')


class BenchError(Exception):
    """A step of the benchmark failed (not a timing: timings never fail)."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: handled like Ctrl-C."""


def log(message):
    sys.stderr.write('[bench %s] %s\n' % (time.strftime('%H:%M:%S'), message))
    sys.stderr.flush()


def run(argv, check=True, timeout=300, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if check and proc.returncode != 0:
        raise BenchError('%s failed (%d): %s' % (' '.join(argv[:4]), proc.returncode,
                                                 (proc.stderr or proc.stdout).strip()[-600:]))
    return proc


def docker(*args, check=True, timeout=300):
    return run(['docker'] + list(args), check=check, timeout=timeout)


def controller_cpu():
    """CPU seconds (user + system) of every finished child process tree: ansible-playbook, its forks, the docker
    CLI processes of the connection. On this 2-core machine that CPU is taken from the servers' own work."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(values):
    return statistics.median(values) if values else None


def fmt_s(value):
    return '-' if value is None else '%.1f s' % value


def fmt_x(value):
    return '-' if value is None else '%.2fx' % value


# ---------------------------------------------------------------------------------------------- machine load
class LoadMonitor(threading.Thread):
    """Samples, every few seconds, whether Molecule runs (pgrep -f 'molecule '), the load average and how many
    containers that are not the benchmark's run on the outer engine; each sample is tagged with the phase."""

    def __init__(self, interval=5.0):
        super().__init__(daemon=True)
        self.interval = interval
        self.phase = 'setup'
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            molecule = subprocess.run(['pgrep', '-f', 'molecule '], capture_output=True, text=True,
                                      check=False).stdout.split()
            others = subprocess.run(['docker', 'ps', '-q', '--filter', 'status=running'], capture_output=True,
                                    text=True, check=False).stdout.split()
            ours = subprocess.run(['docker', 'ps', '-q', '--filter', 'label=' + LABEL], capture_output=True,
                                  text=True, check=False).stdout.split()
            self.samples.append({'t': time.time(), 'phase': self.phase, 'molecule': len(molecule),
                                 'load1': os.getloadavg()[0],
                                 # the registry is the rig's, always there
                                 'other_containers': max(0, len(set(others) - set(ours)) - 1)})
            self.stopping.wait(self.interval)

    def summary(self):
        phases = {}
        for sample in self.samples:
            entry = phases.setdefault(sample['phase'], {'molecule_seen': False, 'max_load1': 0.0, 'max_other_containers': 0})
            entry['molecule_seen'] = entry['molecule_seen'] or sample['molecule'] > 0
            entry['max_load1'] = max(entry['max_load1'], round(sample['load1'], 2))
            entry['max_other_containers'] = max(entry['max_other_containers'], sample['other_containers'])
        busy = any(entry['molecule_seen'] for entry in phases.values())
        return {'busy': busy, 'phases': phases, 'samples': len(self.samples)}


# ---------------------------------------------------------------------------------------------- servers
class Rig:
    """Servers, networks and volumes of this run, all labelled, all removed by cleanup()."""

    def __init__(self, run_id, workdir):
        self.run_id = run_id
        self.workdir = workdir
        self.containers, self.networks, self.volumes, self.images = [], [], [], []
        self.server_image = SERVER_IMAGE
        self.server_cpus = ''  # --split-cores: the cores the servers run on
        self.labels = ['--label', '%s=%s' % (LABEL, run_id), '--label', '%s.pid=%d' % (LABEL, os.getpid())]

    @staticmethod
    def reap_stale():
        """Remove what an earlier run left behind when it was killed outright (its process is gone)."""
        def stale(kind):
            fmt = ('{{.Names}}' if kind == 'container' else '{{.Name}}') + ' {{.Label "%s.pid"}}'
            lister = {'container': ['ps', '-a'], 'network': ['network', 'ls'], 'volume': ['volume', 'ls']}[kind]
            out = docker(*(lister + ['--filter', 'label=' + LABEL, '--format', fmt % LABEL]), check=False).stdout
            names = []
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit() and not os.path.exists('/proc/%s' % parts[1]):
                    names.append(parts[0])
            return names
        containers = stale('container')
        if containers:
            docker('rm', '-f', '-v', *containers, check=False)
        for network in stale('network'):
            docker('network', 'disconnect', '-f', network, REGISTRY_CONTAINER, check=False)
            docker('network', 'rm', network, check=False)
        volumes = stale('volume')
        if volumes:
            docker('volume', 'rm', '-f', *volumes, check=False)
        for line in docker('images', '--filter', 'label=' + LABEL, '--format',
                           '{{.Repository}}:{{.Tag}} {{.ID}}', check=False).stdout.splitlines():
            image = line.split()[0]
            pid = docker('image', 'inspect', '-f', '{{index .Config.Labels "%s.pid"}}' % LABEL, image,
                         check=False).stdout.strip()
            if pid.isdigit() and not os.path.exists('/proc/%s' % pid):
                docker('rmi', '-f', image, check=False)
        if containers or volumes:
            log('removed leftovers of an earlier run: %d servers, %d volumes' % (len(containers), len(volumes)))

    def group(self, tag, count):
        """`count` fresh servers booted on a network of their own, with the registry reachable as registry:5000."""
        network = '%s-%s' % (self.run_id, tag)
        used = set()
        for name in docker('network', 'ls', '-q').stdout.split():
            used.update(docker('network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', name,
                               check=False).stdout.split())
        for subnet in SUBNETS:
            if subnet in used:
                continue
            if docker('network', 'create', '--subnet', subnet, *self.labels, network, check=False).returncode == 0:
                break
        else:
            raise BenchError('no free subnet in 10.199.100.0/22 for %s' % network)
        self.networks.append(network)
        docker('network', 'connect', '--alias', 'registry', network, REGISTRY_CONTAINER)
        names = ['%s-%s-%d' % (self.run_id, tag, index + 1) for index in range(count)]
        for name in names:
            volume = name + '-docker'
            docker('volume', 'create', *self.labels, volume)
            self.volumes.append(volume)
            self.containers.append(name)
            pinned = ['--cpuset-cpus', self.server_cpus] if self.server_cpus else []
            docker('run', '-d', '--name', name, '--hostname', name, '--network', network, *self.labels,
                   *SERVER_FLAGS, *pinned, '-v', volume + ':/var/lib/docker', self.server_image, '/sbin/init')
        for name in names:
            self.wait_booted(name)
        return Group(self, tag, network, names)

    def snapshot(self, server):
        """Later servers start from an image of this one (taken after the engine install, without /var/lib/docker,
        which is a volume, and without /run, a tmpfs): a fresh container with Docker installed, no image, no state."""
        image = 'sinapum-chatwoot-bench/server-engine:%s' % self.run_id
        # systemd makes a new machine-id on the next boot when the file is empty
        docker('exec', server, 'sh', '-c', ': > /etc/machine-id')
        self.images.append(image)
        docker('commit', '--change', 'LABEL %s=%s' % (LABEL, self.run_id),
               '--change', 'LABEL %s.pid=%d' % (LABEL, os.getpid()), server, image, timeout=600)
        self.server_image = image

    def wait_booted(self, name, timeout=120):
        """systemd up (and, on a snapshot with an engine, that engine answering) before anything is timed."""
        deadline = time.monotonic() + timeout
        state = ''
        while time.monotonic() < deadline:
            proc = docker('exec', name, 'systemctl', 'is-system-running', '--wait', check=False, timeout=timeout)
            state = proc.stdout.strip()
            if state in ('running', 'degraded'):
                break
            time.sleep(0.5)
        else:
            raise BenchError('%s did not boot (systemd: %s)' % (name, state or 'no answer'))
        while self.server_image != SERVER_IMAGE and time.monotonic() < deadline:
            if docker('exec', name, 'docker', 'info', '--format', '{{.ServerVersion}}', check=False).returncode == 0:
                return
            time.sleep(0.5)
        if self.server_image != SERVER_IMAGE:
            raise BenchError('the Docker engine of %s does not answer' % name)

    def destroy(self, group):
        for name in group.servers:
            docker('rm', '-f', '-v', name, check=False, timeout=180)
            if name in self.containers:
                self.containers.remove(name)
        docker('network', 'disconnect', '-f', group.network, REGISTRY_CONTAINER, check=False)
        docker('network', 'rm', group.network, check=False)
        if group.network in self.networks:
            self.networks.remove(group.network)
        for name in group.servers:
            docker('volume', 'rm', '-f', name + '-docker', check=False)
            if name + '-docker' in self.volumes:
                self.volumes.remove(name + '-docker')

    def cleanup(self):
        if self.containers:
            docker('rm', '-f', '-v', *self.containers, check=False, timeout=300)
        for network in self.networks:
            docker('network', 'disconnect', '-f', network, REGISTRY_CONTAINER, check=False)
            docker('network', 'rm', network, check=False)
        if self.volumes:
            docker('volume', 'rm', '-f', *self.volumes, check=False)
        for image in self.images:
            docker('rmi', '-f', image, check=False)
        self.containers, self.networks, self.volumes, self.images = [], [], [], []


class Group:
    """Servers that share a network and an inventory."""

    def __init__(self, rig, tag, network, servers):
        self.rig, self.tag, self.network, self.servers = rig, tag, network, servers

    def inventory(self, servers=None, extra=None):
        hosts = dict((name, None) for name in (servers or self.servers))
        group_vars = dict(GROUP_VARS, **(extra or {}))
        path = os.path.join(self.rig.workdir, 'inventory-%s-%d.json' % ('-'.join(servers or self.servers), len(hosts)))
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump({'chatwoot': {'hosts': hosts, 'vars': group_vars}}, handle, indent=2)
        return path

    def address(self, name):
        return docker('inspect', '-f', '{{(index .NetworkSettings.Networks "%s").IPAddress}}' % self.network,
                      name).stdout.strip()


# ---------------------------------------------------------------------------------------------- ansible
class Bench:
    def __init__(self, options, workdir, rig, monitor):
        self.options, self.workdir, self.rig, self.monitor = options, workdir, rig, monitor
        self.logs = os.path.join(workdir, 'logs')
        os.makedirs(self.logs, exist_ok=True)
        self.counter = 0
        self.lock = threading.Lock()
        self.rendered = None
        self.data = {'cold': [], 'noop': [], 'noop_settled': [], 'floor': {}, 'health': {}, 'scale': [],
                     'raw_scale': {}, 'raw_scale_one': {}, 'upgrade': {}, 'errors': []}

    def env(self, profile=True, extra=None):
        env = dict(os.environ)
        env.update({'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, '.ansible', 'collections'),
                    'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_RETRY_FILES_ENABLED': '0'})
        if profile:
            env.update({'ANSIBLE_CALLBACKS_ENABLED': 'ansible.posix.profile_tasks',
                        'PROFILE_TASKS_TASK_OUTPUT_LIMIT': 'all', 'PROFILE_TASKS_SORT_ORDER': 'descending'})
        env.update(extra or {})
        return env

    def playbook(self, what, inventory, playbook, extra_vars=None, env_extra=None):
        """Run ansible-playbook from the checkout (its ansible.cfg); return wall time, recap and per-task times."""
        self.counter += 1
        logfile = os.path.join(self.logs, '%02d-%s.log' % (self.counter, what))
        argv = ['ansible-playbook', '-i', inventory, playbook]
        for key, value in (extra_vars or {}).items():
            argv += ['-e', '%s=%s' % (key, value)]
        with open(logfile, 'w', encoding='utf-8') as handle:
            handle.write('# %s\n' % ' '.join(argv))
            handle.flush()
            cpu_before = controller_cpu()
            started = time.perf_counter()
            proc = subprocess.run(argv, cwd=REPO, env=self.env(extra=env_extra), stdout=handle, stderr=subprocess.STDOUT,
                                  timeout=RUN_TIMEOUT, check=False)
            wall = time.perf_counter() - started
            cpu = controller_cpu() - cpu_before
        with open(logfile, encoding='utf-8') as handle:
            text = handle.read()
        recap = dict((m.group(1), {'ok': int(m.group(2)), 'changed': int(m.group(3)), 'unreachable': int(m.group(4)),
                                   'failed': int(m.group(5))})
                     for m in (RECAP_RE.match(line) for line in text.splitlines()) if m)
        tasks = {}
        if 'TASKS RECAP' in text:
            for line in text.split('TASKS RECAP', 1)[1].splitlines():
                match = PROFILE_RE.match(line.strip())
                if match:
                    # an include and the task it includes may share a name: their times add up
                    name = match.group(1).strip()
                    tasks[name] = round(tasks.get(name, 0.0) + float(match.group(2)), 2)
        if proc.returncode == 99 or proc.returncode < 0:
            # Ctrl-C reached ansible-playbook (99: "User interrupted execution") or a signal killed it.
            raise Interrupted('%s: ansible-playbook interrupted (%d)' % (what, proc.returncode))
        if proc.returncode != 0:
            tail = '\n'.join(text.splitlines()[-25:])
            raise BenchError('%s: ansible-playbook exited %d (log: %s)\n%s' % (what, proc.returncode, logfile, tail))
        return {'what': what, 'wall': round(wall, 2), 'controller_cpu': round(cpu, 2), 'recap': recap, 'tasks': tasks,
                'log': logfile, 'changed': sum(host['changed'] for host in recap.values())}

    def prepare(self):
        """Untimed, once: Docker installed by the docker_engine role on a server that every later server is a
        copy of (Rig.snapshot), so all of them, collection's and raw script's alike, start with the same engine."""
        self.phase('engine install (untimed)')
        group = self.rig.group('engine', 1)
        try:
            result = self.playbook('engine', group.inventory(), os.path.join(HERE, 'engine.yml'))
            self.data['engine_install'] = {'wall': result['wall'], 'log': result['log']}
            log('docker_engine role on a bare server: %.1f s; later servers start from a snapshot' % result['wall'])
            self.rig.snapshot(group.servers[0])
        finally:
            self.rig.destroy(group)

    def deploy(self, what, group, servers=None, extra_vars=None, env_extra=None, inventory_extra=None):
        return self.playbook(what, group.inventory(servers, extra=inventory_extra),
                             os.path.join(REPO, 'playbooks', 'site.yml'), extra_vars=extra_vars, env_extra=env_extra)

    def capture_rendered(self, server):
        """The .env and docker-compose.yml the role wrote: what the raw script deploys."""
        target = os.path.join(self.workdir, 'rendered')
        os.makedirs(target, mode=0o700, exist_ok=True)
        for name in ('.env', 'docker-compose.yml'):
            docker('cp', '%s:/opt/chatwoot/%s' % (server, name), os.path.join(target, name))
        self.rendered = {'dir': target, 'from': server}

    def raw_deploy(self, what, server):
        if self.rendered is None:
            raise BenchError('no rendered .env/docker-compose.yml to deploy with the raw script yet')
        staging = os.path.join(self.workdir, 'raw-' + server)
        os.makedirs(staging, mode=0o700)
        with open(os.path.join(self.rendered['dir'], '.env'), encoding='utf-8') as handle:
            env_text = handle.read()
        # the one per-host value in them
        env_text = env_text.replace('http://%s:3001' % self.rendered['from'], 'http://%s:3001' % server)
        with open(os.path.join(staging, '.env'), 'w', encoding='utf-8') as handle:
            handle.write(env_text)
        os.chmod(os.path.join(staging, '.env'), 0o600)
        shutil.copy(os.path.join(self.rendered['dir'], 'docker-compose.yml'), staging)
        shutil.copy(os.path.join(HERE, 'raw_deploy.sh'), staging)
        with self.lock:
            self.counter += 1
            logfile = os.path.join(self.logs, '%02d-%s.log' % (self.counter, what))
        started = time.perf_counter()
        docker('cp', staging, '%s:/root/bench-raw' % server)
        proc = run(['docker', 'exec', server, 'bash', '/root/bench-raw/raw_deploy.sh', '/root/bench-raw'], check=False,
                   timeout=RUN_TIMEOUT)
        wall = time.perf_counter() - started
        with open(logfile, 'w', encoding='utf-8') as handle:
            handle.write(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise BenchError('%s: raw_deploy.sh exited %d (log: %s)\n%s' % (what, proc.returncode, logfile,
                                                                            proc.stderr.strip()[-1500:]))
        steps = dict((m.group(1), float(m.group(2))) for m in re.finditer(r'^raw-step (\S+) ([0-9.]+)$', proc.stderr, re.M))
        return {'what': what, 'wall': round(wall, 2), 'steps': steps, 'log': logfile}

    # ------------------------------------------------------------------------------------------ phases
    def phase(self, name):
        self.monitor.phase = name
        log('--- %s' % name)

    def cold(self):
        for index in range(self.options.pairs):
            order = 'AB' if index % 2 == 0 else 'BA'
            self.phase('cold pair %d/%d (%s)' % (index + 1, self.options.pairs, order))
            group = self.rig.group('p%d' % (index + 1), 2)
            try:
                collection_server, raw_server = group.servers
                pair = {'pair': index + 1, 'order': order}
                for side in order:
                    if side == 'A':
                        result = self.deploy('cold-collection-p%d' % (index + 1), group, [collection_server])
                        pair['collection'] = result
                        log('collection cold deploy: %.1f s, changed %d' % (result['wall'], result['changed']))
                        if self.rendered is None:
                            self.capture_rendered(collection_server)
                    else:
                        result = self.raw_deploy('cold-raw-p%d' % (index + 1), raw_server)
                        pair['raw'] = result
                        log('raw cold deploy: %.1f s %s' % (result['wall'], result['steps']))
                pair['ratio'] = round(pair['collection']['wall'] / pair['raw']['wall'], 3)
                self.data['cold'].append(pair)
                noop = self.deploy('noop-p%d' % (index + 1), group, [collection_server])
                noop['hosts'] = 1
                self.data['noop'].append(noop)
                log('no-op re-run: %.1f s, changed %d' % (noop['wall'], noop['changed']))
                if index == self.options.pairs - 1:
                    self.floor(group, collection_server)
            finally:
                self.rig.destroy(group)

    def floor(self, group, server):
        result = self.playbook('task-floor', group.inventory([server]), os.path.join(HERE, 'task_floor.yml'))
        per_task = sum(result['tasks'].values()) / 20.0
        self.data['floor'] = {'seconds_per_task': round(per_task, 3), 'log': result['log']}
        log('per-task floor of the connection: %.2f s' % per_task)
        if not self.options.quick:
            # ansible.cfg turns pipelining on: this shows what it saves.
            result = self.deploy('noop-no-pipelining', group, [server], env_extra={'ANSIBLE_PIPELINING': 'false'})
            self.data['floor']['noop_no_pipelining'] = {'wall': result['wall'], 'changed': result['changed'],
                                                        'log': result['log']}
            log('no-op with ANSIBLE_PIPELINING=false: %.1f s' % result['wall'])
        # The pairs' no-ops run right after a cold deploy, beside the stacks just started on this machine's cores (the
        # pair's raw one too); these come after the floor's runs, one after another, as repeated re-runs of one host.
        for index in range(SETTLED_NOOPS):
            result = self.deploy('noop-settled-%d' % (index + 1), group, [server])
            result['hosts'] = 1
            self.data['noop_settled'].append(result)
            log('no-op re-run, settled: %.1f s, changed %d' % (result['wall'], result['changed']))
        if self.options.mitogen:
            # What-if: the same no-op through Mitogen for Ansible (its strategy, and its docker connection, which it
            # puts in place of the one named "docker" only), from the copy at --mitogen; the collection does not use it.
            try:
                result = self.deploy('noop-mitogen', group, [server], inventory_extra={
                    'ansible_connection': 'docker', 'ansible_python_interpreter': '/usr/bin/python3'}, env_extra={
                    'ANSIBLE_STRATEGY': 'mitogen_linear', 'PYTHONPATH': self.options.mitogen,
                    'ANSIBLE_STRATEGY_PLUGINS': os.path.join(self.options.mitogen, 'ansible_mitogen', 'plugins',
                                                             'strategy')})
            except BenchError as error:  # a what-if: its failure is reported, the benchmark goes on
                self.data['errors'].append({'phase': 'no-op with Mitogen', 'error': str(error)})
                log('no-op with Mitogen failed: %s' % str(error).splitlines()[0])
                return
            self.data['floor']['noop_mitogen'] = {'wall': result['wall'], 'changed': result['changed'],
                                                  'controller_cpu': result['controller_cpu'], 'log': result['log']}
            log('no-op with Mitogen: %.1f s, changed %d' % (result['wall'], result['changed']))

    def scale(self):
        for count in self.options.hosts:
            self.phase('scale %d host(s)' % count)
            group = self.rig.group('s%d' % count, count)
            try:
                result = self.deploy('scale-%d' % count, group)
                result['hosts'] = count
                self.data['scale'].append(result)
                log('%d host(s) in one run: %.1f s' % (count, result['wall']))
                if count == 1:
                    if self.rendered is None:
                        self.capture_rendered(group.servers[0])
                    if 'health' in self.options.phases:
                        self.guard('health', self.health, group, group.servers[0])
                    if 'upgrade' in self.options.phases:
                        self.guard('upgrade', self.upgrade, group, group.servers[0])
                if count == max(self.options.hosts) and count > 1:
                    noop = self.deploy('noop-%dhosts' % count, group)
                    noop['hosts'] = count
                    self.data['noop'].append(noop)
                    log('no-op re-run on %d hosts: %.1f s, changed %d' % (count, noop['wall'], noop['changed']))
            finally:
                self.rig.destroy(group)
        count = max(self.options.hosts)
        if count > 1 and not self.options.quick:
            self.guard('raw scale', self.raw_scale, count)

    def raw_scale(self, count):
        """The floor of the scaling figure: the raw script on `count` fresh servers at once, against the raw script on
        1 fresh server run just before it. On 2 cores the stack's own start-up (Postgres init, Rails boots) competes
        too. The 1-server run is made here, as the collection's is in scale(): on a machine with no other stack. The
        pairs' runs are not that (each pair's second deploy runs beside the first's stack), so a ratio to their median
        would set a quiet denominator against a busier one."""
        self.phase('raw scale 1 host')
        group = self.rig.group('r1', 1)
        try:
            one = self.raw_deploy('raw-scale-1', group.servers[0])
            self.data['raw_scale_one'] = {'wall': one['wall'], 'steps': one['steps']}
            log('raw script on 1 fresh host: %.1f s' % one['wall'])
        finally:
            self.rig.destroy(group)
        self.phase('raw scale %d hosts' % count)
        group = self.rig.group('r%d' % count, count)
        try:
            results, errors = {}, []

            def one(server):
                try:
                    results[server] = self.raw_deploy('raw-scale-%d-%s' % (count, server.rsplit('-', 1)[1]), server)
                except Exception as error:  # pylint: disable=broad-exception-caught
                    errors.append(error)

            threads = [threading.Thread(target=one, args=(server,)) for server in group.servers]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            if errors:
                raise errors[0]
            self.data['raw_scale'] = {'hosts': count, 'wall': round(wall, 2),
                                      'servers': [results[name]['wall'] for name in group.servers]}
            log('raw script on %d hosts at once: %.1f s' % (count, wall))
        finally:
            self.rig.destroy(group)

    def health(self, group, server):
        self.phase('health')
        pid = docker('inspect', '-f', '{{.State.Pid}}', server).stdout.strip()
        root = '/proc/%s/root' % pid
        args = {'env_file': root + '/opt/chatwoot/.env', 'web_url': 'http://127.0.0.1:3001',
                'postgres_host': '127.0.0.1', 'postgres_port': 5435, 'redis_host': '127.0.0.1', 'redis_port': 6381,
                'sidekiq_container': 'mcp_sinapum_chatwoot_sidekiq', 'docker_socket': root + '/run/docker.sock'}
        # In the server's network namespace, so 127.0.0.1 is the server's loopback where Compose published
        # Postgres and Redis; its files and Docker socket through /proc/PID/root.
        argv = ['nsenter', '-t', pid, '-n', sys.executable, os.path.join(HERE, 'health_check.py'),
                '-n', str(self.options.health_calls), '--module-args', json.dumps(args)]
        proc = run(argv, timeout=600, env=self.env(profile=False))
        text = proc.stdout
        whole = re.search(r'(\d+) runs: median ([0-9.]+) ms, p95 ([0-9.]+) ms, max ([0-9.]+) ms', text)
        if not whole:
            raise BenchError('unexpected health_check.py output: %s' % text[-800:])
        parts = dict((m.group(1), {'median_ms': float(m.group(2)), 'p95_ms': float(m.group(3))})
                     for m in re.finditer(r'^\s+(\w+)\s+median ([0-9.]+) ms, p95 ([0-9.]+) ms', text, re.M))
        self.data['health'] = {'calls': int(whole.group(1)), 'median_ms': float(whole.group(2)),
                               'p95_ms': float(whole.group(3)), 'max_ms': float(whole.group(4)), 'parts': parts}
        log('health check: median %s ms, p95 %s ms' % (whole.group(2), whole.group(3)))
        # For scale: the same module as a playbook task reaches it (Ansible start-up and connection included).
        walls = []
        for dummy in range(self.options.adhoc_calls):
            started = time.perf_counter()
            run(['ansible', '-i', group.inventory([server]), server, '-m', 'sinapum.chatwoot.chatwoot_health',
                 '-a', json.dumps({'sidekiq_container': 'mcp_sinapum_chatwoot_sidekiq', 'fail_on_unhealthy': True})],
                cwd=REPO, env=self.env(profile=False), timeout=120)
            walls.append(time.perf_counter() - started)
        if walls:
            self.data['health']['adhoc_median_s'] = round(median(walls), 2)
            self.data['health']['adhoc_calls'] = len(walls)

    def upgrade(self, group, server):
        self.phase('upgrade')
        url = 'http://%s:3001/health' % group.address(server)
        samples = []
        stop = threading.Event()

        def poll():
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(url, timeout=1) as answer:
                        ok = answer.status == 200
                except Exception:  # pylint: disable=broad-exception-caught
                    ok = False
                samples.append((started, ok))
                stop.wait(max(0.0, 0.1 - (time.perf_counter() - started)))

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        time.sleep(1.0)
        try:
            result = self.deploy('upgrade', group, [server], extra_vars={'chatwoot_version': VERSION_TO})
            time.sleep(2.0)
        finally:
            stop.set()
            poller.join(5)
        oks = [started for started, ok in samples if ok]
        gaps = [later - earlier for earlier, later in zip(oks, oks[1:])]
        trailing_failure = bool(samples) and not samples[-1][1]
        with urllib.request.urlopen('http://%s:3001/api' % group.address(server), timeout=5) as answer:
            version = json.loads(answer.read().decode()).get('version')
        self.data['upgrade'] = {
            'from': VERSION_FROM, 'to': VERSION_TO, 'wall': result['wall'], 'changed': result['changed'],
            'polls': len(samples), 'failed_polls': sum(1 for dummy, ok in samples if not ok),
            'longest_gap_s': round(max(gaps), 2) if gaps else None, 'down_at_end': trailing_failure,
            'version_after': version, 'log': result['log'], 'tasks': result['tasks']}
        log('upgrade: %.1f s, longest gap without 200: %s s, %d/%d polls failed, /api says %s'
            % (result['wall'], self.data['upgrade']['longest_gap_s'], self.data['upgrade']['failed_polls'],
               len(samples), version))

    def guard(self, name, step, *args):
        try:
            step(*args)
        except Exception as error:  # pylint: disable=broad-exception-caught
            # a failed step is reported and the other phases still run; timings never fail anything
            log('%s FAILED: %s' % (name, error))
            self.data['errors'].append({'phase': name, 'error': str(error)})

    def go(self):
        self.prepare()
        if 'cold' in self.options.phases:
            self.guard('cold', self.cold)
        if {'scale', 'health', 'upgrade'} & set(self.options.phases):
            if 'scale' not in self.options.phases:
                self.options.hosts = [1]
            self.guard('scale', self.scale)


# ---------------------------------------------------------------------------------------------- report
def top_tasks(runs, count=TOP):
    """Median time of each task over the runs, the slowest first."""
    times = {}
    for result in runs:
        for name, seconds in result['tasks'].items():
            times.setdefault(name, []).append(seconds)
    ranked = sorted(((median(values), name) for name, values in times.items()), reverse=True)
    return [{'task': name, 'median_s': round(value, 2)} for value, name in ranked[:count]], \
        round(sum(median(values) for values in times.values()), 1), len(times)


def cpu_of(runs):
    values = [run['controller_cpu'] for run in runs if 'controller_cpu' in run]
    return fmt_s(median(values)) if values else '-'


def verdict(value, target):
    if value is None:
        return '-'
    return 'met' if value <= target else 'OVER'


def summarise(data):
    figures = []

    def add(name, value, target='', met='', detail=''):
        figures.append({'figure': name, 'value': value, 'target': target, 'verdict': met, 'detail': detail})

    cold = data['cold']
    collection = [pair['collection']['wall'] for pair in cold]
    raw = [pair['raw']['wall'] for pair in cold]
    ratios = [pair['ratio'] for pair in cold]
    if cold:
        add('cold deploy, collection (site.yml), median of %d' % len(cold), fmt_s(median(collection)),
            detail='runs: %s; controller CPU %s' % (', '.join('%.1f' % v for v in collection), cpu_of(
                [pair['collection'] for pair in cold])))
        add('cold deploy, raw script (raw_deploy.sh), median of %d' % len(cold), fmt_s(median(raw)),
            detail='runs: ' + ', '.join('%.1f' % v for v in raw))
        add('cold deploy ratio collection/raw, median of pairs', fmt_x(median(ratios)),
            '<= %.2fx' % TARGETS['cold_ratio'], verdict(median(ratios), TARGETS['cold_ratio']),
            detail='pairs (order): ' + ', '.join('%.2f (%s)' % (pair['ratio'], pair['order']) for pair in cold))

    def add_noop(name, runs):
        changed = sorted(set(run['changed'] for run in runs))
        value = median([run['wall'] for run in runs])
        add('%s, median of %d' % (name, len(runs)), '%s, changed=%s' % (
            fmt_s(value), '/'.join(str(c) for c in changed)), '<= %.0f s, changed=0' % TARGETS['noop_seconds'],
            'met' if value <= TARGETS['noop_seconds'] and changed == [0] else 'OVER',
            detail='runs: %s; controller CPU %s' % (', '.join('%.1f' % run['wall'] for run in runs), cpu_of(runs)))

    single = [run for run in data['noop'] if run['hosts'] == 1]
    if single:
        add_noop('no-op re-run, 1 host', single)
    if data.get('noop_settled'):
        add_noop('no-op re-run, 1 host, settled (after the floor)', data['noop_settled'])
    for result in (run for run in data['noop'] if run['hosts'] > 1):
        per_host = result['wall'] / result['hosts']
        add('no-op re-run, %d hosts in one run' % result['hosts'], '%s, changed=%d' % (
            fmt_s(result['wall']), result['changed']), 'changed=0', 'met' if result['changed'] == 0 else 'OVER',
            detail='%s per host; controller CPU %s' % (fmt_s(per_host), cpu_of([result])))
    floor = data.get('floor') or {}
    if floor:
        add('per-task floor of the connection (docker exec)', '%.2f s per task' % floor['seconds_per_task'])
        if 'noop_no_pipelining' in floor:
            add('no-op re-run, 1 host, ANSIBLE_PIPELINING=false (what-if)', '%s, changed=%d' % (
                fmt_s(floor['noop_no_pipelining']['wall']), floor['noop_no_pipelining']['changed']))
        if 'noop_mitogen' in floor:
            add('no-op re-run, 1 host, with Mitogen (what-if)', '%s, changed=%d' % (
                fmt_s(floor['noop_mitogen']['wall']), floor['noop_mitogen']['changed']))
    health = data.get('health') or {}
    if health:
        add('health check, %d calls in-process' % health['calls'], 'median %.0f ms, p95 %.0f ms' % (
            health['median_ms'], health['p95_ms']), '<= %.0f ms' % TARGETS['health_ms'],
            verdict(health['p95_ms'], TARGETS['health_ms']),
            detail='per part, median: ' + ', '.join('%s %.0f ms' % (name, part['median_ms'])
                                                    for name, part in health['parts'].items()))
        if 'adhoc_median_s' in health:
            add('health check as an ad-hoc ansible command, median of %d' % health['adhoc_calls'],
                fmt_s(health['adhoc_median_s']))
    scale = dict((run['hosts'], run['wall']) for run in data['scale'])
    raw_scale = data.get('raw_scale') or {}
    raw_one = (data.get('raw_scale_one') or {}).get('wall')
    # The raw script's 1 fresh host of the scale phase, as the collection's ratio is to its own; results from before
    # that run was made have only the pairs' median.
    raw_base = raw_one or (median(raw) if raw else None)
    raw_ratio = raw_scale['wall'] / raw_base if raw_scale and raw_base else None
    scale4 = raw_ratio if raw_ratio and raw_scale['hosts'] == 4 else TARGETS['scale4_ratio']
    for hosts in sorted(scale):
        ratio = scale[hosts] / scale[1] if 1 in scale else None
        target = ('<= %.2fx' % scale4) + (" (the raw script's)" if scale4 == raw_ratio else '') if hosts == 4 else ''
        add('deploy %d fresh host(s) in one run' % hosts, '%s, %s' % (fmt_s(scale[hosts]), fmt_x(ratio)),
            target, verdict(ratio, scale4) if hosts == 4 else '',
            detail=('ratio to 1 host; ' if hosts > 1 else '') + 'controller CPU ' + cpu_of(
                [run for run in data['scale'] if run['hosts'] == hosts]))
    if raw_one:
        add('raw script on 1 fresh host (scale phase)', fmt_s(raw_one))
    if raw_scale:
        against = ('ratio to the raw script on 1 fresh host' if raw_one else 'ratio to the raw 1-host median (cold pairs)')
        if raw_one and raw and 4 in scale:
            # The former comparator, kept for reading older results: both 4-host runs against their cold pairs' medians.
            against += '; against the cold pairs\' medians: raw %s, collection %s' % (
                fmt_x(raw_scale['wall'] / median(raw)), fmt_x(scale[4] / median(collection)))
        add('raw script on %d fresh hosts at once (floor)' % raw_scale['hosts'], '%s, %s' % (
            fmt_s(raw_scale['wall']), fmt_x(raw_ratio)), detail=against)
    upgrade = data.get('upgrade') or {}
    if upgrade:
        add('upgrade %s -> %s, longest web gap without 200' % (upgrade['from'], upgrade['to']),
            fmt_s(upgrade['longest_gap_s']) + (', DOWN AT THE END' if upgrade['down_at_end'] else ''),
            detail='%d of %d polls failed; site.yml %s, changed=%d; /api then says %s' % (
                upgrade['failed_polls'], upgrade['polls'], fmt_s(upgrade['wall']), upgrade['changed'],
                upgrade['version_after']))
    return figures


def print_report(report):
    figures = report['figures']
    width = max([len(f['figure']) for f in figures] + [10])
    vwidth = max([len(f['value']) for f in figures] + [10])
    print()
    print('sinapum.chatwoot benchmark  %s  (%s)' % (report['started'], report['command']))
    machine = report['machine']
    phases = machine['phases']
    busy_in = sorted(name for name, entry in phases.items() if entry['molecule_seen'])
    load, load_phase = max([(entry['max_load1'], name) for name, entry in phases.items()] + [(0.0, '-')])
    others = max([entry['max_other_containers'] for entry in phases.values()] + [0])
    state = ('BUSY: Molecule ran during %s' % ', '.join(busy_in)) if busy_in else 'no Molecule run seen'
    print('machine: %d cores, %s; load up to %.1f (in "%s", the benchmark\'s own work included); up to %d other '
          'containers running' % (machine['cores'], state, load, load_phase, others))
    if machine.get('split_cores'):
        print('WHAT-IF, --split-cores: %s' % machine['split_cores'])
    print()
    row = '%-*s  %-*s  %-18s %-7s  %s'
    print(row % (width, 'figure', vwidth, 'value', 'target', 'verdict', 'detail'))
    print(row % (width, '-' * width, vwidth, '-' * vwidth, '-' * 18, '-' * 7, '-' * 6))
    for f in figures:
        print((row % (width, f['figure'], vwidth, f['value'], f['target'], f['verdict'], f['detail'])).rstrip())
    for key, title in (('cold', 'cold deploy (collection, 1 host)'), ('noop', 'no-op re-run (1 host)')):
        profile = report['profile'].get(key)
        if not profile:
            continue
        print()
        print('top %d tasks, %s: median per task over %d run(s); all %d tasks add up to %.1f s' % (
            len(profile['top']), title, profile['runs'], profile['tasks'], profile['sum_s']))
        for entry in profile['top']:
            print('  %6.2f s  %s' % (entry['median_s'], entry['task']))
    raw_steps = report['profile'].get('raw_steps')
    if raw_steps:
        print()
        print('raw script steps (median): %s' % ', '.join('%s %.1f s' % (k, v) for k, v in raw_steps.items()))
    for error in report['errors']:
        print()
        print('ERROR in %s: %s' % (error['phase'], error['error']))
    print()
    print('results: %s' % report['json'])


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='bench/run', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='1 pair instead of 3, 2 ad-hoc health calls, no what-if, no raw 4-host run')
    parser.add_argument('--pairs', type=int, help='collection/raw pairs of cold deploys (default 3, --quick 1)')
    parser.add_argument('--hosts', default='1,2,4', help='group sizes deployed in one run (default 1,2,4)')
    parser.add_argument('--health-calls', type=int, default=50)
    parser.add_argument('--mitogen', metavar='PATH', default='',
                        help='also time a no-op through Mitogen for Ansible, from an unpacked copy at PATH (what-if)')
    parser.add_argument('--split-cores', action='store_true',
                        help='what-if: the controller (this process, ansible-playbook, the docker CLI) on the first '
                             'core, the servers on the others, as when Ansible runs from a machine of its own')
    parser.add_argument('--phases', default='cold,health,scale,upgrade',
                        help='any of cold, health, scale, upgrade (health and upgrade run on the 1-host group)')
    options = parser.parse_args(argv)
    options.pairs = options.pairs if options.pairs is not None else (1 if options.quick else 3)
    options.adhoc_calls = 2 if options.quick else 5
    options.hosts = sorted(set(int(n) for n in options.hosts.split(',')))
    options.phases = [p.strip() for p in options.phases.split(',') if p.strip()]
    unknown = set(options.phases) - {'cold', 'health', 'scale', 'upgrade'}
    if unknown:
        parser.error('unknown phase(s): %s' % ', '.join(sorted(unknown)))
    if options.split_cores and (os.cpu_count() or 1) < 2:
        parser.error('--split-cores needs at least 2 cores')
    if 1 not in options.hosts:
        options.hosts.insert(0, 1)
    return options


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    started = datetime.datetime.now()
    stamp = started.strftime('%Y%m%d-%H%M%S')
    os.makedirs(RESULTS, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix='cwbench-')
    run_id = 'cwb%s' % format(int(time.time()) % 0xfffff, 'x')
    rig = Rig(run_id, workdir)
    if options.split_cores:
        # Every child inherits the first core: ansible-playbook and its workers, the docker CLI, raw_deploy.sh's docker
        # exec (the script itself runs in its server, on the servers' cores).
        os.sched_setaffinity(0, {0})
        rig.server_cpus = '1-%d' % (os.cpu_count() - 1) if os.cpu_count() > 2 else '1'
    monitor = LoadMonitor()

    def interrupted(signum, frame):  # pylint: disable=unused-argument
        raise Interrupted('signal %d' % signum)

    # Also when started in the background, where a shell leaves SIGINT ignored: Ctrl-C or kill -INT cleans up.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    Rig.reap_stale()
    if docker('inspect', REGISTRY_CONTAINER, check=False).returncode != 0:
        raise SystemExit('bench: the rig registry (%s) is not running: run tests/rig/up.sh' % REGISTRY_CONTAINER)
    monitor.start()
    bench = Bench(options, workdir, rig, monitor)
    aborted = None
    try:
        bench.go()
    except (KeyboardInterrupt, Interrupted) as error:
        aborted = 'interrupted (%s)' % (str(error) or 'Ctrl-C')
        log(aborted)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log('removing servers, networks and volumes of %s' % run_id)
        rig.cleanup()
        monitor.stopping.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    data = bench.data
    if aborted:
        data['errors'].append({'phase': 'all', 'error': aborted})
    logs_dir = os.path.join(RESULTS, stamp + '-logs')
    shutil.copytree(bench.logs, logs_dir)
    for section in ('cold', 'noop', 'noop_settled', 'scale'):
        for entry in data[section]:
            for result in (entry, entry.get('collection'), entry.get('raw')):
                if result and 'log' in result:
                    result['log'] = os.path.join(logs_dir, os.path.basename(result['log']))
    profile = {}
    cold_runs = [pair['collection'] for pair in data['cold']] + [run for run in data['scale'] if run['hosts'] == 1]
    if cold_runs:
        top, total, count = top_tasks(cold_runs)
        profile['cold'] = {'runs': len(cold_runs), 'top': top, 'sum_s': total, 'tasks': count}
    noop_runs = [run for run in data['noop'] if run['hosts'] == 1]
    if noop_runs:
        top, total, count = top_tasks(noop_runs)
        profile['noop'] = {'runs': len(noop_runs), 'top': top, 'sum_s': total, 'tasks': count}
    if data['cold']:
        names = data['cold'][0]['raw']['steps'].keys()
        profile['raw_steps'] = dict((name, round(median([pair['raw']['steps'].get(name, 0.0) for pair in data['cold']]), 2))
                                    for name in names)
    machine = monitor.summary()
    machine['cores'] = os.cpu_count()
    machine['split_cores'] = ('controller on core 0, servers on %s' % rig.server_cpus) if rig.server_cpus else ''
    commit = run(['git', 'rev-parse', 'HEAD'], check=False, cwd=REPO).stdout.strip()
    dirty = run(['git', 'status', '--porcelain', '--', 'roles', 'playbooks', 'plugins'], check=False,
                cwd=REPO).stdout.strip()
    report = {
        'started': started.isoformat(timespec='seconds'),
        'finished': datetime.datetime.now().isoformat(timespec='seconds'),
        'command': 'bench/run ' + ' '.join(sys.argv[1:] if argv is None else argv),
        'commit': commit, 'roles_uncommitted_changes': bool(dirty),
        'machine': machine, 'targets': TARGETS, 'options': {
            'pairs': options.pairs, 'hosts': options.hosts, 'health_calls': options.health_calls,
            'phases': options.phases, 'quick': options.quick, 'split_cores': options.split_cores},
        'figures': summarise(data), 'profile': profile, 'errors': data['errors'], 'data': data,
        'json': os.path.join(RESULTS, stamp + '.json'),
    }
    with open(report['json'], 'w', encoding='utf-8') as handle:
        json.dump(report, handle, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)
    print_report(report)
    return 1 if data['errors'] else 0


if __name__ == '__main__':
    sys.exit(main())
