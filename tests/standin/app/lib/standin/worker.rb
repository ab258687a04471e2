# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: loaded by the REAL Sidekiq (Debian's
# ruby-sidekiq) through `:require:` in config/sidekiq.yml, in place of a Rails app.
# Sidekiq itself does everything else: it connects with REDIS_URL/REDIS_PASSWORD,
# registers the process (set `processes`, hash with `beat`), polls the queues.

require_relative "app"
require_relative "alive"

Sidekiq.configure_server do |config|
  config.redis = Standin.redis_options
  level = ENV.fetch("LOG_LEVEL", "info").to_s.upcase
  config.logger.level = Logger.const_get(level) if %w[DEBUG INFO WARN ERROR FATAL].include?(level)
  config.on(:startup) { Standin::Alive.start }
  config.on(:shutdown) { Standin::Alive.stop }
end
