# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: prints shell exports of POSTGRES_HOST,
# POSTGRES_PORT and POSTGRES_USERNAME taken from DATABASE_URL, for rails.sh.
require "uri"
require "shellwords"

uri = URI.parse(ENV.fetch("DATABASE_URL"))
values = { "POSTGRES_HOST" => uri.hostname, "POSTGRES_PORT" => (uri.port || 5432).to_s,
           "POSTGRES_USERNAME" => uri.user && URI.decode_www_form_component(uri.user) }
values.each do |name, value|
  puts "export #{name}=#{Shellwords.escape(value)}" if value && !value.empty?
end
