# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The options shared by the modules that configure Chatwoot through its APIs."""

    # Every API module: where Chatwoot is and how to reach it.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of Chatwoot's web server as the managed host reaches it, for example V(http://127.0.0.1:3001).
      - When not given, C(chatwoot_credentials.url) (the fact the P(sinapum.chatwoot.chatwoot#role) role sets on a host
        it deployed), else the environment variable E(CHATWOOT_URL).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate when O(api_url) is C(https://).
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each answer from Chatwoot.
    type: float
    default: 30
notes:
  - The C(chatwoot_credentials) fact is read by the module's action plugin on the controller; an option given in the
    task wins over it, and it wins over the environment variables.
  - Chatwoot answers redirects (C(FORCE_SSL)) and they are not followed; use the address they name.
"""

    # Application API modules: an administrator's user token and one account.
    APPLICATION = r"""
options:
  api_token:
    description:
      - An access token of a user (header C(api_access_token)) who is an administrator of the account; a Platform
        App's or an agent bot's token is refused by Chatwoot.
      - When not given, C(chatwoot_credentials.user_token) (the first administrator's token, kept by the role), else
        the environment variable E(CHATWOOT_API_TOKEN).
    type: str
  account_id:
    description:
      - The account to configure.
      - When not given, C(chatwoot_credentials.account_id) (the first account), else the environment variable
        E(CHATWOOT_ACCOUNT_ID).
    type: int
"""

    # Platform API modules: a Platform App's token.
    PLATFORM = r"""
options:
  api_token:
    description:
      - The access token of a Platform App (header C(api_access_token)); a user's token is refused by the Platform
        API.
      - A Platform App may act only on the accounts and users it created or was permitted on (Chatwoot's
        C(platform_app_permissibles)).
      - When not given, C(chatwoot_credentials.platform_token) (the Platform App the role made, permitted on the first
        administrator and the first account), else the environment variable E(CHATWOOT_PLATFORM_TOKEN).
    type: str
"""

    # Objects Chatwoot deletes later, in its worker (DeleteObjectJob).
    WAIT = r"""
options:
  wait:
    description:
      - After a deletion, wait until Chatwoot's worker has deleted the object (Chatwoot answers the request at once and
        deletes later).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait).
    type: int
    default: 120
"""
