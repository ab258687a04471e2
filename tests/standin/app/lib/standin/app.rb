# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: "the application", as loaded by rails runner
# and by the Sidekiq worker: configuration, Sidekiq (client side), jobs, models.

require_relative "core"
Standin.require_secret_key_base!
# Production eager-loads ActiveRecord::Base, whose database configurations (database.yml, DATABASE_URL) are read
# at that moment: a DATABASE_URL Rails cannot parse stops the runner and the worker before any code runs.
Standin.db_config

require "sidekiq"
require_relative "models"

# Client side only (rails runner): Redis::Config.app, as config/initializers/sidekiq.rb @ v4.15.1. Sidekiq's own
# log lines go to stderr, so what the runner's code prints is all there is on stdout.
Sidekiq.configure_client do |config|
  config.redis = Standin.redis_config
  config.logger = Sidekiq::Logger.new($stderr)
end

Dir[File.join(Standin::APP_ROOT, "app", "jobs", "*.rb")].sort.each { |f| require f }
