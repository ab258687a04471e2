#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_health
short_description: Tell whether a Chatwoot host is healthy, and if not which part and why
version_added: 1.0.0
description:
  - Checks the four parts of a Chatwoot deployment run with Docker Compose in one call and returns
    one entry per part (V(web), V(postgres), V(redis), V(sidekiq)) with its status, its latency
    and a reason in plain words.
  - B(web) asks the Rails app for C(GET /health) (liveness, Chatwoot 4.11 and later; see
    O(web_liveness_path)) and C(GET /api) (readiness). C(/api) answers 200 even when failing, so its C(data_services) and
    C(queue_services) fields are read. C(/api) is asked with a C(Host) that Chatwoot looks up in its C(portals) table
    before it answers (see O(web_host)), so that a query runs on the request's own database connection first and
    C(data_services) is a true check of web to database; a database Chatwoot cannot query then makes C(/api) a 500.
    A 500 is reported as a 500; a cause is named only when another probe of the same call saw it - the postgres probe
    failing, or Redis answering C(NOAUTH) or refusing a password it has none for. A wrong Redis password is, in
    Chatwoot, C(queue_services) failing (redis-rb maps C(WRONGPASS) to a connection error), and the redis probe's
    refusal is named with it. Redirects are reported and never followed.
  - B(postgres) logs in with the deployment's credentials, runs C(SELECT 1), checks that the
    C(vector) extension is installed (Chatwoot 4.0 and later need it) and that the database was
    prepared (tables C(installation_configs) and C(ar_internal_metadata) exist).
  - B(redis) authenticates and sends C(PING); a wrong password, a missing password and a password
    given to a server that has none are told apart.
  - B(sidekiq) reads Sidekiq's own bookkeeping in Redis (the C(processes) set and each process's
    heartbeat hash), the sizes and latencies of the queues and the C(retry) and C(dead) sets. When
    O(sidekiq_container) is given, a worker container that is not running is reported at once,
    with its state and exit code, through the Docker Engine API.
  - B(No extra library is needed on the managed host.) The probes speak PostgreSQL's wire protocol
    v3 (with trust, cleartext, MD5 and SCRAM-SHA-256 authentication), Redis' RESP2, HTTP and the
    Docker Engine API with the Python standard library only (C(socket), C(ssl), C(hashlib),
    C(hmac), C(http.client), C(json)). A Chatwoot host runs everything in containers; installing
    psycopg2, redis-py or the Docker SDK on it only to be able to check it would add packages to
    keep up to date, and would fail on hosts with no compiler or no access to PyPI.
  - Credentials are read from the deployment's env file when not given. The env file's
    C(POSTGRES_HOST) and C(REDIS_URL) host are the names of services inside the Compose network,
    so hosts and ports come from the options (the ports the deployment publishes on the loopback).
  - With C(REDIS_SENTINELS) in the env file the redis and sidekiq probes do as Chatwoot does
    (C(lib/redis/config.rb)) - they ask the sentinels in turn for the master C(REDIS_SENTINEL_MASTER_NAME)
    (default V(mymaster)), with C(REDIS_SENTINEL_PASSWORD) (or C(REDIS_PASSWORD) when that is not set at all),
    check that the server named is a master, and probe it with C(REDIS_PASSWORD), in database 0, without TLS.
    O(redis_host) and O(redis_port) are not used then.
  - The module only reads; it never changes anything. Secrets never appear in its results,
    messages or errors.
author:
  - SinapUm engineers (@sinapum)
