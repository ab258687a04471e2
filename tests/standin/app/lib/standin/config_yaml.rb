# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: settings Chatwoot reads through YAML (after ERB), so that what reaches Postgres
# and Redis is YAML's reading of an environment variable, not the variable as written.
#
# config/database.yml @ v4.15.1 writes the user name, password and database of every environment as
#   password: "<%= ENV.fetch('POSTGRES_PASSWORD', 'chatwoot_prod') %>"
# a YAML double-quoted string: a backslash starts an escape (\x41 is A, \\ is \) and a double quote ends the string,
# so a value holding one is a YAML syntax error and Rails stops. DATABASE_URL, when set, wins over all three
# (Rails' DatabaseConfigurations::UrlConfig merges its parts over database.yml's, activerecord @ v7.1.5.2).
#
# config/cable.yml @ v4.15.1 gives ActionCable's Redis connection
#   url: <%= ENV.fetch('REDIS_URL', 'redis://127.0.0.1:6379') %>
#   password: <%= ENV.fetch('REDIS_PASSWORD', nil).presence %>
# bare: " #" starts a comment, a leading quote starts a quoted string, 123 is a number, an empty value is nil (the
# URL's password then applies, redis-client's Config). ActionCable connects with it when it broadcasts.
require "yaml"

module Standin
  module ConfigYaml
    module_function

    def database_yml(value)
      YAML.safe_load(%(value: "#{value}"))["value"].to_s
    rescue Psych::SyntaxError => e
      raise Standin::Error, "YAML syntax error occurred while parsing config/database.yml. Error: #{e.problem}"
    end

    def cable_yml(value)
      read = YAML.safe_load("value: #{value}")["value"]
      read.nil? ? nil : read.to_s
    rescue Psych::SyntaxError => e
      raise Standin::Error, "YAML syntax error occurred while parsing config/cable.yml. Error: #{e.problem}"
    end
  end
end
