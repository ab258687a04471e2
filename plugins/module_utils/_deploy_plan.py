# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The deploy's decisions about what the host runs, as pure functions of what chatwoot_host_info read.

Reached from the role through the filter plugins of the same names (plugins/filter/), so that each decision is
unit-tested on its own instead of only by a whole deploy.
"""

from __future__ import annotations


class PlanError(ValueError):
    """Input the decisions cannot be made from: the role handed over something that is not host_info's shape."""


def _container(containers, name):
    if not isinstance(containers, dict):
        raise PlanError('the containers must be chatwoot_host_info\'s "containers" (a dict), got %s'
                        % type(containers).__name__)
    facts = containers.get(name)
    if facts is None:
        return {}
    if not isinstance(facts, dict):
        raise PlanError('containers[%r] must be a dict, got %s' % (name, type(facts).__name__))
    return facts


def container_current(facts, image_id):
    """Running (not paused, not restarting), healthy, and created from the image IMAGE_ID (never an empty one)."""
    return bool(image_id) and bool(facts.get('exists')) and facts.get('status') == 'running' \
        and facts.get('health') == 'healthy' and facts.get('image_id') == image_id


def containers_off(containers, wanted):
    """The names in WANTED (container name -> image ID) whose container is not current, in WANTED's order."""
    if not isinstance(wanted, dict):
        raise PlanError('wanted must map container names to image IDs, got %s' % type(wanted).__name__)
    return [name for name, image_id in wanted.items() if not container_current(_container(containers, name), image_id)]


def containers_to_restart(containers, app_names):
    """What bringing the stack up must restart first: every paused container (Compose refuses to start one), and
    each of APP_NAMES (web, worker) that runs but is unhealthy (``up --wait`` gives up at once on one). A database
    that is unhealthy may be recovering and is left to its own healthcheck."""
    if not isinstance(containers, dict):
        raise PlanError('the containers must be chatwoot_host_info\'s "containers" (a dict), got %s'
                        % type(containers).__name__)
    app_names = list(app_names or [])
    paused = [name for name in containers if _container(containers, name).get('status') == 'paused']
    hanging = [name for name in app_names
               if _container(containers, name).get('status') == 'running'
               and _container(containers, name).get('health') == 'unhealthy']
    return dict(paused=paused, restart=paused + [name for name in hanging if name not in paused])


def file_differs(facts, mode, sha1=None, owner='root', group='root', kind='file'):
    """Whether the role must write a file or directory that chatwoot_host_info read as FACTS (one entry of its
    "files"; {} when it was not read): missing, of another kind, another mode, owner or group, or - when SHA1 is
    given - other content."""
    if not isinstance(facts, dict):
        raise PlanError('the file facts must be one entry of chatwoot_host_info\'s "files", got %s'
                        % type(facts).__name__)
    if not facts.get('exists') or facts.get('type') != kind:
        return True
    if (facts.get('mode'), facts.get('owner'), facts.get('group')) != (mode, owner, group):
        return True
    return sha1 is not None and facts.get('sha1') != sha1
