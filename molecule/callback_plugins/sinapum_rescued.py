# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper of the Molecule scenarios, not part of the collection: Ansible's default screen output, except that a
failure a block's rescue takes over is shown as "rescued:", not "fatal: ... FAILED!"."""

from __future__ import annotations

DOCUMENTATION = """
    name: sinapum_rescued
    type: stdout
    short_description: default output; a failure that a block's rescue takes over reads "rescued", not "fatal"
    description:
      - The Molecule verify steps provoke failures on purpose (a refused input, a tampered backup, a broken upgrade)
        inside a block whose rescue then checks the message, and name those steps "expected to fail". Ansible's
        default output prints each as "fatal ... FAILED!", which a reader scanning for failures cannot tell from a real
        one. This output prints them as "rescued ... failed, the block's rescue takes over", with the same details.
      - A failure outside any block with a rescue, or in a rescue or always section, is printed as by default.
        A rescue that fails in its turn, as the role's own rescues do after showing the logs, is printed as by default.
    extends_documentation_fragment:
      - default_callback
      - result_format_callback
"""

from ansible import constants as C
from ansible.playbook.block import Block
from ansible.plugins.callback.default import CallbackModule as DefaultCallback


def rescued(task) -> bool:
    """Whether the task sits, through includes and roles, in the block section of a block that has a rescue."""
    node, parent = task, task._parent  # pylint: disable=protected-access
    while parent is not None:
        if isinstance(parent, Block) and parent.rescue and any(
                getattr(t, "_uuid", None) == node._uuid for t in parent.block):  # pylint: disable=protected-access
            return True
        node, parent = parent, parent._parent  # pylint: disable=protected-access
    return False


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "sinapum_rescued"

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors or not rescued(result.task):
            super().v2_runner_on_failed(result, ignore_errors)
            return
        self._show_rescued(result, "")

    def v2_runner_item_on_failed(self, result):
        if not rescued(result.task):
            super().v2_runner_item_on_failed(result)
            return
        self._show_rescued(result, " (item=%s)" % self._get_item_label(result.result))

    def _show_rescued(self, result, item):
        if self._last_task_banner != result.task._uuid:  # pylint: disable=protected-access
            self._print_task_banner(result.task)
        # Its "[ERROR]: Task failed" and origin would read as a real failure: the message is in the result shown.
        self._handle_warnings(result.result)
        result.result.pop("exception", None)
        self._clean_results(result.result, result.task.action)
        if not item and result.task.loop and "results" in result.result:
            self._process_items(result)
            return
        self._display.display("rescued: [%s]%s: failed, the block's rescue takes over => %s"
                              % (self.host_label(result), item, self._dump_results(result.result)), color=C.COLOR_SKIP)
