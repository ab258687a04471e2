# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the models `rails runner` offers, under Chatwoot's names, on the real
# ActiveRecord (lib/standin/records.rb), with the builders and settings loader (lib/standin/accounts.rb), e.g.
#   bundle exec rails runner 'puts User.count'
#   bundle exec rails runner 'p SuperAdmin.exists?(email: "john@acme.inc")'
#   bundle exec rails runner 'puts InstallationConfig.find_by(name: "INSTALLATION_NAME").value'

require_relative "records"
require_relative "accounts"