requirements:
  - Nothing beyond the Python standard library that Ansible itself needs.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module is read-only; check mode runs the same probes.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  components:
    description:
      - The parts to check. Parts not listed appear in RV(components) with status V(skipped).
    type: list
    elements: str
    choices: [web, postgres, redis, sidekiq]
    default: [web, postgres, redis, sidekiq]
  env_file:
    description:
      - The deployment's C(.env) file. C(POSTGRES_USERNAME), C(POSTGRES_PASSWORD),
        C(POSTGRES_DATABASE) (or C(DATABASE_URL), which wins as in Chatwoot), C(REDIS_PASSWORD)
        (else the password in C(REDIS_URL)), the scheme of C(REDIS_URL) and C(FORCE_SSL) are
        read from it for the options that are not given.
      - A missing file is fine when the credentials are given as options.
    type: path
    default: /opt/chatwoot/.env
  web_url:
    description:
      - Base URL of the Rails web process as published on the host.
    type: str
    default: http://127.0.0.1:3001
  web_liveness_path:
    description:
      - The path of the web's liveness endpoint, which must answer 200. Chatwoot has C(/health) from 4.11.0 on.
      - An empty string says the release has none (Chatwoot before 4.11.0); C(/api) alone is asked then.
    type: str
    default: /health
  web_host:
    description:
      - The C(Host) header of the requests to the web. It decides what C(/api) proves (Chatwoot 4.15.1 on Rails 7.1.5.2).
      - A host that is not the one of C(FRONTEND_URL) nor of C(HELPCENTER_URL) (compared as Chatwoot does, without the
        port and with the case kept) is looked up in the C(portals) table before C(/api) answers
        (C(app/controllers/concerns/switch_locale.rb), C(app/helpers/domain_helper.rb)). That query runs on the
        request's own pooled connection and connects it, or reconnects it once after a database restart; so
        C(data_services) means the web can use the database, and a database it cannot query is a 500.
      - The host of C(FRONTEND_URL) or C(HELPCENTER_URL) runs no query first. C(data_services) is then only
        C(connection.active?) (C(app/controllers/api_controller.rb)), which never connects; on Rails 7.1 a pooled
        connection is created unconnected (C(activerecord/lib/active_record/connection_adapters/postgresql_adapter.rb),
        C(abstract/connection_pool.rb)) and from Chatwoot 4.5.0 the one connection the boot connects stays with the
        main thread (C(config/initializers/ai_agents.rb)). A fresh web reads C(failing) with a healthy database, and
        so does a web after a database restart until some query reconnected its connection; a wait on it may never end.
      - Default - the host of O(web_url), unless it is the host of C(FRONTEND_URL) or C(HELPCENTER_URL) in O(env_file)
        (as when C(FRONTEND_URL) is the very address the web is published on), then V(chatwoot-health.invalid). When
        O(web_url) goes through a proxy that routes by host name, set this to a name the proxy serves that is not
        Chatwoot's own.
    type: str
  web_forwarded_proto_https:
    description:
      - Send the header C(X-Forwarded-Proto) with the value C(https), as a TLS-terminating proxy does. With C(FORCE_SSL=true)
        Chatwoot redirects every request, C(/health) and C(/api) included, unless this header is sent.
      - Defaults to the value of C(FORCE_SSL) in O(env_file) (false when unset).
    type: bool
  web_validate_certs:
    description:
      - Verify the TLS certificate when O(web_url) is C(https://).
    type: bool
    default: true
  postgres_host:
    description:
      - Host (or unix socket directory, starting with C(/)) where PostgreSQL is reachable from the managed host.
    type: str
    default: 127.0.0.1
  postgres_port:
    description:
      - Port of PostgreSQL as published on the host.
    type: int
    default: 5435
  postgres_user:
    description:
      - Role to log in as. Defaults to C(POSTGRES_USERNAME) from O(env_file).
    type: str
  postgres_password:
    description:
      - Password of O(postgres_user). Defaults to C(POSTGRES_PASSWORD) from O(env_file).
    type: str
  postgres_database:
    description:
      - Chatwoot's database. Defaults to C(POSTGRES_DATABASE) from O(env_file), then C(chatwoot_production)
        (Chatwoot's own default).
    type: str
  postgres_ssl_mode:
    description:
      - libpq's C(sslmode), with libpq's meaning. V(disable) never uses TLS; V(allow) connects in plain text and
        with TLS when the server refuses that; V(prefer) asks for TLS and falls back to plain text; V(require)
        insists on TLS; V(verify-ca) also verifies the server's certificate with the CA of O(postgres_ca_file);
        V(verify-full) also checks that the certificate names O(postgres_host).
      - As libpq, a root certificate (O(postgres_ca_file), else C(~/.postgresql/root.crt) when it exists) makes every
        mode that uses TLS verify the chain, and only that file is trusted, not the system's CAs.
      - TLS is never used over a unix socket (O(postgres_host) starting with C(/)).
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
    default: prefer
  postgres_ca_file:
    description:
      - libpq's C(sslrootcert) - a PEM file on the managed host with the CA that signed PostgreSQL's certificate.
      - V(verify-ca) and V(verify-full) need one. Without this option libpq's default, C(~/.postgresql/root.crt) of
        the user the module runs as, is used when it exists; when it does not, the task fails before connecting, as
        libpq would.
    type: path
  postgres_require_vector:
    description:
      - Report PostgreSQL as failing when the C(vector) extension is not installed in the database.
        Chatwoot 4.0 and later need it; set to V(false) only for older releases.
    type: bool
    default: true
  postgres_require_prepared:
    description:
      - Report PostgreSQL as failing when the database has not been prepared (C(db:chatwoot_prepare) has not loaded
        Chatwoot's schema). Set to V(false) to check only that the database answers, as on a host that runs
        PostgreSQL for web and worker hosts that prepare it later.
    type: bool
    default: true
  redis_host:
    description:
      - Host where Redis is reachable from the managed host.
    type: str
    default: 127.0.0.1
  redis_port:
    description:
      - Port of Redis as published on the host.
    type: int
    default: 6381
  redis_password:
    description:
      - Password for C(AUTH). Defaults to C(REDIS_PASSWORD) from O(env_file). An empty string means no C(AUTH).
    type: str
  redis_username:
    description:
      - ACL user name for C(AUTH) (Redis 6 and later). Defaults to the user name in C(REDIS_URL), if any.
    type: str
  redis_db:
    description:
      - Redis database number. Defaults to the one in C(REDIS_URL), else V(0).
    type: int
  redis_tls:
    description:
      - Speak TLS to Redis. Defaults to true when C(REDIS_URL) in O(env_file) starts with C(rediss://).
    type: bool
  redis_validate_certs:
    description:
      - Verify Redis' certificate when O(redis_tls) is on (its chain, and that it names the host of C(REDIS_URL),
        the name Chatwoot connects to, even when the probe reaches the server on O(redis_host)).
      - Defaults to what Chatwoot does (C(config/application.rb)), read from O(env_file) - verify unless
        C(REDIS_OPENSSL_VERIFY_MODE) is exactly V(none). Without an env file, verify.
    type: bool
  redis_ca_file:
    description:
      - A PEM file on the managed host with the CA (or CAs) that signed Redis' certificate, for a private CA. It is
        trusted on top of the system's CAs, as Chatwoot trusts a CA added to Ruby's OpenSSL store.
      - A path that does not exist, or holds no certificate, fails the task.
    type: path
  sidekiq_container:
    description:
      - Name of the worker container. When given and the Docker engine says it is not running
        (exited, restarting, paused, dead or missing), Sidekiq is reported as failing at once,
        without waiting for its heartbeat to grow old.
      - When the Docker socket cannot be used, the heartbeat alone decides and the reason for
        not asking Docker is shown in RV(components.sidekiq.container).
    type: str
  web_container:
    description:
      - Name of the web container. When given and the web probe fails, the container's state from the Docker engine
        is added to the reason (a web that crashes at start is V(restarting), with its exit code and restart count).
    type: str
  sidekiq_queues:
    description:
      - Queues to report besides Chatwoot's main ones (V(critical), V(high), V(medium), V(default),
        V(mailers), V(low)) and those listed in Redis' C(queues) set.
    type: list
    elements: str
    default: []
  docker_socket:
    description:
      - Path of the Docker engine's unix socket (C(unix://) prefix accepted).
    type: str
    default: /var/run/docker.sock
  timeout:
    description:
      - Time budget of each part's probe, in seconds. The parts are probed in parallel.
    type: float
    default: 5
  wait:
    description:
      - Probe again every O(wait_interval) seconds until every part is healthy or O(wait_timeout) passes.
      - The wait stops at once on a verdict that waiting cannot change, a configuration drift rather than a start-up
        (see RV(drifted_components)), and RV(msg) says so.
    type: bool
    default: false
  wait_timeout:
    description:
      - Longest time to wait for health when O(wait) is on, in seconds.
    type: float
    default: 300
  wait_interval:
    description:
      - Pause between two attempts when O(wait) is on, in seconds.
    type: float
    default: 2
  heartbeat_threshold:
    description:
      - Sidekiq is failing when its freshest heartbeat is older than this, in seconds. Sidekiq beats every
        10 seconds and its heartbeat expires after 60.
    type: float
    default: 60
  queue_latency_threshold:
    description:
      - Sidekiq is failing when the oldest job of a queue has waited longer than this, in seconds, sidekiq_alive's
        own queues (C(sidekiq-alive-<hostname>)) aside. V(0) turns the check off.
    type: float
    default: 300
  fail_on_unhealthy:
    description:
      - Fail the task when a part is unhealthy (after the wait, when O(wait) is on). By default the
        task succeeds and RV(healthy) says the verdict.
    type: bool
    default: false
notes:
  - Run it on the Chatwoot host itself, where the containers publish their ports on the loopback.
  - Sidekiq heartbeats are compared with the managed host's clock, which is the workers' clock when the
    worker runs on that host.
seealso:
  - name: Chatwoot health checks
    description: Chatwoot's liveness and readiness endpoints.
    link: https://www.chatwoot.com/docs/self-hosted
"""

EXAMPLES = r"""
- name: Check a Chatwoot host deployed in /opt/chatwoot (credentials read from its .env)
  sinapum.chatwoot.chatwoot_health:
  register: chatwoot

- name: Show what is wrong
  ansible.builtin.debug:
    msg: "{{ chatwoot.msg }}"
  when: not chatwoot.healthy

- name: Wait up to 5 minutes after an upgrade, fail if still unhealthy
  sinapum.chatwoot.chatwoot_health:
    env_file: /opt/chatwoot/.env
    sidekiq_container: chatwoot-sidekiq-1
    wait: true
    wait_timeout: 300
    fail_on_unhealthy: true

- name: Check only the database and Redis with explicit credentials
  sinapum.chatwoot.chatwoot_health:
    components: [postgres, redis]
    postgres_user: chatwoot
    postgres_password: "{{ vault_postgres_password }}"
    postgres_database: chatwoot
    redis_password: "{{ vault_redis_password }}"

- name: A Chatwoot release before 4.11.0, which has no /health
  sinapum.chatwoot.chatwoot_health:
    web_liveness_path: ''

- name: An external Redis over TLS (rediss:// in the .env) with a certificate from the site's own CA
  sinapum.chatwoot.chatwoot_health:
    components: [redis, sidekiq]
    redis_host: redis.example.internal
    redis_port: 6380
    redis_ca_file: /opt/chatwoot/certs/redis-ca.pem

- name: An external PostgreSQL whose certificate names its host, signed by the site's own CA
  sinapum.chatwoot.chatwoot_health:
    components: [postgres]
    postgres_host: db.example.internal
    postgres_port: 5432
    postgres_ssl_mode: verify-full
    postgres_ca_file: /opt/chatwoot/certs/postgres-ca.pem

- name: Web behind FORCE_SSL on another port, tighter thresholds
  sinapum.chatwoot.chatwoot_health:
    components: [web, sidekiq]
    web_url: http://127.0.0.1:3000
    web_forwarded_proto_https: true
    heartbeat_threshold: 30
    queue_latency_threshold: 120
"""

RETURN = r"""
healthy:
  description: True when every requested part is healthy.
  returned: always
  type: bool
  sample: false
msg:
  description:
    - The verdict in words; when unhealthy it names the failing part and why, the database or Redis before web and
      worker (which fail with them), then lists the other failing parts.
  returned: always
  type: str
  sample: "sidekiq: no heartbeat for 95 s, threshold 60 s"
failed_components:
  description: The failing parts, in the order web, postgres, redis, sidekiq.
  returned: always
  type: list
  elements: str
  sample: [sidekiq]
drifted_components:
  description:
    - The failing parts whose verdict waiting cannot change, a configuration drift rather than a start-up (each
      one's C(drift) says which) - PostgreSQL refusing the login (V(authentication)) or lacking the C(vector) extension
      (V(vector_missing)), Redis refusing the password (V(wrong_password)), wanting one none was given
      (V(password_required)), having none for the one given (V(no_password_configured)) or refusing outside clients
      because it lost its password (V(protected_mode)).
  returned: always
  type: list
  elements: str
  sample: [redis]
attempts:
  description: How many times the parts were probed (more than one only with O(wait)).
  returned: always
  type: int
  sample: 1
elapsed_ms:
  description: Time the whole check took, in milliseconds.
  returned: always
  type: float
  sample: 21.4
components:
  description:
    - One entry for each of V(web), V(postgres), V(redis) and V(sidekiq); parts not requested have status V(skipped).
    - Every entry has RV(components.web.status), C(latency_ms) and C(reason); the other keys are the part's details.
  returned: always
  type: dict
  contains:
    web:
      description: The Rails web process.
      returned: always
      type: dict
      contains:
        status:
          description: V(ok), V(failing) or V(skipped).
          type: str
          returned: always
          sample: ok
        latency_ms:
          description: Time this part's probe took, in milliseconds.
          type: float
          returned: always
          sample: 6.2
        reason:
          description: Plain words; for a failing part, what is wrong.
          type: str
          returned: always
          sample: "/api reports queue_services failing (the app cannot reach Redis)"
        host:
          description: The C(Host) header sent (see O(web_host)); null when it was the one of O(web_url).
          type: str
          returned: when requested
          sample: chatwoot-health.invalid
        portals_lookup:
          description:
            - Whether Chatwoot looks the C(Host) sent up in its C(portals) table before C(/api) answers, so that
              C(data_services) is a true check of web to database (see O(web_host)); null when O(env_file) could not
              be read, so C(FRONTEND_URL) and C(HELPCENTER_URL) are unknown.
          type: bool
          returned: when requested
          sample: true
        version:
          description: Chatwoot's version as C(/api) reports it.
          type: str
          returned: when requested
          sample: 4.15.1
        health:
          description: The liveness endpoint's answer (C(path), C(status_code), C(ms)); null when O(web_liveness_path) is
            empty.
          type: dict
          returned: when requested
        api:
          description: C(/api) answer (C(status_code), C(ms), C(data_services), C(queue_services), C(timestamp)).
          type: dict
          returned: when requested
    postgres:
      description: The database.
      returned: always
      type: dict
      contains:
        server_version:
          description: PostgreSQL's version.
          type: str
          returned: when requested
          sample: "16.4"
        vector_extension:
          description: Installed version of the C(vector) extension, null when not installed.
          type: str
          returned: when requested
          sample: 0.8.0
        tables:
          description: Whether each of Chatwoot's marker tables exists.
          type: dict
          returned: when requested
          sample: {installation_configs: true, ar_internal_metadata: true}
        environment:
          description: Rails environment recorded in C(ar_internal_metadata).
          type: str
          returned: when requested
          sample: production
        schema_version:
          description: Latest applied migration.
          type: str
          returned: when requested
          sample: "20250916000000"
    redis:
      description: Redis.
      returned: always
      type: dict
      contains:
        version:
          description: Redis' version.
          type: str
          returned: when requested
          sample: 7.2.5
        sentinel:
          description:
            - With C(REDIS_SENTINELS) only - C(master_name), the C(sentinels) asked, the C(master) address one of them
              named and the sentinel that C(answered_by) (both null when none did).
          type: dict
          returned: when requested (null without C(REDIS_SENTINELS))
          sample: {master_name: mymaster, sentinels: ['10.0.0.5:26379'], master: '10.0.0.7:6379',
                   answered_by: '10.0.0.5:26379'}
        auth_error:
          description:
            - How Redis refused authentication - V(wrong_password), V(password_required) (a password is needed and
              none was given) or V(no_password_configured) (one was given, the server has none); null otherwise.
          type: str
          returned: when requested
          sample: wrong_password
        tls_verified:
          description: Whether Redis' certificate was verified (see O(redis_validate_certs)); null without TLS.
          type: bool
          returned: when requested
          sample: true
        tls_server_name:
          description: The name the certificate was checked against (the host of C(REDIS_URL), else O(redis_host));
            null without TLS.
          type: str
          returned: when requested
          sample: redis.example.internal
    sidekiq:
      description: The Sidekiq worker.
      returned: always
      type: dict
      contains:
        processes:
          description:
            - Registered processes with C(identity), C(hostname), C(pid), C(beat_age_s), C(busy), C(quiet),
              C(concurrency), C(queues), C(expired).
          type: list
          elements: dict
          returned: when requested
        heartbeat_age_s:
          description: Age of the freshest heartbeat in seconds.
          type: float
          returned: when requested
          sample: 3.2
        queues:
          description:
            - For each queue its C(size), C(latency_s) (age of the oldest job) and C(in_latency_verdict).
            - The queues of sidekiq_alive (C(sidekiq-alive-<hostname>)) are reported but left out of the verdict of
              O(queue_latency_threshold) (C(in_latency_verdict) false) - an orphan job there after an unclean stop
              ages without saying anything about Chatwoot's jobs.
          type: dict
          returned: when requested
          sample: {default: {size: 2, latency_s: 0.4, in_latency_verdict: true},
                   sidekiq-alive-c0ffee: {size: 1, latency_s: 412.0, in_latency_verdict: false}}
        retry:
          description: Size of the C(retry) set.
          type: int
          returned: when requested
          sample: 0
        dead:
          description: Size of the C(dead) set.
          type: int
          returned: when requested
          sample: 0
        container:
          description: The worker container's state from Docker (C(status), C(running), C(exit_code)…), or
            the reason Docker could not be asked; null when O(sidekiq_container) is not given.
          type: dict
          returned: when requested
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_check import (
    BadInput,
    argument_spec,
    empty_result,
    resolve_settings,
    run,
    secrets_of,
)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        settings = resolve_settings(module.params)
    except BadInput as exc:
        module.fail_json(**empty_result(str(exc)))
    for secret in secrets_of(settings):
        module.no_log_values.add(secret)

    result = run(settings)
    if module.params['fail_on_unhealthy'] and not result['healthy']:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
