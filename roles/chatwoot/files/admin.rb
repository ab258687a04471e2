# frozen_string_literal: true

# SPDX-License-Identifier: GPL-3.0-or-later
# Run by the chatwoot role as `bundle exec rails runner "$(this file)"` inside Chatwoot's own image, with the input
# as JSON on standard input (never on a command line or in the environment: it holds the admin password).
# Chatwoot's own models and builders do the work; nothing is written in SQL. What it does, once per database:
#   - the first administrator and account (AccountBuilder, as the onboarding form does) when the installation has no
#     SuperAdmin yet; an installation someone already onboarded is left alone (no second admin, no second account);
#   - the onboarding key deleted once a SuperAdmin exists (until then the form makes anyone SuperAdmin);
#   - installation settings written through InstallationConfig, only those whose value differs (its after_commit
#     clears GlobalConfig's cache);
#   - the Platform App for automation, permitted on the admin and the account (or removed, on request).
#   - then, in Redis (input "state"), what it was asked and a checksum of the rows it settles, for the next run.
# With "check" it reads and reports, and changes nothing. One line of output, after the marker, is the result as
# JSON (Rails may log to standard output too).
require 'json'

input = JSON.parse($stdin.read)
check = input['check'] == true
admin = input['admin']
result = { 'changed' => false, 'check' => check, 'admin' => nil, 'account' => nil, 'settings' => {},
           'onboarding_was_open' => false, 'onboarding_open' => false, 'super_admins' => 0,
           'platform_app' => nil, 'tokens' => {} }
change = ->(what) { result['changed'] = true if what }

key = Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING
result['onboarding_was_open'] = Redis::Alfred.get(key).present?
super_admins = SuperAdmin.count
result['super_admins'] = super_admins
user = nil
account = nil

if admin
  user = User.from_email(admin['email'])
  if super_admins.zero?
    # A fresh installation. A user with this email that is no SuperAdmin makes AccountBuilder raise UserExists.
    unless check
      user, account = AccountBuilder.new(account_name: admin['account_name'], user_full_name: admin['name'],
                                         email: admin['email'], user_password: admin['password'],
                                         super_admin: true, confirmed: true).perform
    end
    result['admin'] = { 'state' => 'created', 'email' => admin['email'] }
    result['account'] = { 'state' => 'created', 'name' => admin['account_name'] }
    change.call(true)
  elsif user
    account = user.accounts.find_by(name: admin['account_name'])
    result['admin'] = { 'state' => 'present', 'email' => user.email }
    result['account'] = account ? { 'state' => 'present', 'name' => account.name } : { 'state' => 'absent' }
    if admin['set_password'] && !user.valid_password?(admin['password'])
      unless check
        user.password = admin['password']
        user.password_confirmation = admin['password']
        user.save!
      end
      result['admin']['password_set'] = true
      change.call(true)
    end
  else
    # Onboarded by someone else (the browser, a console): their SuperAdmin stays the only one.
    result['admin'] = { 'state' => 'left_alone', 'email' => admin['email'] }
  end

  if user&.persisted?
    result['admin']['super_admin'] = user.type == 'SuperAdmin'
    result['admin']['id'] = user.id
  end
  if account
    result['account']['id'] = account.id
    result['account']['administrator'] = account.account_users.where(user_id: user.id).first&.administrator? || false
  end

  # A SuperAdmin exists (or is made just now): the onboarding form must not make another.
  if result['onboarding_was_open']
    Redis::Alfred.delete(key) unless check
    change.call(true)
  end
end
result['onboarding_open'] = check ? result['onboarding_was_open'] && admin.nil? : Redis::Alfred.get(key).present?

(input['settings'] || {}).each do |name, value|
  config = InstallationConfig.find_or_initialize_by(name: name)
  next if config.persisted? && config.value == value

  result['settings'][name] = { 'before' => (config.persisted? ? config.value : nil), 'after' => value }
  change.call(true)
  next if check

  config.value = value
  config.save!
end

app = nil
if input['platform_app'].present? && input['remove_platform_app']
  # Destroyed with its permissibles and its token: the token no longer names a PlatformApp, so the Platform API
  # refuses it at once (Chatwoot removes the rows themselves in the background).
  gone = PlatformApp.where(name: input['platform_app'])
  result['platform_app'] = { 'state' => gone.exists? ? 'removed' : 'absent', 'name' => input['platform_app'] }
  change.call(gone.exists?)
  gone.each(&:destroy!) unless check
elsif input['platform_app'].present?
  app = PlatformApp.where(name: input['platform_app']).order(:id).first
  result['platform_app'] = { 'state' => app ? 'present' : 'created', 'name' => input['platform_app'] }
  change.call(app.nil?)
  app ||= PlatformApp.create!(name: input['platform_app']) unless check
  if app
    result['platform_app']['id'] = app.id
    [user, account].compact.select(&:persisted?).each do |permissible|
      next if app.platform_app_permissibles.exists?(permissible: permissible)

      app.platform_app_permissibles.create!(permissible: permissible) unless check
      change.call(true)
    end
  end
end

unless check
  if input['rotate_tokens']
    [user, app].compact.each { |owner| owner.access_token.regenerate_token }
    change.call(true)
  end
  result['tokens']['user'] = user.access_token.token if user&.persisted?
  result['tokens']['platform'] = app.access_token.token if app
end

# What was asked, the checksum of the rows settled (files/admin_state.sql) and where things stand, left in Redis: the
# next run reads them with the host and need not boot Rails here while they still hold (the admin_step filter).
state = input['state']
if state && !check
  standing = result.slice('admin', 'account', 'platform_app').merge('super_admins' => SuperAdmin.count)
  Redis::Alfred.set(state['key'], { 'inputs' => state['inputs'],
                                    'database' => ActiveRecord::Base.connection.select_value(state['query']),
                                    'standing' => standing }.to_json)
end

puts "SINAPUM_CHATWOOT_ADMIN=#{result.to_json}"
