# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: docker/entrypoints/helpers/pg_database_url.rb @ v4.15.1 (the same in
# v4.4.0 and v4.10.0), run by rails.sh as a command whose output rails.sh then runs. What it prints:
# - DATABASE_URL set and not empty: one `export` of POSTGRES_HOST, POSTGRES_PORT and POSTGRES_USERNAME taken
#   from URI#host, #port and #user as they are (user still percent-encoded, port empty when the URL has none,
#   nothing quoted); a URL URI cannot parse is Ruby's error on stderr and nothing on stdout;
# - otherwise, when POSTGRES_PORT is unset or empty: `export POSTGRES_PORT=5432`;
# - otherwise nothing.
# The image build puts a ruby #! line on top and makes it executable, as upstream's file is.
require "uri"

url = ENV.fetch("DATABASE_URL", "")
if !url.empty?
  parsed = URI(url)
  puts "export POSTGRES_HOST=#{parsed.host} POSTGRES_PORT=#{parsed.port} POSTGRES_USERNAME=#{parsed.user}"
elsif ENV.fetch("POSTGRES_PORT", "").empty?
  puts "export POSTGRES_PORT=5432"
end
