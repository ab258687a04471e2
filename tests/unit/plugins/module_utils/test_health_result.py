# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Result vocabulary: summaries, secret scrubbing, error words."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.sinapum.chatwoot.plugins.module_utils._health_result import (
    MASK,
    Deadline,
    ProbeTimeout,
    component,
    describe_os_error,
    format_seconds,
    scrub,
    summarize,
)


def test_summarize_names_the_first_failing_component_in_fixed_order():
    components = {
        'web': component('ok', 'fine'),
        'postgres': component('ok', 'fine'),
        'redis': component('failing', 'authentication failed'),
        'sidekiq': component('failing', 'no heartbeat for 95 s, threshold 60 s'),
    }
    healthy, failed, msg = summarize(components)
    assert not healthy
    assert failed == ['redis', 'sidekiq']
    assert msg == 'redis: authentication failed (also failing: sidekiq)'


def test_summarize_healthy_ignores_skipped():
    components = {'web': component('ok'), 'postgres': component('skipped', 'not requested'),
                  'redis': component('ok'), 'sidekiq': component('skipped', 'not requested')}
    assert summarize(components) == (True, [], 'healthy: web, redis ok')


def test_scrub_walks_nested_values_and_url_encoded_forms():
    secret = 'p@ss w/rd'
    value = {'a': 'x p@ss w/rd y', 'b': ['redis://:p%40ss%20w%2Frd@h', ('p@ss w/rd',)], 'c': 3, 'p@ss w/rd': None}
    out = scrub(value, [secret, None, ''])
    text = repr(out)
    assert secret not in text and 'p%40ss%20w%2Frd' not in text
    assert out['a'] == 'x %s y' % MASK and out['c'] == 3
    assert scrub(value, []) is value


def test_describe_os_error_words():
    assert 'connection refused on h:1' in describe_os_error(ConnectionRefusedError(111, 'refused'), 'h:1')
    assert 'within 2 s (timeout)' in describe_os_error(socket.timeout('timed out'), 'h:1', 2)
    assert 'within 0.5 s' in describe_os_error(ProbeTimeout('x'), 'h:1', 0.5)
    assert 'reset' in describe_os_error(ConnectionResetError(104, 'reset'), 'h:1')
    assert 'cannot resolve' in describe_os_error(socket.gaierror(-2, 'Name or service not known'), 'nohost:1')


def test_format_seconds():
    assert format_seconds(60) == '60' and format_seconds(0.25) == '0.25' and format_seconds(1.0) == '1'


def test_deadline():
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5.0
    now[0] = 104.5
    assert deadline.remaining() == 0.5 and deadline.elapsed_ms() == 4500.0
    now[0] = 105.0
    with pytest.raises(ProbeTimeout, match='no answer within 5 s'):
        deadline.remaining()


def test_summarize_names_a_failing_backing_service_before_what_depends_on_it():
    components = {
        'web': component('failing', '/api reports data_services failing'),
        'postgres': component('failing', 'connection refused'),
        'redis': component('ok', 'fine'),
        'sidekiq': component('failing', 'no heartbeat'),
    }
    healthy, failed, msg = summarize(components)
    assert failed == ['web', 'postgres', 'sidekiq']
    assert msg == 'postgres: connection refused (also failing: web, sidekiq)'
