# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: Chatwoot's app-level Redis helpers, written from its source:
#   lib/redis/alfred.rb, lib/redis/redis_keys.rb  Redis::Alfred.get/set/delete on the namespace "alfred"
#                                                 (config/initializers/01_redis.rb: Redis::Namespace 'alfred')
#   lib/global_config.rb                          cached reads at alfred:V1:GLOBAL_CONFIG:<NAME> for a day,
#                                                 clear_cache expires them; boolean settings typecast
#   lib/global_config_service.rb                  load: the row, else ENV only to create a missing row
# Connections are the redis gem's, as Chatwoot's $alfred (Standin.redis: Redis.new(Redis::Config.app)), one per call.

require "json"
require "active_support"
require "active_support/core_ext/object/blank"
require "active_support/core_ext/hash/indifferent_access"
require_relative "core"

require "redis"

module Redis::Alfred
  NAMESPACE = "alfred"
  CHATWOOT_INSTALLATION_ONBOARDING = "CHATWOOT_INSTALLATION_ONBOARDING"

  class << self
    def set(key, value, nx: false, ex: false) # rubocop:disable Naming/MethodParameterName
      with { |conn| conn.set(namespaced(key), value, nx: nx, ex: ex) }
    end

    def get(key)
      with { |conn| conn.get(namespaced(key)) }
    end

    # As the redis gem's del: the number of keys removed.
    def delete(key)
      with { |conn| conn.del(namespaced(key)) }
    end

    def keys(pattern)
      with { |conn| conn.keys(namespaced(pattern)).map { |k| k.delete_prefix("#{NAMESPACE}:") } }
    end

    def expire(key, seconds)
      with { |conn| conn.expire(namespaced(key), seconds) }
    end

    def with
      conn = Standin.redis
      yield conn
    ensure
      conn&.close
    end

    private

    def namespaced(key)
      "#{NAMESPACE}:#{key}"
    end
  end
end

class GlobalConfig
  VERSION = "V1"
  KEY_PREFIX = "GLOBAL_CONFIG"
  DEFAULT_EXPIRY = 86_400
  # config/installation_config.yml's settings of type boolean (the stand-in's subset of them).
  BOOLEAN_KEYS = %w[DISPLAY_MANIFEST ENABLE_ACCOUNT_SIGNUP DIRECT_UPLOADS_ENABLED].freeze

  class << self
    def get(*config_keys)
      config = config_keys.to_h { |key| [key, load_from_cache(key)] }
      config.each_key do |key|
        config[key] = Standin.cast_boolean(config[key]) if BOOLEAN_KEYS.include?(key) && !config[key].nil?
      end
      config.with_indifferent_access
    end

    def get_value(key)
      load_from_cache(key)
    end

    def clear_cache
      Redis::Alfred.keys("#{VERSION}:#{KEY_PREFIX}:*").each { |key| Redis::Alfred.expire(key, 0) }
    end

    private

    def load_from_cache(config_key)
      cache_key = "#{VERSION}:#{KEY_PREFIX}:#{config_key}"
      cached = Redis::Alfred.get(cache_key)
      if cached.nil? || cached.empty?
        cached = { value: InstallationConfig.find_by(name: config_key)&.value }.to_json
        Redis::Alfred.set(cache_key, cached, ex: DEFAULT_EXPIRY)
      end
      JSON.parse(cached)["value"]
    end
  end
end

class GlobalConfigService
  def self.load(config_key, default_value)
    config = GlobalConfig.get(config_key)[config_key]
    return config if config.present?

    config_value = ENV.fetch(config_key) { default_value }
    return if config_value.blank?

    row = InstallationConfig.where(name: config_key).first_or_create(value: config_value, locked: false)
    GlobalConfig.clear_cache
    row.value
  end

  def self.account_signup_enabled?
    load("ENABLE_ACCOUNT_SIGNUP", "false").to_s != "false"
  end
end
