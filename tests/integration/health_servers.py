# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real servers for the chatwoot_health tests, started on loopback on free ports.

- PostgreSQL 15 from Debian (initdb in a temp dir, pg_ctl start), roles for each auth method;
- redis-server from Debian, run directly;
- real Sidekiq (Debian's ruby-sidekiq) with a tiny boot file;
- a Chatwoot-shaped HTTP app (http.server in a thread) whose /api checks PostgreSQL and Redis by Chatwoot's rules
  (chatwoot_web_rules.py);
- a fake Docker engine on a unix socket (http.server over AF_UNIX) and helpers for the real engine.
Each helper cleans up after itself; nothing is left running.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from chatwoot_web_rules import Lease, LazyPool, PgFailure, redis_status

PG_BIN_CANDIDATES = sorted(glob.glob('/usr/lib/postgresql/*/bin'), reverse=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=20.0, interval=0.05, what='condition'):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # pylint: disable=broad-except
            last = exc
        time.sleep(interval)
    raise AssertionError('timed out waiting for %s (last error: %r)' % (what, last))


def port_open(port, host='127.0.0.1'):
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def make_cert(directory, name='server'):
    """A self-signed certificate for 127.0.0.1/localhost; returns (cert, key) paths, or None without openssl."""
    if not shutil.which('openssl'):
        return None
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
                    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def make_ca(directory, name='ca'):
    """A private certificate authority; returns (cert, key) paths (openssl is needed)."""
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=%s' % name,
                    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
                    '-keyout', key, '-out', cert], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def make_signed_cert(directory, ca, name='server', alt_names='DNS:localhost,IP:127.0.0.1'):
    """A server certificate signed by ``ca`` (from make_ca) for ``alt_names``; returns (cert, key) paths."""
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    csr = os.path.join(directory, name + '.csr')
    ext = os.path.join(directory, name + '.ext')
    with open(ext, 'w') as handle:
        handle.write('subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' % alt_names)
    subprocess.run(['openssl', 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=%s' % name,
                    '-keyout', key, '-out', csr], check=True, capture_output=True)
    subprocess.run(['openssl', 'x509', '-req', '-in', csr, '-CA', ca[0], '-CAkey', ca[1], '-CAcreateserial',
                    '-days', '2', '-extfile', ext, '-out', cert], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


# ---------------------------------------------------------------------------------------------- PostgreSQL
class PostgresServer(object):
    """A throw-away PostgreSQL cluster. Roles: ``chatwoot`` (scram-sha-256), ``md5user`` (md5),
    ``clearuser`` (password), ``trustuser`` (trust), ``ssluser`` (scram-sha-256, refused without TLS).
    Databases: ``chatwoot`` (prepared the way db:chatwoot_prepare leaves it, minus pgvector, which
    Debian's PostgreSQL 15 lacks, and with only the tables the tests read; ``trustuser`` may read the ones the web
    double queries) and ``chatwoot_empty`` (created, never prepared). With ``ssl`` its
    certificate comes from a private CA (``ca``) and names ``localhost`` only, not 127.0.0.1, so that
    libpq's verify-ca and verify-full tell apart."""

    PASSWORD = 'pg-S3cret-Zq9!'
    MD5_PASSWORD = 'md5-S3cret-Kx1'
    CLEAR_PASSWORD = 'clear-S3cret-Wv7'

    def __init__(self, ssl=True):
        self.bin = next((d for d in PG_BIN_CANDIDATES if os.path.exists(os.path.join(d, 'initdb'))), None)
        if self.bin is None:
            raise RuntimeError('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin')
        self.tmp = tempfile.mkdtemp(prefix='cw-health-pg-')
        self.data = os.path.join(self.tmp, 'data')
        self.sockdir = os.path.join(self.tmp, 'sock')
        os.mkdir(self.sockdir)
        self.port = free_port()
        self.ssl = ssl
        self.ca = None
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam('postgres')
            for path in (self.tmp, self.sockdir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.log = os.path.join(self.tmp, 'postgres.log')

    def _run(self, args, check=True, **kwargs):
        kwargs.setdefault('capture_output', True)
        if self.user is not None:
            kwargs['user'] = self.user.pw_uid
            kwargs['group'] = self.user.pw_gid
            kwargs.setdefault('cwd', self.tmp)
        return subprocess.run(args, check=check, **kwargs)

    def start(self):
        self._run([os.path.join(self.bin, 'initdb'), '-D', self.data, '-U', 'postgres', '-A', 'trust',
                   '--no-sync', '-E', 'UTF8', '--locale=C'])
        lines = [
            'hostnossl all ssluser 127.0.0.1/32 reject',
            'local all all trust',
            'host all trustuser 127.0.0.1/32 trust',
            'host all md5user 127.0.0.1/32 md5',
            'host all clearuser 127.0.0.1/32 password',
            'host all all 127.0.0.1/32 scram-sha-256',
        ]
        with open(os.path.join(self.data, 'pg_hba.conf'), 'w') as handle:
            handle.write('\n'.join(lines) + '\n')
        conf = ["listen_addresses = '127.0.0.1'", 'port = %d' % self.port, "unix_socket_directories = '%s'" % self.sockdir,
                'fsync = off', 'full_page_writes = off', 'synchronous_commit = off', 'max_connections = 40']
        if self.ssl:
            pair = None
            if shutil.which('openssl'):
                self.ca = make_ca(self.tmp, 'pg-ca')[0]
                pair = make_signed_cert(self.tmp, (self.ca, os.path.join(self.tmp, 'pg-ca.key')), 'pg-server',
                                        'DNS:localhost')
            if pair:
                if self.user is not None:
                    for path in pair:
                        os.chown(path, self.user.pw_uid, self.user.pw_gid)
                conf += ['ssl = on', "ssl_cert_file = '%s'" % pair[0], "ssl_key_file = '%s'" % pair[1]]
            else:
                self.ssl = False
        with open(os.path.join(self.data, 'postgresql.auto.conf'), 'a') as handle:
            handle.write('\n'.join(conf) + '\n')
        self._run([os.path.join(self.bin, 'pg_ctl'), '-D', self.data, '-l', self.log, '-w', '-t', '30', 'start'])
        self.psql("""
            SET password_encryption = 'scram-sha-256';
            CREATE ROLE chatwoot LOGIN PASSWORD '%s';
            CREATE ROLE clearuser LOGIN PASSWORD '%s';
            CREATE ROLE trustuser LOGIN;
            CREATE ROLE ssluser LOGIN PASSWORD '%s';
            SET password_encryption = 'md5';
            CREATE ROLE md5user LOGIN PASSWORD '%s';
            CREATE DATABASE chatwoot OWNER chatwoot;
            CREATE DATABASE chatwoot_empty OWNER chatwoot;
        """ % (self.PASSWORD, self.CLEAR_PASSWORD, self.PASSWORD, self.MD5_PASSWORD))
        self.psql("""
            CREATE TABLE installation_configs (id bigserial PRIMARY KEY, name varchar NOT NULL, serialized_value jsonb);
            CREATE TABLE ar_internal_metadata (key varchar PRIMARY KEY, value varchar,
                                               created_at timestamp NOT NULL DEFAULT now(),
                                               updated_at timestamp NOT NULL DEFAULT now());
            CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
            CREATE TABLE portals (id bigserial PRIMARY KEY, name varchar NOT NULL, slug varchar NOT NULL,
                                  custom_domain varchar, config jsonb);
            GRANT SELECT ON installation_configs, portals TO trustuser;
            INSERT INTO ar_internal_metadata (key, value) VALUES ('environment', 'production');
            INSERT INTO schema_migrations (version) VALUES ('20250101000000'), ('20250916000000');
            ALTER TABLE installation_configs OWNER TO chatwoot;
            ALTER TABLE ar_internal_metadata OWNER TO chatwoot;
            ALTER TABLE schema_migrations OWNER TO chatwoot;
        """, database='chatwoot')
        # synchronous_commit is off: without a checkpoint a crash stop (stop()) right after start could lose the set-up
        self.psql('CHECKPOINT')
        return self

    def psql(self, sql, database='postgres'):
        """Run statements as the superuser, each in its own transaction (CREATE DATABASE needs that)."""
        args = ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', self.sockdir, '-p', str(self.port),
                '-U', 'postgres', '-d', database]
        for statement in sql.split(';'):
            if statement.strip():
                args += ['-c', statement.strip()]
        proc = self._run(args, check=False, text=True)
        if proc.returncode != 0:
            raise RuntimeError('psql failed: %s' % proc.stderr)
        return proc.stdout

    def start_again(self):
        """Start the stopped cluster again, same port and data (a database restart)."""
        self._run([os.path.join(self.bin, 'pg_ctl'), '-D', self.data, '-l', self.log, '-w', '-t', '30', 'start'])
        return self

    def stop(self):
        if os.path.exists(os.path.join(self.data, 'postmaster.pid')):
            self._run([os.path.join(self.bin, 'pg_ctl'), '-D', self.data, '-m', 'immediate', '-w', 'stop'], check=False)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- Redis
class _OwnProcess(object):
    """A server process of the test's own (``proc``) with its temp dir (``tmp``): killed and removed at the end."""

    proc = None
    tmp = None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class RedisServer(_OwnProcess):
    """redis-server on a free loopback port; ``password`` None runs it without requirepass. With ``tls`` it speaks
    only TLS, with ``cert_pair`` (cert, key) or else a self-signed certificate for localhost and 127.0.0.1."""

    def __init__(self, password=None, tls=False, port=None, cert_pair=None):
        self.binary = shutil.which('redis-server')
        if self.binary is None:
            raise RuntimeError('redis-server is not installed (apt-get install redis-server)')
        self.password = password
        self.tls = tls
        self.port = port or free_port()
        self.tmp = tempfile.mkdtemp(prefix='cw-health-redis-')
        self.proc = None
        self.cert_pair = cert_pair
        self.cert = None

    def start(self):
        args = [self.binary, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', self.tmp,
                '--daemonize', 'no', '--protected-mode', 'no']
        if self.tls:
            pair = self.cert_pair or make_cert(self.tmp)
            if pair is None:
                raise RuntimeError('openssl is needed for a TLS Redis')
            self.cert = pair[0]
            args += ['--port', '0', '--tls-port', str(self.port), '--tls-cert-file', pair[0], '--tls-key-file', pair[1],
                     '--tls-ca-cert-file', pair[0], '--tls-auth-clients', 'no']
        else:
            args += ['--port', str(self.port)]
        if self.password:
            args += ['--requirepass', self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        wait_for(lambda: port_open(self.port), what='redis-server on port %d' % self.port)
        return self

    @property
    def url(self):
        auth = ':%s@' % self.password if self.password else ''
        return '%s://%s127.0.0.1:%d/0' % ('rediss' if self.tls else 'redis', auth, self.port)

    def command(self, *args):
        """Run one command with a throw-away raw RESP exchange (independent of the module's client)."""
        with socket.create_connection(('127.0.0.1', self.port), timeout=5) as sock:
            payload = b''
            commands = ([('AUTH', self.password)] if self.password else []) + [args]
            for cmd in commands:
                payload += b'*%d\r\n' % len(cmd)
                for arg in cmd:
                    arg = arg if isinstance(arg, bytes) else str(arg).encode()
                    payload += b'$%d\r\n%s\r\n' % (len(arg), arg)
            sock.sendall(payload)
            data = b''
            deadline = time.monotonic() + 5
            while data.count(b'\r\n') < len(commands) and time.monotonic() < deadline:
                data += sock.recv(65536)
                time.sleep(0.01)
            return data


class RedisSentinel(_OwnProcess):
    """A real Redis Sentinel (``redis-server CONF --sentinel``) on a free loopback port, watching ``master`` (a
    RedisServer) under ``master_name``; ``password`` is the sentinel's own requirepass (None: no AUTH)."""

    def __init__(self, master, master_name='mymaster', password=None):
        self.binary = shutil.which('redis-server')
        if self.binary is None:
            raise RuntimeError('redis-server is not installed (apt-get install redis-server)')
        self.master = master
        self.master_name = master_name
        self.password = password
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix='cw-health-sentinel-')
        self.proc = None

    def start(self):
        conf = os.path.join(self.tmp, 'sentinel.conf')  # the sentinel rewrites its file: a copy of its own
        lines = ['port %d' % self.port, 'bind 127.0.0.1', 'dir %s' % self.tmp, 'protected-mode no',
                 'sentinel monitor %s 127.0.0.1 %d 1' % (self.master_name, self.master.port)]
        if self.master.password:
            lines.append('sentinel auth-pass %s %s' % (self.master_name, self.master.password))
        if self.password:
            lines.append('requirepass %s' % self.password)
        with open(conf, 'w') as handle:
            handle.write('\n'.join(lines) + '\n')
        self.proc = subprocess.Popen([self.binary, conf, '--sentinel'], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: port_open(self.port), what='redis sentinel on port %d' % self.port)
        return self

    @property
    def address(self):
        return '127.0.0.1:%d' % self.port


# ---------------------------------------------------------------------------------------------- Sidekiq
SIDEKIQ_BOOT = """
require 'sidekiq'
class NoopJob
  include Sidekiq::Worker
  def perform(*args); end
end
"""


class SidekiqWorker(object):
    """A real Sidekiq process (Debian's ruby-sidekiq) watching ``queues`` of the given Redis."""

    def __init__(self, redis, queues=('critical', 'high', 'medium', 'default', 'mailers')):
        self.binary = shutil.which('sidekiq')
        if self.binary is None:
            raise RuntimeError('sidekiq is not installed (apt-get install ruby-sidekiq)')
        self.redis = redis
        self.queues = queues
        self.tmp = tempfile.mkdtemp(prefix='cw-health-sidekiq-')
        self.proc = None
        self.stopped = False

    def start(self, wait=True):
        boot = os.path.join(self.tmp, 'boot.rb')
        with open(boot, 'w') as handle:
            handle.write(SIDEKIQ_BOOT)
        args = [self.binary, '-r', boot, '-c', '2', '-t', '1']
        for queue in self.queues:
            args += ['-q', queue]
        env = dict(os.environ, REDIS_URL=self.redis.url, RUBYOPT='-W0')
        self.log = open(os.path.join(self.tmp, 'sidekiq.log'), 'wb')
        self.proc = subprocess.Popen(args, cwd=self.tmp, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if wait:
            self.wait_registered()
        return self

    def identity_prefix(self):
        return ':%d:' % self.proc.pid

    def wait_registered(self, timeout=30):
        def registered():
            if self.proc.poll() is not None:
                raise AssertionError('sidekiq exited: %s' % self.read_log())
            members = self.redis.command('SMEMBERS', 'processes')
            return self.identity_prefix().encode() in members
        wait_for(registered, timeout=timeout, interval=0.1, what='sidekiq to register its heartbeat')

    def read_log(self):
        with open(os.path.join(self.tmp, 'sidekiq.log'), 'rb') as handle:
            return handle.read()[-2000:].decode('utf-8', 'replace')

    def pause(self):
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.stopped = True

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.stopped = False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            if self.stopped:
                self.resume()
            self.proc.kill()
            self.proc.wait(10)
        if getattr(self, 'log', None):
            self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- web
def _url_host(url):
    """Ruby's URI.parse(url).host for the URLs at hand (case kept, no port): None for an empty or host-less value."""
    netloc = urlsplit(url or '').netloc.rsplit('@', 1)[-1]
    return (netloc[:netloc.find(']') + 1] if netloc.startswith('[') else netloc.partition(':')[0]) or None


class ChatwootApp(object):
    """A Chatwoot-shaped web app. ``mode``: ``real`` (GET /api decided by Chatwoot 4.15.1's rules against the
    PostgreSQL on ``pg_port`` and the Redis on ``redis_port``, see ``_real_api``), ``ok``, ``data_failing``,
    ``queue_failing``, ``error500``, ``slow``, ``force_ssl``, ``old`` (no /health), ``not_chatwoot``.
    ``frontend_url`` and ``helpcenter_url`` are Chatwoot's FRONTEND_URL and HELPCENTER_URL (unset when None), which
    decide whether /api looks the request's Host up in the database. In ``real`` mode the app logs in as ``pg_user``
    (trust authentication, as PostgresServer's ``trustuser``) to ``pg_database``."""

    VERSION = '4.15.1'
    ERROR_500 = b'{"status":500,"error":"Internal Server Error"}'

    def __init__(self, mode='ok', pg_port=None, redis_port=None, redis_password=None, slow_seconds=2.0, port=0,
                 frontend_url=None, helpcenter_url=None, pg_user='trustuser', pg_database='chatwoot'):
        self.mode = mode
        self.pg_port = pg_port
        self.redis_port = redis_port
        self.redis_password = redis_password
        self.slow_seconds = slow_seconds
        self.chatwoot_domains = (_url_host(frontend_url), _url_host(helpcenter_url))
        self.pool = LazyPool(pg_port, pg_user, pg_database) if mode == 'real' else None
        self.requests = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            # one write per response and no Nagle: otherwise the client's delayed ACK adds 40 ms to each answer
            disable_nagle_algorithm = True
            wbufsize = 65536

            def log_message(self, *args):  # keep the test output quiet
                pass

            def _send(self, status, body, headers=None):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json; charset=utf-8')
                self.send_header('Content-Length', str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 (http.server's naming)
                app.requests.append((self.path, dict(self.headers)))
                mode = app.mode
                if mode == 'slow':
                    time.sleep(app.slow_seconds)
                if mode == 'force_ssl' and self.headers.get('X-Forwarded-Proto') != 'https':
                    self._send(301, b'', {'Location': 'https://chatwoot.example.test' + self.path})
                    return
                if self.path == '/health':
                    if mode == 'old':
                        self._send(404, {'error': 'not found'})
                    else:
                        self._send(200, {'status': 'woot'})
                    return
                if self.path.partition('?')[0] == '/api':
                    if mode == 'not_chatwoot':
                        self._send(200, b'<html>hello</html>')
                        return
                    if mode == 'real':
                        data, queue = app._real_api(self.path, self.headers.get('Host'))
                    else:
                        data = 'failing' if mode == 'data_failing' else 'ok'
                        queue = 'failing' if mode == 'queue_failing' else 'ok'
                    if mode == 'error500' or data is None:
                        self._send(500, app.ERROR_500)
                        return
                    self._send(200, {'version': app.VERSION, 'timestamp': time.strftime('%Y-%m-%d %H:%M:%S'),
                                     'queue_services': queue, 'data_services': data})
                    return
                self._send(404, {'error': 'not found'})

        self.server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = None

    def _looks_up_portals(self, path, host_header):
        """Chatwoot 4.15.1 runs around_action :switch_locale (app/controllers/application_controller.rb) before
        ApiController#index (app/controllers/api_controller.rb). Without a ?locale= parameter and a signed-in user,
        switch_locale calls locale_from_custom_domain (app/controllers/concerns/switch_locale.rb): unless
        DomainHelper.chatwoot_domain?(request.host) - the host of FRONTEND_URL or HELPCENTER_URL, compared as is
        (app/helpers/domain_helper.rb) - it runs Portal.find_by(custom_domain: request.host), a database query,
        outside handle_with_exception. request.host is the Host header without its port here (Rails prefers
        X-Forwarded-Host, which the probe never sends)."""
        if 'locale=' in path.partition('?')[2]:
            return False
        return _url_host('//' + (host_header or '')) not in self.chatwoot_domains

    def _real_api(self, path, host_header):
        """(data_services, queue_services) as Chatwoot 4.15.1 answers GET /api; data_services None for a 500. In
        order: the portals lookup on the request's pooled connection (connecting it, or reconnecting it once; a
        failure is a 500), redis_status, then postgres_status: ``connection.active?`` on that same connection, which
        never connects (chatwoot_web_rules.py)."""
        lease = Lease(self.pool)
        try:
            if self._looks_up_portals(path, host_header):
                host = _url_host('//' + (host_header or '')) or ''
                try:
                    lease.connection().select("SELECT * FROM portals WHERE custom_domain = '%s' LIMIT 1"
                                              % host.replace("'", "''"))
                except PgFailure:
                    return None, None
            queue = redis_status(self.redis_port, self.redis_password) if self.redis_port else 'failing'
            if queue is None:
                return None, None
            try:
                data = 'ok' if lease.connection().active() else 'failing'
            except PgFailure:
                data = 'failing'  # checkout's connect failed: ConnectionNotEstablished, rescued
            return data, queue
        finally:
            lease.release()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self):
        if self.pool is not None:
            self.pool.boot()
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self.pool is not None:
            self.pool.close()


class SilentServer(object):
    """Accepts TCP connections and never answers (a hung process)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def stop(self):
        self.sock.close()


class ClosingServer(object):
    """Accepts connections and closes them at once, counting them: a service still starting up."""

    def __init__(self, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, dummy = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            client.close()

    def stop(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


class BannerServer(object):
    """Speaks first, like SSH or SMTP, then waits: a wrong port that is not silent."""

    def __init__(self, banner):
        self.banner = banner
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.clients = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                client, dummy = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)
            try:
                client.sendall(self.banner)
            except OSError:
                pass

    def stop(self):
        self.sock.close()
        for client in self.clients:
            client.close()


# ---------------------------------------------------------------------------------------------- Docker
class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class FakeDockerEngine(object):
    """The Docker Engine API on a unix socket: GET /containers/NAME/json answered from ``containers``, and any other
    request from ``routes``, {(method, path): (status, body)} - a dict or list body is sent as JSON, bytes as they
    are, a callable is called with the request's decoded JSON body (or None) and returns (status, body). Every
    request is kept in ``requests`` as (method, path, JSON body or None)."""

    def __init__(self, containers=None, status_override=None, routes=None):
        self.containers = containers or {}
        self.status_override = status_override
        self.routes = routes or {}
        self.requests = []
        self.tmp = tempfile.mkdtemp(prefix='cw-health-docker-')
        self.socket_path = os.path.join(self.tmp, 'docker.sock')
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def address_string(self):
                return 'unix'

            def _answer(self, method):
                length = int(self.headers.get('Content-Length') or 0)
                sent = json.loads(self.rfile.read(length).decode()) if length else None
                engine.requests.append((method, self.path, sent))
                parts = self.path.split('/')
                body, status = {'message': 'page not found'}, 404
                if engine.status_override:
                    status, body = engine.status_override, {'message': 'permission denied by test'}
                elif (method, self.path) in engine.routes:
                    status, body = engine.routes[(method, self.path)]
                    if callable(body):
                        status, body = body(sent)
                elif method == 'GET' and len(parts) == 4 and parts[1] == 'containers' and parts[3] == 'json':
                    name = parts[2]
                    if name in engine.containers:
                        body, status = engine.containers[name], 200
                    else:
                        body = {'message': 'No such container: %s' % name}
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/vnd.docker.raw-stream' if isinstance(body, bytes)
                                 else 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                self._answer('GET')

            def do_POST(self):  # noqa: N802
                self._answer('POST')

        self.server = _UnixHTTPServer(self.socket_path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def container_json(name, status='running', exit_code=0, error='', restarting=False, oom=False):
    return {
        'Id': 'f' * 64,
        'Name': '/' + name,
        'RestartCount': 3 if restarting else 0,
        'Config': {'Image': 'chatwoot/chatwoot:v4.15.1'},
        'State': {
            'Status': status, 'Running': status in ('running', 'restarting'), 'Paused': status == 'paused',
            'Restarting': restarting, 'OOMKilled': oom, 'Dead': status == 'dead', 'Pid': 0, 'ExitCode': exit_code,
            'Error': error, 'StartedAt': '2026-11-25T10:00:00.000000000Z',
            'FinishedAt': '2026-11-25T10:05:00.000000000Z' if status != 'running' else '0001-01-01T00:00:00Z',
        },
    }


def docker_socket_path():
    """The real engine's socket when it answers /_ping, else None."""
    host = os.environ.get('DOCKER_HOST', '')
    path = host[len('unix://'):] if host.startswith('unix://') else '/var/run/docker.sock'
    if not os.path.exists(path):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            sock.connect(path)
            sock.sendall(b'GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n')
            data = sock.recv(1024)
        return path if b' 200 ' in data.split(b'\r\n', 1)[0] + b' ' else None
    except OSError:
        return None


def docker(*args, check=True, timeout=120):
    return subprocess.run(['docker'] + list(args), check=check, capture_output=True, text=True, timeout=timeout)


def docker_image_exists(image):
    return shutil.which('docker') is not None and docker('image', 'inspect', image, check=False).returncode == 0


def require_engine_and_images(images):
    """Skip the test (a failure under CI) without a Docker engine, or without the rig's ``images``."""
    if docker_socket_path() is None:
        pytest.skip('no Docker engine answers on DOCKER_HOST or /var/run/docker.sock')
    missing = [image for image in images if not docker_image_exists(image)]
    if missing:
        pytest.skip('rig images not built: %s (tests/rig/up.sh builds them)' % ', '.join(missing))
