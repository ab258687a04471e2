-- SPDX-License-Identifier: GPL-3.0-or-later
-- One checksum of the rows files/admin.rb settles, asked by admin.rb once it is done (through ActiveRecord) and by
-- chatwoot_host_info at the next run's read (through psql): while it is the same, and so are admin.rb's inputs, the
-- run knows admin.rb's answer without a Rails boot (the admin_step filter). Only columns that the admin step decides
-- on, or that only a person changes: never a login's bookkeeping (sign-in counts, devise tokens, updated_at), so
-- that Chatwoot's own use of these tables leaves it alone. Whatever it misses only makes admin.rb run once more.
SELECT md5(concat_ws('|',
  (SELECT string_agg(concat_ws(' ', id, email, type, encrypted_password, confirmed_at IS NOT NULL), ';' ORDER BY id) FROM users),
  (SELECT string_agg(concat_ws(' ', id, name), ';' ORDER BY id) FROM accounts),
  (SELECT string_agg(concat_ws(' ', id, account_id, user_id, role), ';' ORDER BY id) FROM account_users),
  (SELECT string_agg(concat_ws(' ', name, serialized_value::text, locked), ';' ORDER BY name) FROM installation_configs),
  (SELECT string_agg(concat_ws(' ', id, name), ';' ORDER BY id) FROM platform_apps),
  (SELECT string_agg(concat_ws(' ', id, platform_app_id, permissible_type, permissible_id), ';' ORDER BY id) FROM platform_app_permissibles),
  (SELECT string_agg(concat_ws(' ', id, owner_type, owner_id, token), ';' ORDER BY id) FROM access_tokens)))
