# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: shared configuration, read from the
# environment the way Chatwoot reads it. See tests/standin/README.md.

require "json"
require "uri"
require "socket"
require_relative "config_yaml"

module Standin
  APP_ROOT = File.expand_path("../..", __dir__)
  BUILD_FILE = File.join(APP_ROOT, "config", "standin_build.json")

  # Values that ActiveModel::Type::Boolean casts to false ("" casts to nil).
  FALSE_VALUES = %w[0 f F false FALSE off OFF].freeze

  class Error < StandardError; end

  module_function

  def build
    @build ||= if File.exist?(BUILD_FILE)
                 JSON.parse(File.read(BUILD_FILE))
               else
                 { "version" => "0.0.0-dev", "fault" => "" }
               end
  end

  def version
    build.fetch("version")
  end

  # True when this build stands for Chatwoot VERSION or later (the tags' source decides what each has).
  def version_at_least?(version)
    require "rubygems"
    Gem::Version.new(self.version.sub(/[-+].*\z/, "")) >= Gem::Version.new(version)
  end

  def fault
    build.fetch("fault", "").to_s
  end

  # Rails.env
  def env
    value = ENV["RAILS_ENV"].to_s
    value = ENV["RACK_ENV"].to_s if value.empty?
    value.empty? ? "development" : value
  end

  def production?
    env == "production"
  end

  # ActiveModel::Type::Boolean.new.cast(value): nil/"" -> nil, FALSE_VALUES -> false,
  # anything else (including "no") -> true.
  def cast_boolean(value)
    return nil if value.nil? || value == ""
    !FALSE_VALUES.include?(value.to_s)
  end

  def env_flag(name, default)
    cast_boolean(ENV.fetch(name, default.to_s)) ? true : false
  end

  def present(value)
    value.nil? || value.to_s.strip.empty? ? nil : value
  end

  # Rails refuses to boot outside development/test without secret_key_base. Called by every
  # command that loads "the app": rails s, rails runner, rails db:*, sidekiq.
  def require_secret_key_base!
    return if %w[development test].include?(env) # Rails generates one only for these
    return if present(ENV["SECRET_KEY_BASE"])

    warn "#{$PROGRAM_NAME}: Missing `secret_key_base` for '#{env}' environment, " \
         "set this string with `bin/rails credentials:edit` (ArgumentError)"
    exit 1
  end

  # ---------------------------------------------------------------- logging
  LEVELS = { "debug" => 0, "info" => 1, "warn" => 2, "error" => 3, "fatal" => 4 }.freeze

  def log_level
    LEVELS.fetch(ENV.fetch("LOG_LEVEL", "info").to_s.downcase, 1)
  end

  # Chatwoot logs to STDOUT unless RAILS_LOG_TO_STDOUT is set to a false value;
  # then it writes log/<env>.log (the official image creates /app/log for that).
  def log_io
    @log_io ||= begin
      if env_flag("RAILS_LOG_TO_STDOUT", true)
        $stdout.sync = true
        $stdout
      else
        dir = File.join(APP_ROOT, "log")
        Dir.mkdir(dir) unless Dir.exist?(dir)
        io = File.open(File.join(dir, "#{env}.log"), "a")
        io.sync = true
        io
      end
    end
  end

  def log(level, message)
    return if LEVELS.fetch(level.to_s, 1) < log_level

    log_io.puts("#{level.to_s.upcase[0]}, [#{Time.now.utc.strftime('%Y-%m-%dT%H:%M:%S.%6N')} ##{Process.pid}] " \
                "#{level.to_s.upcase.rjust(5)} -- : #{message}")
  end

  # ---------------------------------------------------------------- Postgres
  # Mirrors Chatwoot's config/database.yml (@ v4.15.1): POSTGRES_* with its defaults, DATABASE_URL takes
  # precedence for every part it specifies, and POSTGRES_STATEMENT_TIMEOUT (default 14s) becomes the
  # session's statement_timeout. database.yml names no sslmode: libpq's own environment (PGSSLMODE,
  # PGSSLROOTCERT, ...) applies, to ruby-pg here as to pg_isready in rails.sh; root's HOME has no
  # ~/.postgresql/root.crt, as in the official image.
  DEFAULT_DATABASES = { "production" => "chatwoot_production", "development" => "chatwoot_dev",
                        "test" => "chatwoot_test" }.freeze

  def db_config
    config = {
      host: ENV.fetch("POSTGRES_HOST", "localhost"),
      port: ENV.fetch("POSTGRES_PORT", "5432"),
      # Read back from database.yml's double quotes (config_yaml.rb).
      user: ConfigYaml.database_yml(ENV.fetch("POSTGRES_USERNAME", production? ? "chatwoot_prod" : "postgres")),
      password: ConfigYaml.database_yml(ENV.fetch("POSTGRES_PASSWORD", production? ? "chatwoot_prod" : "")),
      dbname: ConfigYaml.database_yml(ENV.fetch("POSTGRES_DATABASE", DEFAULT_DATABASES.fetch(env, "chatwoot_#{env}")))
    }
    url = present(ENV["DATABASE_URL"])
    config.merge!(parse_database_url(url)) if url
    config
  end

  # Rails 7.1.5.2 (Chatwoot's Gemfile.lock) reads DATABASE_URL with URI::RFC2396_Parser, not URI.parse's RFC 3986
  # (activerecord/lib/active_record/database_configurations/connection_url_resolver.rb, the parser since v7.1.5):
  # a host name RFC 2396 refuses, such as one with "_" (a Compose service name), raises URI::InvalidURIError, and
  # every part is unescaped with the same parser (%XX only; "+" stays "+"). Query pairs are split on "&" and "=".
  def parse_database_url(url)
    require "pg"
    parser = URI::RFC2396_Parser.new
    uri = parser.parse(url)
    unless %w[postgres postgresql].include?(uri.scheme)
      raise Error, "DATABASE_URL: unsupported adapter '#{uri.scheme}' (expected postgres:// or postgresql://)"
    end

    out = {}
    out[:host] = parser.unescape(uri.hostname) if present(uri.hostname)
    out[:port] = uri.port.to_s if uri.port
    out[:user] = parser.unescape(uri.user) if present(uri.user)
    out[:password] = parser.unescape(uri.password) if present(uri.password)
    path = uri.path.to_s.sub(%r{\A/}, "")
    out[:dbname] = parser.unescape(path) unless path.empty?
    # Rails turns every query parameter into a config key and its PostgreSQL adapter passes on those libpq
    # knows (activerecord postgresql_adapter.rb @ v7.1.5.2: conndefaults_hash keys).
    known = PG::Connection.conndefaults_hash.keys.map(&:to_s)
    uri.query.to_s.split("&").each do |pair|
      key, value = pair.split("=", 2)
      out[key.to_sym] = parser.unescape(value.to_s) if known.include?(key)
    end
    out
  end

  def statement_timeout
    ENV.fetch("POSTGRES_STATEMENT_TIMEOUT", "14s")
  end

  # Opens a connection and applies statement_timeout, as Rails does on connect.
  def pg_connect(overrides = {})
    require "pg"
    config = db_config.merge(overrides)
    conn = PG.connect(**config)
    conn.exec("SET SESSION statement_timeout TO #{conn.escape_literal(statement_timeout.to_s)}")
    conn.set_notice_processor { |_msg| nil }
    conn
  end

  # ---------------------------------------------------------------- Redis
  # Chatwoot.redis_ssl_verify_mode (config/application.rb @ v4.15.1): a rediss:// server's certificate is
  # verified (VERIFY_PEER) unless REDIS_OPENSSL_VERIFY_MODE is exactly "none". Nothing else is passed, so
  # Ruby's OpenSSL verifies against its default store (SSLContext#set_params -> DEFAULT_CERT_STORE, whose
  # set_default_paths honours SSL_CERT_FILE and SSL_CERT_DIR) and checks the host name (verify_hostname).
  def redis_ssl_verify_mode
    require "openssl"
    ENV["REDIS_OPENSSL_VERIFY_MODE"] == "none" ? OpenSSL::SSL::VERIFY_NONE : OpenSSL::SSL::VERIFY_PEER
  end

  DEFAULT_SENTINEL_PORT = "26379"

  # Redis::Config.app (lib/redis/config.rb @ v4.15.1), the one hash Chatwoot gives every Redis connection:
  # the app's own (Redis.new, config/initializers/01_redis.rb, app/controllers/api_controller.rb) and
  # Sidekiq's, client and server (config/initializers/sidekiq.rb). Same keys, same defaults, same quirks:
  # REDIS_URL is fetched as is (set but empty stays empty); REDIS_PASSWORD only when not blank; with
  # REDIS_SENTINELS the URL becomes redis://<REDIS_SENTINEL_MASTER_NAME> and its host is never used.
  def redis_config
    present(ENV["REDIS_SENTINELS"]) ? redis_sentinel_config : redis_base_config
  end

  def redis_base_config
    {
      url: ENV.fetch("REDIS_URL", "redis://127.0.0.1:6379"),
      password: present(ENV["REDIS_PASSWORD"]),
      ssl_params: { verify_mode: redis_ssl_verify_mode },
      reconnect_attempts: 2,
      timeout: 1
    }
  end

  # "host1:port1, host2:port2"; each sentinel gets REDIS_SENTINEL_PASSWORD, or REDIS_PASSWORD when that is
  # unset (an empty REDIS_SENTINEL_PASSWORD means none).
  def redis_sentinel_config
    sentinel_password = ENV.fetch("REDIS_SENTINEL_PASSWORD", redis_base_config[:password])
    sentinels = ENV.fetch("REDIS_SENTINELS").split(",").map do |entry|
      host, port = entry.split(":").map(&:strip)
      sentinel = { host: host, port: port || DEFAULT_SENTINEL_PORT }
      sentinel[:password] = sentinel_password if present(sentinel_password)
      sentinel
    end
    master = "redis://#{ENV.fetch('REDIS_SENTINEL_MASTER_NAME', 'mymaster')}"
    redis_base_config.merge(url: master, sentinels: sentinels)
  end

  # The redis gem 5, as Chatwoot's `Redis.new(Redis::Config.app)`: RESP2, so a password sent to a Redis that
  # has none is refused ("AUTH <password> called without any password configured"), and its errors are the
  # gem's (Redis::CannotConnectError for a refused connection, a failed TLS handshake or a wrong password).
  def redis
    require "redis"
    Redis.new(redis_config)
  end

  # ActionCable.server.broadcast: a PUBLISH on "chatwoot_<env>_action_cable:<stream>" over the connection
  # config/cable.yml describes: url and password read as YAML (config_yaml.rb), and ssl_params' verify_mode
  # Chatwoot.redis_ssl_verify_mode (config/application.rb @ v4.15.1: VERIFY_NONE only when REDIS_OPENSSL_VERIFY_MODE
  # is exactly "none"); not Redis::Config's connection. redis-client, under the redis gem ActionCable uses, decides
  # the password (the given one, else the URL's).
  def broadcast(stream, message)
    require "redis-client"
    require "openssl"
    verify = ENV["REDIS_OPENSSL_VERIFY_MODE"] == "none" ? OpenSSL::SSL::VERIFY_NONE : OpenSSL::SSL::VERIFY_PEER
    url = ConfigYaml.cable_yml(ENV.fetch("REDIS_URL", "redis://127.0.0.1:6379"))
    options = { url: url, password: ConfigYaml.cable_yml(present(ENV["REDIS_PASSWORD"])) }.compact
    options[:ssl_params] = { verify_mode: verify } if url.start_with?("rediss://")
    client = RedisClient.config(**options, protocol: 2).new_client
    begin
      client.call("PUBLISH", "chatwoot_#{env}_action_cable:#{stream}", message)
    ensure
      client.close
    end
  end

  ONBOARDING_KEY = "alfred:CHATWOOT_INSTALLATION_ONBOARDING"
end
