# frozen_string_literal: true

# SPDX-License-Identifier: GPL-3.0-or-later
# Mounted read-only by the chatwoot role, with admin.rb beside it, as lib/tasks/sinapum_chatwoot/ of the one-off
# container that prepares the database (tasks/prepare.yml), where Chatwoot's Rakefile loads it (Rails loads
# lib/tasks/**/*.rake): `bundle exec rails db:chatwoot_prepare sinapum_chatwoot:admin` runs admin.rb in the process
# that prepared the database, right after it, instead of booting Rails a second time in a container of its own.
# Rake runs the tasks in the order given and stops at the first that fails: admin.rb runs only on a prepared database.
# Its input is the process's standard input, as for `rails runner`.
namespace :sinapum_chatwoot do
  desc 'The first administrator, the installation settings and the Platform App (the chatwoot role, admin.rb)'
  task admin: :environment do
    # Rails clears the schema cache after migrating, not the columns a model loaded before a later migration changed
    # its table (a migration that used it): admin.rb's models must see the tables as they are now.
    ActiveRecord::Base.descendants.reject(&:abstract_class?).each(&:reset_column_information)
    # What the role reads when the task ends badly: the prepare was done and admin.rb ran.
    puts 'SINAPUM_CHATWOOT_ADMIN_TASK=started'
    load File.expand_path('admin.rb', __dir__)
  end
end
