# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: loaded by the REAL Sidekiq (Debian's ruby-sidekiq) through `:require:` in
# config/sidekiq.yml, in place of a Rails app. Sidekiq itself does everything else: it connects with
# Redis::Config.app, registers the process (set `processes`, hash with `beat`), polls the queues, honours
# sidekiq.yml's :timeout: on TERM.

require_relative "app"
require_relative "alive"

# config/initializers/sidekiq.rb @ v4.15.1: the server uses Redis::Config.app; in production it logs JSON
# lines, skips Sidekiq's own start/done job lines and takes LOG_LEVEL.
Sidekiq.configure_server do |config|
  config.redis = Standin.redis_config
  if Standin.production?
    config.logger.formatter = Sidekiq::Logger::Formatters::JSON.new
    config[:skip_default_job_logging] = true
    level = ENV.fetch("LOG_LEVEL", "info").to_s.upcase
    config.logger.level = Logger.const_get(level) if %w[DEBUG INFO WARN ERROR FATAL].include?(level)
  end
  SidekiqAlive.install(config) if SidekiqAlive.enabled?
end
